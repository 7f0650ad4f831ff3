// Counts that are true (issue 16 item 4): a participant count roomctl does not know (Twilio's
// room resource has none, or reading the participants failed) is shown as unknown (`?` /
// "unknown" in text, null in JSON) and never taken as an empty room; a known 0 stays 0.

#include <gtest/gtest.h>

#include <sstream>

#include "roomctl/reconcile/audit.hpp"
#include "roomctl/reconcile/inventory.hpp"
#include "roomctl/reconcile/planner.hpp"
#include "roomctl/report/audit_view.hpp"
#include "roomctl/report/plan_view.hpp"
#include "roomctl/report/rooms_view.hpp"
#include "support/fake_media_server.hpp"
#include "support/fake_room_store.hpp"

namespace roomctl {
namespace {

using support::Call;
using support::Failure;
using support::FakeMediaServer;

const report::TextStyle k_text{false, 100000};

media::ServerRoom room(std::string name, std::optional<std::uint32_t> count) {
    media::ServerRoom r;
    r.name = name;
    r.sid = "RM_" + name;
    r.creation_time = 1000;
    r.num_participants = count;
    return r;
}

TEST(ParticipantCounts, ARoomResourceWithoutACountIsUnknownNotZero) {
    media::ServerRoom r;  // what Twilio's room_from_json gives: no count in the resource
    EXPECT_FALSE(r.num_participants.has_value());
    EXPECT_TRUE(media::may_have_participants(r.num_participants));
    EXPECT_TRUE(media::may_have_participants(2u));
    EXPECT_FALSE(media::may_have_participants(0u));
}

TEST(ParticipantCounts, RoomsViewShowsUnknownAsNullAndQuestionMarkAndZeroAsZero) {
    const auto unknown = room("busy", std::nullopt);
    const auto empty = room("idle", 0u);
    const auto two = room("pair", 2u);
    EXPECT_TRUE(report::room_json(unknown)["num_participants"].is_null());
    EXPECT_EQ(report::room_json(empty)["num_participants"], 0);
    EXPECT_EQ(report::room_json(two)["num_participants"], 2);

    const auto table = report::render_rooms({unknown, empty, two}, k_text);
    std::istringstream lines(table);
    std::string header, l1, l2, l3;
    std::getline(lines, header);
    std::getline(lines, l1);
    std::getline(lines, l2);
    std::getline(lines, l3);
    EXPECT_NE(l1.find("RM_busy  ?"), std::string::npos) << table;
    EXPECT_NE(l2.find("RM_idle  0"), std::string::npos) << table;
    EXPECT_NE(l3.find("RM_pair  2"), std::string::npos) << table;

    report::TextStyle tsv = k_text;
    tsv.format = report::TableFormat::tsv;
    tsv.headers = false;
    EXPECT_EQ(report::render_rooms({unknown}, tsv).substr(0, 15), "busy\tRM_busy\t?\t");

    EXPECT_NE(report::render_room(unknown, k_text).find("participants:      unknown\n"),
              std::string::npos);
    EXPECT_NE(report::render_room(empty, k_text).find("participants:      0\n"), std::string::npos);
}

reconcile::Inventory orphans_only(std::vector<media::ServerRoom> server) {
    reconcile::Inventory inv;
    inv.provider = "twilio";
    inv.table = "rooms";
    inv.sid_column = "room_sid";
    inv.observed_at = 100000;
    inv.server = std::move(server);
    return inv;
}

TEST(ParticipantCounts, AuditViewShowsAnUnknownCountAsUnknown) {
    const auto audit =
        reconcile::audit(orphans_only({room("busy", std::nullopt), room("idle", 0u)}));
    ASSERT_EQ(audit.findings.size(), 2u);
    const auto& busy = audit.findings[0].room == "busy" ? audit.findings[0] : audit.findings[1];
    const auto& idle = audit.findings[0].room == "busy" ? audit.findings[1] : audit.findings[0];
    EXPECT_TRUE(report::finding_json(busy)["num_participants"].is_null());
    EXPECT_EQ(report::finding_json(idle)["num_participants"], 0);
    const auto text = report::render_audit(audit, k_text);
    EXPECT_NE(text.find("no row; participants unknown, age"), std::string::npos) << text;
    EXPECT_NE(text.find("no row; 0 participant(s), age"), std::string::npos) << text;
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
        if (line.find("busy") != std::string::npos) {
            EXPECT_EQ(line.find(" 0 participant"), std::string::npos) << line;
        }
    }
}

TEST(ParticipantCounts, AMissingRoomHasZeroParticipantsNotUnknown) {
    reconcile::Finding f;  // no server room: nobody can be in it
    f.kind = reconcile::FindingKind::missing;
    EXPECT_EQ(report::finding_json(f)["num_participants"], 0);
}

TEST(ParticipantCounts, CleanupNeverTakesAnUnknownCountAsEmpty) {
    const auto audit =
        reconcile::audit(orphans_only({room("busy", std::nullopt), room("idle", 0u)}));
    reconcile::CleanupPolicy policy;
    policy.now = 100000;
    const auto plan = reconcile::plan_cleanup(audit, policy);
    ASSERT_EQ(plan.actions.size(), 2u);
    for (const auto& a : plan.actions) {
        if (a.room == "busy") {
            EXPECT_EQ(a.status, reconcile::ActionStatus::skipped);
            EXPECT_NE(a.reason.find("participants unknown"), std::string::npos) << a.reason;
            EXPECT_TRUE(report::action_json(a)["num_participants"].is_null());
        } else {
            EXPECT_EQ(a.status, reconcile::ActionStatus::planned) << a.reason;
            EXPECT_EQ(report::action_json(a)["num_participants"], 0);
        }
    }
}

// Twilio's list has no counts: the inventory counts the rooms cleanup may delete and leaves
// the rooms live rows own unknown; a count it cannot read fails the audit, never reads as 0.
TEST(ParticipantCounts, TheInventoryCountsOrphansAndLeavesOwnedRoomsUnknown) {
    FakeMediaServer server;
    server.provider_name = "twilio";
    server.counts_participants = false;
    server.add_room("owned", 1);
    server.add_room("stray", 2);
    support::FakeRoomStore store;
    store.rows["owned"] = support::Row{"RM_owned"};
    config::RoomMapping mapping;
    mapping.sid_column = "room_sid";
    auto inv = reconcile::gather_inventory(server, store, mapping);
    ASSERT_EQ(inv.server.size(), 2u);
    for (const auto& r : inv.server) {
        if (r.name == "stray") {
            EXPECT_EQ(r.num_participants, 2u);
        } else {
            EXPECT_EQ(r.num_participants, std::nullopt) << r.name;
        }
    }
    EXPECT_EQ(server.count(Call::list_participants), 1u);

    server.fail(Call::list_participants, Failure::refused, "RM_stray");
    EXPECT_THROW(reconcile::gather_inventory(server, store, mapping), Error);
}

reconcile::CountLookup lookup_on(FakeMediaServer& server, unsigned concurrency) {
    reconcile::CountLookup lookup;
    lookup.make_server = [&server] { return server.client(); };
    lookup.concurrency = concurrency;
    return lookup;
}

TEST(ParticipantCounts, FillReadsOnlyUnknownCountsInParallelAndKeepsFailuresUnknown) {
    FakeMediaServer server;
    server.provider_name = "twilio";
    for (int i = 0; i < 12; ++i) server.add_room("r" + std::to_string(i), i % 3);
    server.fail(Call::list_participants, Failure::refused, "RM_r4", 100);  // every attempt
    std::vector<media::ServerRoom> rooms;
    for (int i = 0; i < 12; ++i) rooms.push_back(room("r" + std::to_string(i), std::nullopt));
    rooms.push_back(room("known", 7u));  // LiveKit-style known count: no request
    const auto failed = reconcile::fill_participant_counts(rooms, lookup_on(server, 4));
    ASSERT_EQ(failed.size(), 1u);
    EXPECT_EQ(failed.begin()->first, "r4");
    EXPECT_FALSE(failed.begin()->second.empty());
    for (int i = 0; i < 12; ++i) {
        if (i == 4) {
            EXPECT_EQ(rooms[4].num_participants, std::nullopt);
        } else {
            EXPECT_EQ(rooms[i].num_participants, static_cast<std::uint32_t>(i % 3)) << i;
        }
    }
    EXPECT_EQ(rooms.back().num_participants, 7u);
    EXPECT_EQ(server.count(Call::list_participants), 12u);
}

TEST(ParticipantCounts, RefusedCredentialsWhileCountingAreAnError) {
    FakeMediaServer server;
    server.add_room("a", 1);
    server.fail(Call::list_participants, Failure::auth, "", 100);
    std::vector<media::ServerRoom> rooms{room("a", std::nullopt)};
    try {
        reconcile::fill_participant_counts(rooms, lookup_on(server, 2));
        FAIL() << "expected Error(auth)";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::auth);
    }
}

TEST(ParticipantCounts, KnownCountsCostNoRequest) {
    FakeMediaServer server;
    std::vector<media::ServerRoom> rooms{room("a", 0u), room("b", 3u)};
    EXPECT_TRUE(reconcile::fill_participant_counts(rooms, lookup_on(server, 4)).empty());
    EXPECT_EQ(server.calls().size(), 0u);
}

}  // namespace
}  // namespace roomctl
