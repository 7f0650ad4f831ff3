#include "roomctl/reconcile/sid_recorder.hpp"

#include "roomctl/util/error.hpp"

namespace roomctl::reconcile {

// Whether a failed write says something about its rows (a conflict, a SID too long, a
// timeout on one held row), so that writing them one by one gives each its own outcome.
// A lost connection, a commit in doubt, an interrupt or a lost lock say nothing about the
// rows: every update of the batch shares that error.
bool SidRecorder::per_row_retry_helps(const std::exception_ptr& error) {
    try {
        std::rethrow_exception(error);
    } catch (const store::WriteInDoubt&) {
        return false;
    } catch (const store::ConnectionLost&) {
        return false;
    } catch (const Error& e) {
        return e.kind() != ErrorKind::interrupted && e.kind() != ErrorKind::locked &&
               e.kind() != ErrorKind::auth;
    } catch (...) {
        return false;
    }
}

// One statement for the batch; when it fails for a reason of its rows, one statement per
// row, so one bad row fails alone. Each Pending gets its own changed count or error.
void SidRecorder::write(const std::vector<Pending*>& batch) {
    std::vector<store::SidUpdate> updates;
    updates.reserve(batch.size());
    for (const auto* p : batch) updates.push_back(*p->update);
    std::exception_ptr error;
    std::vector<int> changed;
    try {
        std::lock_guard store_lock(m_store_mutex);
        changed = m_store.update_sids(updates);
    } catch (...) {
        error = std::current_exception();
    }
    std::vector<std::exception_ptr> errors(batch.size(), error);
    if (error && batch.size() > 1 && per_row_retry_helps(error)) {
        changed.assign(batch.size(), 0);
        std::exception_ptr stop;  // a row's error that says nothing about the rest
        for (std::size_t i = 0; i < batch.size(); ++i) {
            errors[i] = stop;
            if (stop) continue;
            try {
                std::lock_guard store_lock(m_store_mutex);
                const auto one = m_store.update_sids({updates[i]});
                changed[i] = one.empty() ? 0 : one.front();
            } catch (...) {
                errors[i] = std::current_exception();
                if (!per_row_retry_helps(errors[i])) stop = errors[i];
            }
        }
    }
    std::lock_guard lock(m_mutex);  // `done` is read under m_mutex by the waiters
    for (std::size_t i = 0; i < batch.size(); ++i) {
        batch[i]->error = errors[i];
        if (!errors[i]) batch[i]->changed = i < changed.size() ? changed[i] : 0;
        batch[i]->done = true;
    }
}

}  // namespace roomctl::reconcile
