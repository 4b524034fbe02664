// The order journal: every order intent is written (and synced) before its request leaves,
// and its result after. SQLite in WAL mode with synchronous=FULL: an intent must survive a
// power cut, not just a kill -9, and the cost (one fsync per order) is small next to KIS's
// per-second budget. A plain class owned by the order executor; no actor code here.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <caf/error.hpp>

#include "messages/orders.hpp"

struct sqlite3;

namespace kis {

class sqlite_statement;

// The journal's (and the summary's) name of a status.
std::string_view to_string_view(order_status s) noexcept;

// "K<trading day>-<seq>": unique per journal file.
std::string client_id_of(std::int32_t trading_day, std::int64_t seq);

class order_journal {
public:
  order_journal();
  order_journal(const order_journal&) = delete;
  order_journal& operator=(const order_journal&) = delete;
  ~order_journal();

  // Opens (creating if needed) the journal file. errc::config when it cannot.
  caf::error open(const std::string& path);
  const std::string& path() const noexcept { return path_; }

  // Writes the intent; durable when this returns no error (outside a transaction) or when the
  // transaction commits. Assigns seq and client_id when they are not set yet.
  caf::error record_intent(journal_entry& e);
  caf::error update(const journal_entry& e);
  caf::error record_fill(const journal_fill& f);

  // Entries whose outcome is not final: journaled, sent, partially filled, unknown.
  std::vector<journal_entry> open_entries();
  std::vector<journal_fill> fills();
  std::vector<journal_entry> all_entries();
  // The order numbers KIS gave the intents of the latest trading day in the file and of every
  // day an open entry belongs to, with their day: claimed numbers a restarted executor must not
  // hand to an unknown outcome again.
  std::vector<std::pair<std::int32_t, std::string>> recent_order_numbers();

  // Folds the WAL into the main file (graceful drain).
  caf::error checkpoint();

  // A transaction around several writes: one fsync at commit (group commit).
  caf::error begin();
  caf::error commit();
  void rollback();

  // The seq the next intent gets (the executor names client ids at intake).
  std::int64_t next_seq() const noexcept { return next_seq_; }

private:
  caf::error exec(const char* sql);
  caf::error add_venue_columns();
  caf::error fail(const char* what) const;
  std::vector<journal_entry> select_entries(const char* where);
  // The statement in slot, prepared once and reset for this use; nullptr when SQLite refuses it.
  sqlite_statement* prepared(std::unique_ptr<sqlite_statement>& slot, const char* sql);
  caf::error run(std::unique_ptr<sqlite_statement>& slot, const char* sql, const char* what);

  sqlite3* db_ = nullptr;
  // The statements every order runs, parsed once instead of once per order.
  std::unique_ptr<sqlite_statement> begin_, commit_, intent_, update_, fill_;
  std::string path_;
  std::int64_t next_seq_ = 1;
};

} // namespace kis
