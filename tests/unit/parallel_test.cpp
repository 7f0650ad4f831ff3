// util::for_each_index: the bounded pool behind the old-room and participant-count lookups.

#include "roomctl/util/parallel.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace roomctl::util {
namespace {

TEST(ForEachIndex, TakesEveryIndexOnceWithOneWorkerPerThread) {
    constexpr std::size_t count = 200;
    std::vector<std::atomic<int>> seen(count);
    std::atomic<int> workers{0};
    std::mutex m;
    std::set<std::thread::id> threads;
    for_each_index(count, 4, nullptr, [&] {
        ++workers;
        return [&](std::size_t i) {
            ++seen[i];
            std::lock_guard lock(m);
            threads.insert(std::this_thread::get_id());
        };
    });
    for (std::size_t i = 0; i < count; ++i) EXPECT_EQ(seen[i].load(), 1) << "index " << i;
    EXPECT_EQ(workers.load(), 4);
    EXPECT_LE(threads.size(), 4u);
}

TEST(ForEachIndex, NeverRunsMoreAtOnceThanAskedNorMoreThreadsThanJobs) {
    std::atomic<int> running{0}, peak{0}, workers{0};
    for_each_index(40, 3, nullptr, [&] {
        ++workers;
        return [&](std::size_t) {
            const int now = ++running;
            int p = peak.load();
            while (now > p && !peak.compare_exchange_weak(p, now)) {
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
            --running;
        };
    });
    EXPECT_LE(peak.load(), 3);
    EXPECT_EQ(workers.load(), 3);
    workers = 0;
    for_each_index(2, 16, nullptr, [&] {
        ++workers;
        return [](std::size_t) {};
    });
    EXPECT_EQ(workers.load(), 2);
}

TEST(ForEachIndex, OneAtATimeRunsOnTheCallingThread) {
    const auto caller = std::this_thread::get_id();
    std::vector<std::size_t> order;
    for_each_index(5, 1, nullptr, [&] {
        return [&](std::size_t i) {
            EXPECT_EQ(std::this_thread::get_id(), caller);
            order.push_back(i);
        };
    });
    EXPECT_EQ(order, (std::vector<std::size_t>{0, 1, 2, 3, 4}));
}

TEST(ForEachIndex, AnInterruptStopsNewIndicesAndNoneAreMadeForZeroJobs) {
    std::atomic<bool> interrupted{false};
    std::atomic<int> done{0};
    for_each_index(1000, 2, &interrupted, [&] {
        return [&](std::size_t) {
            if (++done == 10) interrupted = true;
        };
    });
    EXPECT_GE(done.load(), 10);
    EXPECT_LE(done.load(), 11);  // at most the other thread's index already under way
    bool made = false;
    for_each_index(0, 4, nullptr, [&] {
        made = true;
        return [](std::size_t) {};
    });
    EXPECT_FALSE(made);
}

}  // namespace
}  // namespace roomctl::util
