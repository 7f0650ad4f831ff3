#pragma once
// The executor's SID writes (executor.cpp): group commit of the SIDs that workers finish
// together, and per-row outcomes when a batch fails.

#include <condition_variable>
#include <exception>
#include <mutex>
#include <vector>

#include "roomctl/store/room_store.hpp"

namespace roomctl::reconcile {

// Writes SIDs for every worker with as few round trips as possible (group commit): a worker
// that arrives while no write is running takes everything queued so far and writes it as
// one statement; workers arriving meanwhile queue up for the next one. With one worker it is
// one statement per SID, as before; with 32 finishing together it is one for all of them.
class SidRecorder {
public:
    SidRecorder(store::RoomStore& store, std::mutex& store_mutex)
        : m_store(store), m_store_mutex(store_mutex) {}

    // Rows changed (0 when the compare lost or the database skipped the row); throws what
    // RoomStore::update_sids threw for this update: its own error after a per-row retry, or
    // the batch's when that says nothing about the rows (a lost connection, a commit in doubt).
    int record(const store::SidUpdate& update) {
        Pending mine;
        mine.update = &update;
        std::unique_lock lock(m_mutex);
        m_queue.push_back(&mine);
        while (!mine.done) {
            if (m_writing) {
                m_written.wait(lock);
                continue;
            }
            m_writing = true;
            std::vector<Pending*> batch;
            batch.swap(m_queue);
            lock.unlock();
            write(batch);
            lock.lock();
            m_writing = false;
            m_written.notify_all();
        }
        if (mine.error) std::rethrow_exception(mine.error);
        return mine.changed;
    }

private:
    struct Pending {
        const store::SidUpdate* update = nullptr;
        int changed = 0;
        std::exception_ptr error;
        bool done = false;
    };

    // Whether a failed write says something about its rows (a conflict, a SID too long, a
    // timeout on one held row), so that writing them one by one gives each its own outcome.
    static bool per_row_retry_helps(const std::exception_ptr& error);
    // One statement for the batch; when it fails for a reason of its rows, one statement per
    // row, so one bad row fails alone. Each Pending gets its own changed count or error.
    void write(const std::vector<Pending*>& batch);

    store::RoomStore& m_store;
    std::mutex& m_store_mutex;
    std::mutex m_mutex;
    std::condition_variable m_written;
    std::vector<Pending*> m_queue;
    bool m_writing = false;
};

}  // namespace roomctl::reconcile
