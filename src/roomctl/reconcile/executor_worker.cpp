#include "roomctl/reconcile/executor_worker.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <exception>
#include <mutex>

#include "roomctl/http/transport.hpp"
#include "roomctl/util/error.hpp"

namespace roomctl::reconcile {

namespace {

class Worker {
public:
    Worker(media::MediaServer& server, const ExecutorPorts& ports, std::mutex& store_mutex,
           SidRecorder& recorder, const ExecuteOptions& options)
        : m_server(server),
          m_store(*ports.store),
          m_ports(ports),
          m_store_mutex(store_mutex),
          m_recorder(recorder),
          m_options(options) {}

    void run(Action& a) {
        try {
            switch (a.kind) {
                case ActionKind::create_room:
                    create(a);
                    break;
                case ActionKind::update_sid:
                    update(a);
                    break;
                case ActionKind::delete_room:
                    remove(a);
                    break;
            }
        } catch (const Error& e) {
            fail(a, e.what());
            a.auth_failure = e.kind() == ErrorKind::auth;
            a.lock_lost = e.kind() == ErrorKind::locked;
        } catch (const std::exception& e) {
            fail(a, e.what());
        }
    }

private:
    static void fail(Action& a, std::string error) {
        a.status = ActionStatus::failed;
        a.error = std::move(error);
    }

    std::string row_of(const Action& a) const { return a.database_name.value_or(a.room); }

    // " with type go, max_participants 2 (all from old room)": what the room was made with.
    static std::string with_settings(const Action& a) {
        const auto shown = a.settings ? describe(*a.settings) : std::string{};
        return shown.empty() ? shown : " with " + shown;
    }

    // "; the room already existed with other settings: ..." when it did.
    static std::string mismatch_note(const Action& a) {
        if (a.settings_mismatch.empty()) return "";
        return fmt::format(
            "; the server already had this room, with other settings ({}): left "
            "as it is",
            fmt::join(a.settings_mismatch, ", "));
    }

    // Two phases: create on the server, then record the SID. When recording fails, the room
    // must not be left on the server with nobody knowing: see recover().
    void create(Action& a) {
        if (!m_options.record_sids && !still_live(a)) return;
        media::CreateRoomOptions o;
        if (a.settings) {
            o = a.settings->options;
        } else {
            o.departure_timeout = m_options.departure_timeout;
        }
        o.name = a.room;
        o.empty_timeout = a.empty_timeout.value_or(m_options.empty_timeout);
        media::ServerRoom room;
        try {
            room = m_server.create_room(o);
        } catch (const http::TransportError& e) {
            // An attempt may have reached the server before the answer was lost; nothing
            // here knows its SID, so the journal must say the room may exist.
            throw Error(e.kind(), fmt::format("{} (room {} may have been created before the "
                                              "connection failed: run roomctl audit)",
                                              e.what(), a.room));
        }
        a.server_sid = room.sid;
        // An existing room is returned as it is: say so when it is not the room asked for.
        a.settings_mismatch = differences(o, room);
        if (!m_options.record_sids) {
            settle_unrecorded(a, room);
            return;
        }
        const auto done =
            fmt::format("created on the server (empty timeout {} s){}; SID recorded{}",
                        room.empty_timeout, with_settings(a), mismatch_note(a));
        int changed = 0;
        try {
            changed = m_recorder.record({a.room, a.expected_sid, room.sid});
        } catch (const Error& e) {
            recover(a, room, e.what(),
                    dynamic_cast<const store::WriteInDoubt*>(&e) ? Doubt::write_in_doubt
                                                                 : Doubt::write_failed,
                    done);
            // Another run holds the table now: this room is dealt with (recover()), but no
            // further action may start, as when any other action sees the lock lost.
            if (e.kind() == ErrorKind::locked) a.lock_lost = true;
            return;
        }
        if (changed > 0) {
            settle(a, changed, room.sid, done);
            return;
        }
        // The compare lost: the row stopped being live, or someone recorded a SID meanwhile.
        // The room exists now, so which one it was decides whether it may stay.
        recover(a, room, "the row changed while its room was being created", Doubt::compare_lost,
                done);
    }

    // No SID column: nothing protects the create but this look, taken as late as possible.
    bool still_live(Action& a) {
        bool live = false;
        {
            std::lock_guard lock(m_store_mutex);
            live = m_store.is_live(a.room);
        }
        if (live) return true;
        a.status = ActionStatus::skipped;
        a.reason = fmt::format(
            "no live row wants room {} any more (its session ended since the audit); not "
            "created",
            a.room);
        return false;
    }

    // No SID column: no write tells whether the row still wants the room, so it is asked
    // again; a session that ended while its room was being created gets it deleted again.
    void settle_unrecorded(Action& a, const media::ServerRoom& room) {
        std::optional<bool> live;
        std::string unreadable;
        try {
            std::lock_guard lock(m_store_mutex);
            live = m_store.is_live(a.room);
        } catch (const Error& e) {
            unreadable = e.what();
        }
        if (live && !*live) {
            compensate(a, room, row_of(a), "", End::session_ended);
            return;
        }
        if (!live) {
            // Doubt means no: the row was live a moment ago, so the room stays.
            fail(a, fmt::format("room {} was created with SID {}, but whether row \"{}\" still "
                                "wants it is unknown (reading it back failed: {}); run roomctl "
                                "audit once the database is back",
                                room.name, room.sid, row_of(a), unreadable));
            return;
        }
        a.status = ActionStatus::done;
        a.reason = fmt::format(
            "created on the server (empty timeout {} s, SID {}){}; nothing recorded: [rooms] "
            "sid_column is not set{}",
            room.empty_timeout, room.sid, with_settings(a), mismatch_note(a));
    }

    void update(Action& a) {
        if (!m_options.record_sids) {
            a.status = ActionStatus::skipped;
            a.reason = "not recorded: [rooms] sid_column is not set";
            return;
        }
        if (!a.new_sid) throw runtime_error("no server SID to record");
        const int changed = m_recorder.record({a.room, a.expected_sid, *a.new_sid});
        if (changed == 0) {
            // A write that did not happen is not a concurrent write: when the row still holds
            // what it held, the database ignored the update (a trigger returning NULL).
            const auto now = read_back(a.room);
            if (now && now->live && now->sid == a.expected_sid) {
                fail(a, fmt::format("SID {} was not recorded in row \"{}\": {} (the write "
                                    "changed no row and the row still holds its old SID); "
                                    "nothing changed",
                                    *a.new_sid, row_of(a), ignored_why()));
                return;
            }
            if (now && now->live && now->sid == a.new_sid) {
                settle(a, 1, *a.new_sid, "SID recorded (confirmed by reading the row back)");
                return;
            }
        }
        settle(a, changed, *a.new_sid, "SID recorded");
    }

    // The SID the live rows of `room` record now; nullopt when it cannot be read.
    std::optional<store::RecordedSid> read_back(const std::string& room) {
        try {
            std::lock_guard lock(m_store_mutex);
            return m_store.recorded_sid(room);
        } catch (const Error&) {
            return std::nullopt;
        }
    }

    // Why an update that found its row live and unchanged changed nothing.
    std::string ignored_why() {
        std::string triggers;
        try {
            std::lock_guard lock(m_store_mutex);
            triggers = m_store.sid_column().update_triggers;
        } catch (const Error&) {
            // the reason stays general
        }
        if (triggers.empty()) return "the database ignored the update";
        return "a trigger on the table ignored the update (" + triggers + ")";
    }

    void settle(Action& a, int changed, const std::string& sid, const std::string& done) {
        if (changed == 0) {
            a.status = ActionStatus::skipped;
            a.reason = "the row changed since it was read (a concurrent write); left as it is";
            return;
        }
        a.new_sid = sid;
        a.status = ActionStatus::done;
        a.reason = done;
    }

    // How recording a created room's SID went wrong.
    enum class Doubt {
        write_failed,    // an error: nothing was written
        write_in_doubt,  // the connection was lost while committing: maybe written
        compare_lost,    // the write ran and changed no row
    };

    // The room exists on the server, but its SID is not known to be recorded (`cause`). Read
    // the row back to learn what it holds, then: recorded after all -> done; unchanged ->
    // write once more; another writer's SID -> leave both (the room is the one its name
    // gives, so it is the app's); no live row any more (the session ended meanwhile) -> delete
    // the room again when nobody is in it (ActionStatus::compensated); still unrecorded ->
    // delete it again too (failed, Action::compensated). When nothing can be learned, say
    // which row needs which SID: that line ends up in the journal.
    void recover(Action& a, const media::ServerRoom& room, std::string cause, Doubt doubt,
                 const std::string& done) {
        const std::string row = row_of(a);
        std::optional<store::RecordedSid> now;
        std::string unreadable;
        try {
            std::lock_guard lock(m_store_mutex);
            now = m_store.recorded_sid(a.room);
        } catch (const Error& e) {
            unreadable = e.what();
        }
        if (now && now->live && now->sid == room.sid) {
            settle(a, 1, room.sid, done + " (confirmed by reading the row back)");
            return;
        }
        if (now && !now->live) {
            compensate(a, room, row, "", End::session_ended);
            return;
        }
        if (now && now->live && now->sid == a.expected_sid) {
            try {
                std::unique_lock lock(m_store_mutex);
                if (m_store.update_sid(a.room, a.expected_sid, room.sid) == 1) {
                    settle(a, 1, room.sid, done + " (on the second try)");
                    return;
                }
                lock.unlock();
                // Zero rows again. If the row still holds what it held, the write did not
                // happen (a trigger skipped it): nothing records the room, as if the row had
                // been cancelled.
                const auto again = read_back(a.room);
                if (again && again->live && again->sid == a.expected_sid) {
                    compensate(a, room, row, ignored_why(), End::ignored);
                    return;
                }
                if (again && !again->live) {
                    compensate(a, room, row, "", End::session_ended);
                    return;
                }
                if (again && again->sid == room.sid) {
                    settle(a, 1, room.sid, done + " (confirmed by reading the row back)");
                    return;
                }
                if (again) {
                    settle(a, 0, room.sid, done);  // the app recorded its own SID meanwhile
                    return;
                }
            } catch (const Error& e) {
                cause = e.what();
            }
        } else if (now) {
            // The app recorded a SID of its own meanwhile; the room is the one its name
            // gives, so it is the app's to keep.
            settle(a, 0, room.sid, done);
            return;
        } else if (doubt != Doubt::write_failed) {
            // Maybe recorded (in doubt), or a concurrent writer changed the row (lost compare:
            // on LiveKit the app creating the same name gets this very room): deleting it
            // could take a room the app uses. Doubt means no.
            fail(a, fmt::format("room {} was created with SID {}, but whether row \"{}\" records "
                                "it is unknown ({}; reading it back failed: {}); run roomctl "
                                "audit once the database is back",
                                room.name, room.sid, row, cause, unreadable));
            return;
        }
        compensate(a, room, row, cause, End::write_failed);
    }

    // How a created room that no row records ends.
    enum class End {
        session_ended,  // no live row wants it any more: compensated
        ignored,        // the database ignored the SID write (`cause` says why): compensated
        write_failed,   // recording its SID failed (`cause`): failed
    };

    // Deletes the room just created again, when nobody is in it. Ending session_ended or
    // ignored, deleting it is the action's proper end (status compensated); write_failed,
    // the action failed (Action::compensated).
    void compensate(Action& a, const media::ServerRoom& room, const std::string& row,
                    const std::string& cause, End end) {
        std::string what;
        switch (end) {
            case End::session_ended:
                what = fmt::format(
                    "room {} was created with SID {}, but the session of row "
                    "\"{}\" ended while it was being created",
                    room.name, room.sid, row);
                break;
            case End::ignored:
                what = fmt::format(
                    "room {} was created with SID {}, but recording it in row "
                    "\"{}\" changed nothing: {}",
                    room.name, room.sid, row, cause);
                break;
            case End::write_failed:
                what = fmt::format(
                    "room {} was created with SID {}, but recording it in row "
                    "\"{}\" failed ({})",
                    room.name, room.sid, row, cause);
                break;
        }
        const char* const keep_fix =
            end == End::session_ended ? "delete it with roomctl rooms delete once they have "
                                        "left, or end it in the app"
            : end == End::ignored     ? "make the table accept the SID write, then delete it "
                                        "with roomctl rooms delete once they have left"
                                      : "record that SID in the row, or run recreate again";
        try {
            auto participants = m_server.list_participants(room.name);
            if (!participants.empty()) {
                fail(a, fmt::format("{}; {} participant(s) joined it, so it was kept: {}", what,
                                    participants.size(), keep_fix));
                return;
            }
            m_server.delete_room(room.name, room.sid);
        } catch (const Error& e) {
            fail(a, fmt::format("{}, and deleting it again failed ({}): {}", what, e.what(),
                                end == End::write_failed
                                    ? "record that SID in the row, or run recreate again"
                                    : "run roomctl cleanup to delete it"));
            return;
        }
        a.compensated = true;
        switch (end) {
            case End::session_ended:
                a.status = ActionStatus::compensated;
                a.reason =
                    "the session ended while its room was being created; the room was "
                    "deleted again";
                return;
            case End::ignored:
                a.status = ActionStatus::compensated;
                a.reason = cause +
                           ": the SID write changed no row although the row is live "
                           "and unchanged; the room was deleted again";
                return;
            case End::write_failed:
                break;
        }
        fail(a, what + "; the room was deleted again, so nothing changed: run recreate again");
    }

    void remove(Action& a) {
        if (!m_options.include_occupied) {
            auto participants = m_server.list_participants(a.room);
            if (!participants.empty()) {
                a.num_participants = static_cast<std::uint32_t>(participants.size());
                a.status = ActionStatus::skipped;
                a.reason = fmt::format("{} participant(s) joined since the audit; not deleted",
                                       participants.size());
                return;
            }
        }
        // The database is asked last, right before the delete, to keep the window in which
        // the app could claim the room as small as possible.
        bool live = false;
        {
            std::lock_guard lock(m_store_mutex);
            live = m_store.is_live(a.room);
        }
        if (live) {
            a.status = ActionStatus::skipped;
            a.reason = "a live row owns this room now; not deleted";
            return;
        }
        auto outcome = m_server.delete_room(a.room, a.server_sid.value_or(""));
        a.status = ActionStatus::done;
        a.reason = outcome == media::DeleteOutcome::already_gone ? "already gone from the server"
                                                                 : "deleted from the server";
    }

    media::MediaServer& m_server;
    store::RoomStore& m_store;
    const ExecutorPorts& m_ports;
    std::mutex& m_store_mutex;
    SidRecorder& m_recorder;
    const ExecuteOptions& m_options;
};

}  // namespace

void run_action(Action& a, media::MediaServer& server, const ExecutorPorts& ports,
                std::mutex& store_mutex, SidRecorder& recorder, const ExecuteOptions& options) {
    Worker(server, ports, store_mutex, recorder, options).run(a);
}

}  // namespace roomctl::reconcile
