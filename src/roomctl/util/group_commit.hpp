#pragma once
// Group commit of a durable log (the journal's fsync): many threads append records, and one
// flush makes every record appended before it began durable, so threads that wait together
// share one flush instead of taking turns. The executor uses it so that 32 workers do not
// queue behind one another's fsync of the journal (each costs milliseconds on a real disk).

#include <algorithm>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <utility>

namespace roomctl::util {

class GroupCommit {
public:
    // `flush` makes every record whose append has returned durable, or throws. It is called
    // by one waiting thread at a time, never concurrently with itself.
    explicit GroupCommit(std::function<void()> flush) : m_flush(std::move(flush)) {}

    // Call right after a record's append has returned; the ticket names that record.
    std::uint64_t appended() {
        std::lock_guard lock(m_mutex);
        return ++m_appended;
    }

    // Blocks until a flush that began after `ticket`'s append has returned; a waiting thread
    // runs that flush itself when none is running. Bounded by the flushes it waits for.
    // Throws the exception of the flush that should have covered `ticket`. Once a flush has
    // failed, every later wait throws that error too, without flushing again: after a failed
    // fsync the kernel may have dropped the unwritten pages and reports the error only once,
    // so a later successful flush would prove nothing about earlier records.
    void wait(std::uint64_t ticket) {
        std::unique_lock lock(m_mutex);
        for (;;) {
            if (m_error) std::rethrow_exception(m_error);
            if (m_durable >= ticket) return;
            if (m_flushing) {
                m_flushed.wait(lock);
                continue;
            }
            m_flushing = true;
            const auto covers = m_appended;  // every append that has returned so far
            lock.unlock();
            std::exception_ptr error;
            try {
                m_flush();
            } catch (...) {
                error = std::current_exception();
            }
            lock.lock();
            ++m_flush_count;
            m_flushing = false;
            if (error) {
                m_error = error;
            } else {
                m_durable = std::max(m_durable, covers);
            }
            m_flushed.notify_all();
        }
    }

    // Flushes run so far (for tests and traces: how many records shared one).
    std::uint64_t flushes() const {
        std::lock_guard lock(m_mutex);
        return m_flush_count;
    }

private:
    std::function<void()> m_flush;
    mutable std::mutex m_mutex;
    std::condition_variable m_flushed;
    std::uint64_t m_appended = 0;  // tickets handed out
    std::uint64_t m_durable = 0;   // every ticket <= this is durable
    std::uint64_t m_flush_count = 0;
    bool m_flushing = false;
    std::exception_ptr m_error;
};

}  // namespace roomctl::util
