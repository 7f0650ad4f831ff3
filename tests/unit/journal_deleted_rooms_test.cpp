// Reading back the rooms the journal says were deleted (journal/deleted_rooms.hpp), from real
// files written by journal::Journal: what is returned, what is skipped, and that a journal of
// any size is read as a stream.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <thread>

#include "roomctl/journal/deleted_rooms.hpp"
#include "roomctl/journal/journal.hpp"
#include "roomctl/util/error.hpp"

namespace roomctl {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using reconcile::Action;
using reconcile::ActionKind;
using reconcile::ActionStatus;

class DeletedRoomsJournal : public ::testing::Test {
protected:
    void SetUp() override {
        char pattern[] = "/tmp/roomctl-deleted-XXXXXX";
        ASSERT_NE(::mkdtemp(pattern), nullptr);
        dir = pattern;
        path = (dir / "journal.jsonl").string();
    }
    void TearDown() override { fs::remove_all(dir); }

    static media::ServerRoom room(const std::string& name, const std::string& sid) {
        media::ServerRoom r;
        r.name = name;
        r.sid = sid;
        r.creation_time = 1764469670;
        r.empty_timeout = 600;
        r.departure_timeout = 20;
        r.max_participants = 2;
        r.metadata = R"({"session":42})";
        r.type = "go";
        r.status_callback = "https://app.example/twilio/rooms";
        r.status_callback_method = "POST";
        r.media_region = "de1";
        r.num_participants = 3;  // not a setting: never read back
        return r;
    }
    // The line cleanup writes for deleting `r` at `phase` with `status`.
    static nlohmann::json line(const media::ServerRoom& r, const std::string& phase = "end",
                               ActionStatus status = ActionStatus::done,
                               const std::string& provider = "livekit") {
        Action a;
        a.kind = ActionKind::delete_room;
        a.room = r.name;
        a.server_sid = r.sid;
        a.status = status;
        a.server_room = r;
        return journal::entry("cleanup", provider, phase, a, 1764470000);
    }
    void append(const nlohmann::json& l) { journal::Journal(path).append(l); }
    void append_raw(const std::string& text) {
        std::ofstream out(path, std::ios::binary | std::ios::app);
        out << text;
    }
    std::string file_text() const {
        std::ifstream in(path);
        std::stringstream s;
        s << in.rdbuf();
        return s.str();
    }

    fs::path dir;
    std::string path;
};

TEST_F(DeletedRoomsJournal, AMissingFileMeansNothingWasDeleted) {
    auto got = journal::deleted_rooms((dir / "none" / "journal.jsonl").string());
    EXPECT_TRUE(got.by_sid.empty());
    EXPECT_TRUE(got.by_name.empty());
}

TEST_F(DeletedRoomsJournal, ADoneDeleteGivesBackEverySettingTheJournalWrote) {
    const auto r = room("session-42", "RM_old42");
    append(line(r, "start", ActionStatus::planned));
    append(line(r));
    auto got = journal::deleted_rooms(path);
    ASSERT_EQ(got.by_sid.size(), 1u);
    ASSERT_EQ(got.by_name.size(), 1u);
    const auto& back = got.by_sid.at("RM_old42");
    EXPECT_EQ(back.name, "session-42");
    EXPECT_EQ(back.sid, "RM_old42");
    EXPECT_EQ(back.creation_time, 1764469670);
    EXPECT_EQ(back.empty_timeout, 600u);
    EXPECT_EQ(back.departure_timeout, 20u);
    EXPECT_EQ(back.max_participants, 2u);
    EXPECT_EQ(back.metadata, R"({"session":42})");
    EXPECT_EQ(back.type, "go");
    EXPECT_EQ(back.status_callback, "https://app.example/twilio/rooms");
    EXPECT_EQ(back.status_callback_method, "POST");
    EXPECT_EQ(back.media_region, "de1");
    EXPECT_EQ(back.num_participants, std::nullopt);  // not read back: unknown, not 0
    EXPECT_EQ(got.by_name.at("session-42").sid, "RM_old42");
}

TEST_F(DeletedRoomsJournal, AStatusCallbackWithCredentialsIsHiddenOnDiskAndNeverReturned) {
    auto r = room("session-7", "RM_cb7");
    r.status_callback = "https://u:secret-pw@app.example/cb";
    append(line(r));
    const auto text = file_text();
    EXPECT_EQ(text.find("secret-pw"), std::string::npos) << text;
    EXPECT_NE(text.find("https://********@app.example/cb"), std::string::npos) << text;

    auto got = journal::deleted_rooms(path);
    const auto& back = got.by_sid.at("RM_cb7");
    EXPECT_EQ(back.status_callback, "") << "a hidden value cannot be replayed";
    EXPECT_EQ(back.status_callback_method, "POST");  // the rest of the room is still known
    EXPECT_EQ(back.type, "go");
}

TEST_F(DeletedRoomsJournal, OnlyDeletesThatHappenedAreReturned) {
    append(line(room("failed", "RM_failed"), "end", ActionStatus::failed));
    append(line(room("skipped", "RM_skipped"), "end", ActionStatus::skipped));
    append(line(room("started", "RM_started"), "start", ActionStatus::planned));
    // A create's end line is not a deleted room, even with a server_room.
    auto create = line(room("created", "RM_created"));
    create["kind"] = "create_room";
    append(create);
    auto got = journal::deleted_rooms(path);
    EXPECT_TRUE(got.by_sid.empty());
    EXPECT_TRUE(got.by_name.empty());
}

TEST_F(DeletedRoomsJournal, TheLatestLineWinsPerSidAndPerName) {
    auto first = room("session-1", "RM_first");
    first.max_participants = 4;
    auto second = room("session-1", "RM_second");
    second.max_participants = 6;
    auto again = room("session-1", "RM_first");  // the same SID journaled twice
    again.max_participants = 8;
    append(line(first));
    append(line(second));
    append(line(again));
    append(line(room("session-1", "RM_third"), "end", ActionStatus::failed));  // not a delete
    auto got = journal::deleted_rooms(path);
    ASSERT_EQ(got.by_sid.size(), 2u);
    EXPECT_EQ(got.by_sid.at("RM_first").max_participants, 8u);
    EXPECT_EQ(got.by_sid.at("RM_second").max_participants, 6u);
    ASSERT_EQ(got.by_name.size(), 1u);
    EXPECT_EQ(got.by_name.at("session-1").sid, "RM_first");
    EXPECT_EQ(got.by_name.at("session-1").max_participants, 8u);
}

TEST_F(DeletedRoomsJournal, TornAndDamagedLinesAreSkippedAndTheRestIsRead) {
    append(line(room("before", "RM_before")));
    append_raw("{\"kind\":\"delete_room\",\"phase\":\"end\",\"status\":\"done\",\"server_ro\n");
    append_raw("delete_room but not JSON at all\n");
    append_raw("[\"delete_room\"]\n");
    append_raw(
        "{\"kind\":\"delete_room\",\"phase\":\"end\",\"status\":\"done\","
        "\"server_room\":{\"name\":\"no-sid\",\"max_participants\":-5,"
        "\"empty_timeout_seconds\":99999999999,\"type\":7}}\n");
    // A run killed mid-write: the next Journal ends the torn line before appending.
    const auto torn = line(room("torn", "RM_torn")).dump();
    append_raw(torn.substr(0, torn.size() / 2));
    append(line(room("after", "RM_after")));
    // And a torn last line: a complete-looking delete that never got its newline.
    append_raw(line(room("tail", "RM_tail")).dump());

    auto got = journal::deleted_rooms(path);
    EXPECT_EQ(got.by_sid.count("RM_before"), 1u);
    EXPECT_EQ(got.by_sid.count("RM_after"), 1u);
    EXPECT_EQ(got.by_sid.count("RM_torn"), 0u);
    EXPECT_EQ(got.by_sid.count("RM_tail"), 0u) << "a line without its newline is torn";
    // A hand-edited line with values out of range: they are "not known", never wrapped.
    ASSERT_EQ(got.by_name.count("no-sid"), 1u);
    const auto& odd = got.by_name.at("no-sid");
    EXPECT_EQ(odd.max_participants, 0u);
    EXPECT_EQ(odd.empty_timeout, 0u);
    EXPECT_EQ(odd.type, "");
    EXPECT_EQ(got.by_sid.size(), 2u);
}

TEST_F(DeletedRoomsJournal, AProviderKeepsOnlyItsOwnDeletes) {
    append(line(room("lk", "RM_lk"), "end", ActionStatus::done, "livekit"));
    append(line(room("tw", "RMabc"), "end", ActionStatus::done, "twilio"));
    auto lk = journal::deleted_rooms(path, "livekit");
    EXPECT_EQ(lk.by_sid.size(), 1u);
    EXPECT_EQ(lk.by_sid.count("RM_lk"), 1u);
    EXPECT_EQ(journal::deleted_rooms(path).by_sid.size(), 2u);
}

TEST_F(DeletedRoomsJournal, ALineLongerThanTheLimitIsSkippedAndTheNextOneRead) {
    auto big = room("big", "RM_big");
    big.metadata = std::string(journal::k_max_journal_line, 'm');
    append(line(big));
    append(line(room("small", "RM_small")));
    auto got = journal::deleted_rooms(path);
    EXPECT_EQ(got.by_sid.count("RM_big"), 0u);
    EXPECT_EQ(got.by_sid.count("RM_small"), 1u);
}

TEST_F(DeletedRoomsJournal, AJournalThatCannotBeReadIsAOneLineConfigError) {
    fs::create_directories(path);  // a directory where the file should be
    try {
        journal::deleted_rooms(path);
        ADD_FAILURE() << "a directory is no journal";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::config);
        const std::string what = e.what();
        EXPECT_NE(what.find(path), std::string::npos) << what;
        EXPECT_EQ(what.find('\n'), std::string::npos) << what;
    }
}

TEST_F(DeletedRoomsJournal, ANonRegularFileGivesNothingAndIsNeverWaitedOn) {
    EXPECT_TRUE(journal::deleted_rooms("/dev/null").by_sid.empty());
    const auto fifo = (dir / "fifo").string();
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    // Should the reader wait for a writer, this one comes after 10 s (the test then fails
    // instead of hanging): it opens the FIFO and closes it, which ends any wait.
    std::atomic<bool> done{false}, rescued{false};
    std::thread rescuer([&] {
        for (int i = 0; i < 1000 && !done; ++i) std::this_thread::sleep_for(10ms);
        if (done) return;
        rescued = true;
        const int fd = ::open(fifo.c_str(), O_WRONLY);
        if (fd >= 0) ::close(fd);
    });
    const auto got = journal::deleted_rooms(fifo);
    done = true;
    rescuer.join();
    EXPECT_FALSE(rescued) << "deleted_rooms waited for a writer on a FIFO";
    EXPECT_TRUE(got.by_sid.empty());
}

// How much more memory a call held at its peak than before it, in kB; nullopt when this
// machine cannot say. Two ways, so that the bound is checked in both CI builds:
//   - plain builds: the process's peak resident size (VmHWM of /proc/self/status, reset through
//     /proc/self/clear_refs, Linux >= 4.0);
//   - AddressSanitizer builds, where resident size says nothing (freed memory waits in ASan's
//     quarantine): the bytes the call's own heap allocations held at their peak, counted by
//     ASan's malloc and free hooks.
#if defined(__SANITIZE_ADDRESS__)
// libasan's allocator interface (<sanitizer/allocator_interface.h>, which GCC 12 does not ship).
extern "C" {
std::size_t __sanitizer_get_allocated_size(const volatile void* p);
int __sanitizer_install_malloc_and_free_hooks(void (*malloc_hook)(const volatile void*,
                                                                  std::size_t),
                                              void (*free_hook)(const volatile void*));
}
std::atomic<bool> g_counting{false};
std::atomic<long> g_live_bytes{0};
std::atomic<long> g_peak_bytes{0};
void on_malloc(const volatile void*, std::size_t size) {
    if (!g_counting.load(std::memory_order_relaxed)) return;
    const long now = g_live_bytes.fetch_add(static_cast<long>(size)) + static_cast<long>(size);
    long peak = g_peak_bytes.load();
    while (now > peak && !g_peak_bytes.compare_exchange_weak(peak, now)) {
    }
}
void on_free(const volatile void* ptr) {
    if (!g_counting.load(std::memory_order_relaxed) || ptr == nullptr) return;
    // Called before the chunk is released, so its size is still known; a chunk allocated
    // before counting began may make the live count dip below zero, which only lowers it.
    g_live_bytes.fetch_sub(static_cast<long>(__sanitizer_get_allocated_size(ptr)));
}
template <typename F>
std::optional<long> peak_growth_kb(F&& call) {
    static const bool installed =
        __sanitizer_install_malloc_and_free_hooks(on_malloc, on_free) != 0;
    if (!installed) return std::nullopt;
    g_live_bytes = 0;
    g_peak_bytes = 0;
    g_counting = true;
    call();
    g_counting = false;
    return g_peak_bytes.load() / 1024;
}
#else
long status_kb(const std::string& wanted) {
    std::ifstream in("/proc/self/status");
    std::string key;
    while (in >> key) {
        long kb = 0;
        if (key == wanted && in >> kb) return kb;
        std::getline(in, key);
    }
    return -1;
}
template <typename F>
std::optional<long> peak_growth_kb(F&& call) {
    std::ofstream clear("/proc/self/clear_refs");
    clear << "5";  // resets VmHWM to the current resident size
    clear.flush();
    if (!clear || status_kb("VmHWM:") <= 0) {
        call();
        return std::nullopt;
    }
    const long before = status_kb("VmRSS:");
    call();
    return status_kb("VmHWM:") - before;
}
#endif

TEST_F(DeletedRoomsJournal, FiftyMegabytesOfOtherLinesAreReadInBoundedMemory) {
    {
        std::ofstream out(path, std::ios::binary);
        const auto keep = line(room("kept", "RM_kept")).dump() + "\n";
        const std::string unrelated =
            R"({"kind":"create_room","phase":"end","status":"done","room":"session-)" +
            std::string(180, 'x') + "\"}\n";
        std::size_t written = 0;
        for (int i = 0; written < 30u * 1024 * 1024; ++i) {
            out << unrelated;
            written += unrelated.size();
            if (i % 50000 == 0) out << keep;
        }
        // One 20 MB line with no newline until its end (a damaged file), which mentions
        // delete_room at its start: a reader holding whole lines would hold all of it.
        out << R"({"kind":"delete_room","metadata":")";
        const std::string block(1024 * 1024, 'z');
        for (int i = 0; i < 20; ++i) out << block;
        out << "\"}\n";
        out << line(room("last", "RM_last")).dump() << "\n";
    }
    ASSERT_GE(fs::file_size(path), 50u * 1024 * 1024);

    journal::DeletedRooms got;
    const auto grown_kb = peak_growth_kb([&] { got = journal::deleted_rooms(path); });

    EXPECT_EQ(got.by_sid.size(), 2u);
    EXPECT_EQ(got.by_sid.count("RM_kept"), 1u);
    EXPECT_EQ(got.by_sid.count("RM_last"), 1u);
    if (!grown_kb) GTEST_SKIP() << "peak memory cannot be measured here; behaviour checked";
    // The file is 50 MB and one line alone is 20 MB; the reader holds one chunk and at most
    // one line of k_max_journal_line (2 MiB).
    EXPECT_LT(*grown_kb, 8 * 1024) << "peak grew by " << *grown_kb << " kB";
}

}  // namespace
}  // namespace roomctl
