// Transaction history for monitor_cond_since (see history.h).
#include "ovsdb/core/history.h"

#include <algorithm>

namespace grebe::ovsdb {

void TxnHistory::add(const Uuid& txn_id, std::shared_ptr<const ChangeSet> changes,
                     size_t db_rows) {
  size_t rows = 0;
  for (const auto& [table, changed] : changes->tables) rows += changed.size();
  entries_.push_back(Entry{txn_id, std::move(changes), rows});
  n_rows_ += rows;
  last_id_ = txn_id;
  size_t max_rows = std::max(db_rows, kMinRows);
  // Keep at least the newest entry: it is what last_id() names.
  while (entries_.size() > 1 && (entries_.size() > kMaxTxns || n_rows_ > max_rows)) {
    n_rows_ -= entries_.front().n_rows;
    entries_.pop_front();
  }
}

std::optional<ChangeSet> TxnHistory::changes_after(const Uuid& txn_id) const {
  auto it = std::find_if(entries_.begin(), entries_.end(),
                         [&](const Entry& e) { return e.txn_id == txn_id; });
  if (it == entries_.end()) return std::nullopt;
  ChangeSet merged;
  for (++it; it != entries_.end(); ++it) {
    for (const auto& [table, rows] : it->changes->tables) {
      auto& out = merged.tables[table];
      for (const auto& [uuid, change] : rows) {
        auto [m, fresh] = out.try_emplace(uuid, change);
        if (!fresh) m->second.new_row = change.new_row;
      }
    }
  }
  for (auto t = merged.tables.begin(); t != merged.tables.end();) {
    auto& rows = t->second;
    for (auto r = rows.begin(); r != rows.end();) {
      if (!r->second.old_row && !r->second.new_row) r = rows.erase(r);
      else ++r;
    }
    if (rows.empty()) t = merged.tables.erase(t);
    else ++t;
  }
  return merged;
}

}  // namespace grebe::ovsdb
