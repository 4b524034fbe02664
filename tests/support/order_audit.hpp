// The proof that an engine lost and doubled nothing: its order journal (SQLite, read-only here)
// against the simulator's own list of the orders it received. Shared by the crash test and the
// chaos soak.
#pragma once

#include <sqlite3.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "messages/orders.hpp"
#include "sim/server.hpp"

namespace kis::test {

struct journal_row {
  std::string client_id;
  std::string order_no;
  int status = 0;
};

inline std::vector<journal_row> read_journal(const std::filesystem::path& db) {
  std::vector<journal_row> rows;
  sqlite3* h = nullptr;
  if (sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(h);
    return rows;
  }
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(h, "SELECT client_id, order_no, status FROM orders", -1, &st, nullptr) ==
      SQLITE_OK) {
    while (sqlite3_step(st) == SQLITE_ROW) {
      journal_row r;
      r.client_id = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
      r.order_no = reinterpret_cast<const char*>(sqlite3_column_text(st, 1));
      r.status = sqlite3_column_int(st, 2);
      rows.push_back(std::move(r));
    }
  }
  sqlite3_finalize(st);
  sqlite3_close(h);
  return rows;
}

struct order_audit {
  std::size_t journal_rows = 0;
  std::size_t accepted = 0;            // new orders the simulator gave a number
  std::vector<std::string> lost;       // accepted, unknown to the journal (or sent twice)
  std::vector<std::string> unsettled;  // journal rows still queued, journaled or unknown
  std::size_t numbers_in_two_rows = 0; // one order number claimed by two intents
  std::size_t numbers_never_given = 0; // journaled order numbers the simulator never gave
};

// An intent sent twice shows as an accepted order whose number no journal row holds (a row
// holds one number), so `lost` counts both losses and doubles.
inline order_audit audit_orders(const std::vector<journal_row>& rows,
                                const std::vector<sim::order_log_entry>& exchange) {
  order_audit a;
  a.journal_rows = rows.size();
  std::map<std::string, int> journaled;
  for (const auto& r : rows) {
    if (!r.order_no.empty())
      ++journaled[r.order_no];
    if (r.status == static_cast<int>(order_status::journaled) ||
        r.status == static_cast<int>(order_status::unknown) ||
        r.status == static_cast<int>(order_status::queued))
      a.unsettled.push_back(r.client_id);
  }
  std::map<std::string, int> given;
  for (const auto& o : exchange) {
    if (o.order_no.empty() || !o.orig_order_no.empty())
      continue; // refused, or a revise/cancel
    ++a.accepted;
    ++given[o.order_no];
    if (journaled.count(o.order_no) == 0)
      a.lost.push_back(o.order_no + " " + o.symbol + " qty " + std::to_string(o.qty));
  }
  for (const auto& [no, n] : journaled) {
    a.numbers_in_two_rows += n > 1 ? 1 : 0;
    a.numbers_never_given += given.count(no) == 0 ? 1 : 0;
  }
  return a;
}

} // namespace kis::test
