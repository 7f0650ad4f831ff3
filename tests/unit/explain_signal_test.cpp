// explain's signalling step: when gather calls the probe hook (only when nothing before it
// stops the join) and how diagnose turns its answer into a cause. The hook is a stub; the real
// probe is check::probe_signal (tests/integration/test_explain_signal.py).

#include <gtest/gtest.h>

#include "roomctl/explain/diagnose.hpp"
#include "roomctl/explain/gather.hpp"

namespace roomctl::explain {
namespace {

class OneRoomServer : public media::MediaServer {
public:
    std::string provider() const override { return "livekit"; }
    std::vector<media::ServerRoom> list_rooms(const std::vector<std::string>&) override {
        return rooms;
    }
    media::ServerRoom create_room(const media::CreateRoomOptions&) override {
        throw std::logic_error("explain must not create");
    }
    media::DeleteOutcome delete_room(const std::string&, const std::string&) override {
        throw std::logic_error("explain must not delete");
    }
    std::vector<media::Participant> list_participants(const std::string&) override { return {}; }
    std::vector<media::ServerRoom> rooms;
};

struct Harness {
    config::Settings settings;
    OneRoomServer server;
    Sources sources;
    std::vector<std::string> probed;

    Harness() {
        media::ServerRoom r;
        r.name = "standup";
        r.sid = "RM_standup";
        r.num_participants = 1;
        server.rooms.push_back(r);
        sources.server = &server;
        sources.now = 1'767'225'600;
        sources.signal = [this](const std::string& room) {
            probed.push_back(room);
            SignalFacts s;
            s.state = SignalState::ok;
            s.message = "joined";
            return s;
        };
    }
    Facts gather_room(const std::string& room) {
        return gather(settings, Request{"", room, false}, "", sources);
    }
};

TEST(ExplainSignal, ProbesAnExistingRoomOnce) {
    Harness h;
    const auto f = h.gather_room("standup");
    EXPECT_EQ(f.signal.state, SignalState::ok);
    EXPECT_EQ(h.probed, std::vector<std::string>{"standup"});
    // No row (no database here) is a cause of its own; the probe's success adds none.
    for (const auto& c : explain(f).causes) EXPECT_EQ(c.code.rfind("signal", 0), std::string::npos);
}

TEST(ExplainSignal, SkipsAMissingRoomWithoutProbing) {
    Harness h;
    const auto f = h.gather_room("absent");
    EXPECT_EQ(f.signal.state, SignalState::skipped);
    EXPECT_EQ(f.signal.reason, "the room does not exist on the server");
    EXPECT_TRUE(h.probed.empty());
}

TEST(ExplainSignal, SkipsWithoutTheHookAndOnTwilio) {
    Harness h;
    h.sources.signal = nullptr;
    EXPECT_EQ(h.gather_room("standup").signal.reason, "--no-signal");
    Harness t;
    t.settings.provider = config::Provider::twilio;
    EXPECT_EQ(t.gather_room("standup").signal.state, SignalState::skipped);
    EXPECT_TRUE(t.probed.empty());
}

TEST(ExplainSignal, SkipsAnUnreachableServer) {
    Harness h;
    h.sources.server = nullptr;
    h.sources.server_error = "cannot connect";
    EXPECT_EQ(h.gather_room("standup").signal.state, SignalState::skipped);
    EXPECT_TRUE(h.probed.empty());
}

Facts failed(bool proxy) {
    Facts f;
    f.provider = "livekit";
    f.room = "standup";
    f.signal.state = SignalState::failed;
    f.signal.step = "upgrade";
    f.signal.message = "the server answered HTTP 404 with an empty body instead of 101";
    f.signal.proxy_headers = proxy;
    return f;
}

TEST(ExplainSignal, AProxyDroppingUpgradeIsACauseWithTheHeadersAsFix) {
    const auto e = explain(failed(true));
    ASSERT_EQ(e.causes.size(), 1u);
    EXPECT_EQ(e.causes[0].code, "signal_proxy_headers");
    EXPECT_NE(e.causes[0].text.find("HTTP 404 with an empty body"), std::string::npos);
    EXPECT_EQ(e.symptom, "could not establish signal connection");
    EXPECT_NE(e.fix.find("proxy_set_header Upgrade $http_upgrade"), std::string::npos);
}

TEST(ExplainSignal, AnotherFailureNamesTheRoomToCheckAgain) {
    const auto e = explain(failed(false));
    ASSERT_EQ(e.causes.size(), 1u);
    EXPECT_EQ(e.causes[0].code, "signal_failed");
    EXPECT_NE(e.fix.find("--room standup"), std::string::npos);
}

TEST(ExplainSignal, SkippedOrOkIsNoCause) {
    auto f = failed(true);
    f.signal.state = SignalState::skipped;
    EXPECT_TRUE(explain(f).ok());
    f.signal.state = SignalState::ok;
    EXPECT_TRUE(explain(f).ok());
}

}  // namespace
}  // namespace roomctl::explain
