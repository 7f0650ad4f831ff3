// gather_inventory (issue 17 item 4): kept rooms cost no participant read, unowned rooms are
// counted on the run's pool, a failed count still fails the run with the server's own error,
// the database's snapshot is taken before the server is asked, and the SID formats audit uses
// in C++ (sid_provider) and in SQL (sid_pattern) agree.

#include <gtest/gtest.h>

#include <regex>
#include <string>
#include <vector>

#include "roomctl/reconcile/audit.hpp"
#include "roomctl/reconcile/inventory.hpp"
#include "support/fake_media_server.hpp"
#include "support/fake_room_store.hpp"

namespace roomctl {
namespace {

using support::Call;
using support::Failure;
using support::FakeMediaServer;

TEST(InventoryGather, KeptRoomsCostNoParticipantRead) {
    FakeMediaServer server;
    server.provider_name = "twilio";
    server.counts_participants = false;
    server.add_room("keep-me", 1);
    server.add_room("keep-too", 0);
    server.add_room("stray", 2);
    support::FakeRoomStore store;
    config::RoomMapping mapping;
    mapping.sid_column = "room_sid";
    reconcile::GatherOptions options;
    options.keep = {"keep-*"};
    const auto inv = reconcile::gather_inventory(server, store, mapping, options);
    EXPECT_EQ(server.count(Call::list_participants), 1u);
    for (const auto& r : inv.server) {
        EXPECT_EQ(r.num_participants.has_value(), r.name == "stray") << r.name;
    }
}

TEST(InventoryGather, UnownedRoomsAreCountedOnThePoolAndAFailureFailsTheRun) {
    FakeMediaServer server;
    server.provider_name = "twilio";
    server.counts_participants = false;
    for (int i = 0; i < 12; ++i) server.add_room("r" + std::to_string(i), i % 3);
    support::FakeRoomStore store;
    config::RoomMapping mapping;
    mapping.sid_column = "room_sid";
    reconcile::GatherOptions options;
    options.counts.make_server = [&server] { return server.client(); };
    options.counts.concurrency = 4;
    const auto inv = reconcile::gather_inventory(server, store, mapping, options);
    for (const auto& r : inv.server) {
        EXPECT_EQ(r.num_participants, static_cast<std::uint32_t>(std::stoi(r.name.substr(1)) % 3));
    }
    server.fail(Call::list_participants, Failure::auth, "RM_r7");
    try {
        reconcile::gather_inventory(server, store, mapping, options);
        ADD_FAILURE() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::auth) << e.what();  // the server's own error, unchanged
    }
    server.fail(Call::list_participants, Failure::refused, "RM_r3");
    EXPECT_THROW(reconcile::gather_inventory(server, store, mapping, options), Error);
}

// A store whose read records when its snapshot is taken, and a server that records when it is
// asked: the snapshot comes first.
class OrderedStore final : public support::FakeRoomStore {
public:
    std::vector<std::string>* events = nullptr;
    class Read final : public store::InventoryRead {
    public:
        explicit Read(OrderedStore& s) : m_s(s) {}
        std::vector<store::DbRoom> open_rows(const std::function<void()>& taken) override {
            m_s.events->push_back("snapshot");
            taken();
            return {};
        }
        store::TableTally tally(const std::vector<std::string>&) override {
            store::TableTally t;
            t.rows = 1000;
            t.ended_matching_sids = 7;
            return t;
        }
        std::vector<store::DbRoom> ended_rows(const std::vector<std::string>& rooms,
                                              const std::vector<std::string>&) override {
            m_s.events->push_back("ended rows of " + std::to_string(rooms.size()) + " rooms");
            return {};
        }

    private:
        OrderedStore& m_s;
    };
    std::unique_ptr<store::InventoryRead> read_inventory() override {
        return std::make_unique<Read>(*this);
    }
};

TEST(InventoryGather, TheSnapshotIsTakenBeforeTheServerIsAskedAndUnreadRowsAreCounted) {
    FakeMediaServer server;
    server.add_room("a");
    std::vector<std::string> events;
    OrderedStore store;
    store.events = &events;
    server.before_list_participants = nullptr;
    config::RoomMapping mapping;
    mapping.sid_column = "room_sid";
    const auto inv = reconcile::gather_inventory(server, store, mapping);
    ASSERT_EQ(events.size(), 2u);
    EXPECT_EQ(events[0], "snapshot");
    EXPECT_EQ(events[1], "ended rows of 1 rooms");
    EXPECT_EQ(server.count(Call::list_rooms), 1u);
    EXPECT_EQ(inv.unread_rows, 1000u);
    ASSERT_EQ(inv.unread_foreign_sids.count("twilio"), 1u);
    EXPECT_EQ(inv.unread_foreign_sids.at("twilio"), 7u);
    const auto audit = reconcile::audit(inv);
    EXPECT_EQ(audit.summary.database_rooms, 1000u);
    EXPECT_EQ(audit.summary.ended_foreign_sids, 7u);
    EXPECT_EQ(audit.summary.foreign_provider, "twilio");
}

TEST(InventoryGather, ADatabaseErrorBeforeTheSnapshotMeansTheServerIsNotAsked) {
    FakeMediaServer server;
    support::FakeRoomStore store;
    store.fail(support::StoreOp::load_rooms, Error(ErrorKind::runtime, "database down"));
    config::RoomMapping mapping;
    try {
        reconcile::gather_inventory(server, store, mapping);
        ADD_FAILURE() << "no error";
    } catch (const Error& e) {
        EXPECT_STREQ(e.what(), "database down");
    }
    EXPECT_EQ(server.count(Call::list_rooms), 0u);
}

TEST(InventoryGather, ServerErrorsPropagateUnchanged) {
    FakeMediaServer server;
    server.fail(Call::list_rooms, Failure::auth);
    support::FakeRoomStore store;
    config::RoomMapping mapping;
    try {
        reconcile::gather_inventory(server, store, mapping);
        ADD_FAILURE() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::auth) << e.what();
    }
}

TEST(SidPattern, AgreesWithSidProvider) {
    const std::vector<std::string> samples = {"RM_abcdefABCD12",
                                              "RM_abcdefABCD1",
                                              "RM_abcdefABCD123",
                                              "RM_abcdef-BCD12",
                                              "RM_abcdéfBCD12",
                                              "RM0123456789abcdef0123456789abcdef",
                                              "RM0123456789ABCDEF0123456789ABCDEF",
                                              "RM0123456789abcdef0123456789abcdeg",
                                              "RM0123456789abcdef0123456789abcde",
                                              "",
                                              "RM_",
                                              "rm_abcdefABCD12",
                                              "RM_abcdefABCD12\n",
                                              "xRM_abcdefABCD12"};
    for (const auto& s : samples) {
        for (const auto& p : reconcile::sid_providers()) {
            const std::regex re(reconcile::sid_pattern(p), std::regex::extended);
            EXPECT_EQ(std::regex_search(s, re), reconcile::sid_provider(s) == p) << s << " " << p;
        }
    }
}

}  // namespace
}  // namespace roomctl
