#pragma once
// A bounded pool for independent lookups (old rooms, participant counts): `count` jobs on at
// most `concurrency` threads, the calling thread alone when that is 1. Each thread makes one
// worker with make_worker() and hands it the indices it takes, so per-thread state (a media
// server connection, which is not thread-safe) lives in the worker. Writes to distinct slots of
// a result vector need no lock. The executor's pool is separate: it also journals and reports.

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <thread>
#include <vector>

namespace roomctl::util {

// Calls make_worker() once per thread, then worker(i) for each index that thread takes, each
// index in [0, count) exactly once, until all are taken or *interrupted (may be null) becomes
// true: then no new index is started and the call returns after the running ones end (the
// caller checks the flag). Exceptions must not leave worker(i): catch them into the result.
template <class MakeWorker>
void for_each_index(std::size_t count, std::size_t concurrency,
                    const std::atomic<bool>* interrupted, MakeWorker make_worker) {
    if (count == 0) return;
    std::atomic<std::size_t> next{0};
    auto loop = [&] {
        auto worker = make_worker();
        for (std::size_t i = next++; i < count && !(interrupted && interrupted->load());
             i = next++) {
            worker(i);
        }
    };
    const auto threads = std::clamp<std::size_t>(concurrency, 1, count);
    if (threads == 1) {
        loop();
        return;
    }
    std::vector<std::thread> pool;
    pool.reserve(threads);
    for (std::size_t t = 0; t < threads; ++t) pool.emplace_back(loop);
    for (auto& t : pool) t.join();
}

}  // namespace roomctl::util
