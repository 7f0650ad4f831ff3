// util::GroupCommit: the journal's fsyncs shared by the executor's workers.

#include "roomctl/util/group_commit.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

namespace roomctl::util {
namespace {

// A log whose flush makes every appended record durable, as fsync does.
struct FakeLog {
    std::mutex m;
    std::size_t appended = 0, durable = 0;
    std::size_t append() {
        std::lock_guard lock(m);
        return ++appended;  // the record's position
    }
    void flush() {
        std::lock_guard lock(m);
        durable = appended;
    }
    bool is_durable(std::size_t position) {
        std::lock_guard lock(m);
        return position <= durable;
    }
};

TEST(GroupCommit, EveryWaitReturnsWithItsRecordDurable) {
    FakeLog log;
    GroupCommit commit([&] { log.flush(); });
    std::atomic<int> not_durable{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 200; ++i) {
                const auto position = log.append();
                commit.wait(commit.appended());
                if (!log.is_durable(position)) ++not_durable;
            }
        });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(not_durable.load(), 0);
    EXPECT_LE(commit.flushes(), 1600u);
}

TEST(GroupCommit, RecordsAppendedDuringAFlushShareTheNextOne) {
    FakeLog log;
    std::mutex m;
    std::condition_variable cv;
    bool first_flush_entered = false, release = false;
    GroupCommit commit([&] {
        {
            std::unique_lock lock(m);
            if (!first_flush_entered) {
                first_flush_entered = true;
                cv.notify_all();
                cv.wait(lock, [&] { return release; });
            }
        }
        log.flush();
    });
    log.append();
    const auto first = commit.appended();
    std::thread a([&] { commit.wait(first); });
    {
        std::unique_lock lock(m);
        cv.wait(lock, [&] { return first_flush_entered; });
    }
    // Three records appended while the first flush runs: one more flush covers them all.
    std::vector<std::uint64_t> tickets;
    for (int i = 0; i < 3; ++i) {
        log.append();
        tickets.push_back(commit.appended());
    }
    std::vector<std::thread> waiters;
    for (auto t : tickets) waiters.emplace_back([&commit, t] { commit.wait(t); });
    {
        std::lock_guard lock(m);
        release = true;
    }
    cv.notify_all();
    a.join();
    for (auto& w : waiters) w.join();
    EXPECT_EQ(commit.flushes(), 2u);
    EXPECT_TRUE(log.is_durable(4));
}

TEST(GroupCommit, AWaitWhoseRecordIsDurableDoesNotFlush) {
    int flushes = 0;
    GroupCommit commit([&] { ++flushes; });
    const auto one = commit.appended();
    const auto two = commit.appended();
    commit.wait(two);
    commit.wait(one);  // covered by the flush for `two`
    EXPECT_EQ(flushes, 1);
}

TEST(GroupCommit, AFailedFlushFailsEveryLaterWaitWithoutFlushingAgain) {
    int flushes = 0;
    GroupCommit commit([&] {
        ++flushes;
        throw std::runtime_error("cannot flush journal j: Input/output error");
    });
    EXPECT_THROW(commit.wait(commit.appended()), std::runtime_error);
    const auto later = commit.appended();
    try {
        commit.wait(later);
        FAIL() << "a later wait succeeded after a failed flush";
    } catch (const std::runtime_error& e) {
        EXPECT_STREQ(e.what(), "cannot flush journal j: Input/output error");
    }
    EXPECT_EQ(flushes, 1);
}

}  // namespace
}  // namespace roomctl::util
