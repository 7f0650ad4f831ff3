// RoomStore::read_inventory's default, for stores that can only load every row (the fakes of
// the tests, wrappers that do not forward it). Part of roomctl_core.
#include <memory>

#include "roomctl/store/room_store.hpp"

namespace roomctl::store {
namespace {

class WholeTableRead final : public InventoryRead {
public:
    explicit WholeTableRead(RoomStore& store) : m_store(store) {}

    std::vector<DbRoom> open_rows(const std::function<void()>& snapshot_taken) override {
        auto rows = m_store.load_rooms();  // read before the server is asked, as ever
        m_rows = static_cast<std::int64_t>(rows.size());
        snapshot_taken();
        return rows;
    }
    TableTally tally(const std::vector<std::string>&) override {
        TableTally t;
        t.rows = m_rows;
        t.whole_table = true;
        return t;
    }
    std::vector<DbRoom> ended_rows(const std::vector<std::string>&,
                                   const std::vector<std::string>&) override {
        return {};  // open_rows returned them all
    }

private:
    RoomStore& m_store;
    std::int64_t m_rows = 0;
};

}  // namespace

std::unique_ptr<InventoryRead> RoomStore::read_inventory() {
    return std::make_unique<WholeTableRead>(*this);
}

}  // namespace roomctl::store
