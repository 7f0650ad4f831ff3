#pragma once
// The executor's ports over the fakes (fake_media_server.hpp, fake_room_store.hpp), and the
// actions and options its tests build (executor_test.cpp, executor_sid_writes_test.cpp,
// executor_halt_test.cpp).

#include <optional>
#include <string>

#include "roomctl/reconcile/executor.hpp"
#include "support/fake_media_server.hpp"
#include "support/fake_room_store.hpp"

namespace roomctl::support {

struct ExecutorFixture {
    FakeRoomStore store;
    FakeMediaServer server;
    reconcile::ExecutorPorts ports() {
        reconcile::ExecutorPorts p;
        p.make_server = [this] { return server.client(); };
        p.store = &store;
        return p;
    }
};

// A create of room `name` for the row of the same name, whose SID is NULL.
inline reconcile::Action create_action(const std::string& name) {
    reconcile::Action a;
    a.kind = reconcile::ActionKind::create_room;
    a.room = name;
    return a;
}

// A delete of room `name`, known by SID "RM_<name>" (FakeMediaServer's SIDs).
inline reconcile::Action delete_action(const std::string& name) {
    reconcile::Action a;
    a.kind = reconcile::ActionKind::delete_room;
    a.room = name;
    a.server_sid = "RM_" + name;
    return a;
}

// An update_sid of row `name` from `from` to `to`.
inline reconcile::Action update_action(const std::string& name,
                                       const std::optional<std::string>& from,
                                       const std::string& to) {
    reconcile::Action a;
    a.kind = reconcile::ActionKind::update_sid;
    a.room = name;
    a.expected_sid = from;
    a.new_sid = to;
    return a;
}

// One worker, so that actions run in plan order; empty timeout 60 s.
inline reconcile::ExecuteOptions one_worker() {
    reconcile::ExecuteOptions o;
    o.concurrency = 1;
    o.empty_timeout = 60;
    return o;
}

inline bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

}  // namespace roomctl::support
