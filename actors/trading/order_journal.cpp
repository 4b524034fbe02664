#include "actors/trading/order_journal.hpp"

#include <algorithm>
#include <cstdio>

#include <sqlite3.h>

#include "actors/trading/sqlite_statement.hpp"

#include "messages/errors.hpp"

namespace kis {
namespace {

constexpr const char* schema = R"sql(
CREATE TABLE IF NOT EXISTS orders (
  seq INTEGER PRIMARY KEY,
  client_id TEXT NOT NULL UNIQUE,
  strategy_id TEXT NOT NULL,
  symbol TEXT NOT NULL,
  side INTEGER NOT NULL,
  kind INTEGER NOT NULL,
  qty INTEGER NOT NULL,
  price INTEGER NOT NULL,
  reason TEXT NOT NULL,
  status INTEGER NOT NULL,
  org_no TEXT NOT NULL DEFAULT '',
  order_no TEXT NOT NULL DEFAULT '',
  filled_qty INTEGER NOT NULL DEFAULT 0,
  avg_price INTEGER NOT NULL DEFAULT 0,
  message TEXT NOT NULL DEFAULT '',
  trading_day INTEGER NOT NULL,
  intent_time TEXT NOT NULL,
  created_ns INTEGER NOT NULL,
  updated_ns INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS fills (
  id INTEGER PRIMARY KEY,
  client_id TEXT NOT NULL,
  symbol TEXT NOT NULL,
  side INTEGER NOT NULL,
  qty INTEGER NOT NULL,
  price INTEGER NOT NULL,
  at_ns INTEGER NOT NULL,
  source TEXT NOT NULL
);
)sql";

// The venue columns (#14), added to new files and to journals written before venues alike;
// the defaults (KRX, unknown) are what every order of that time was.
constexpr const char* venue_columns[][2] = {
    {"orders", "route INTEGER NOT NULL DEFAULT 1"},
    {"orders", "executed_on INTEGER NOT NULL DEFAULT 0"},
    {"fills", "executed_on INTEGER NOT NULL DEFAULT 0"},
};

constexpr const char* entry_columns =
    "seq, client_id, strategy_id, symbol, side, kind, qty, price, reason, status, org_no, "
    "order_no, filled_qty, avg_price, message, trading_day, intent_time, created_ns, updated_ns, "
    "route, executed_on";

} // namespace

std::string_view to_string_view(order_status s) noexcept {
  switch (s) {
  case order_status::queued:
    return "queued";
  case order_status::journaled:
    return "journaled";
  case order_status::sent:
    return "sent";
  case order_status::partially_filled:
    return "partially_filled";
  case order_status::filled:
    return "filled";
  case order_status::cancelled:
    return "cancelled";
  case order_status::rejected:
    return "rejected";
  case order_status::unknown:
    return "unknown";
  case order_status::expired:
    return "expired";
  case order_status::unreachable:
    return "unreachable";
  }
  return "?";
}

order_journal::order_journal() = default;

order_journal::~order_journal() {
  for (auto* slot : {&begin_, &commit_, &intent_, &update_, &fill_})
    slot->reset(); // finalized before the close, or the connection would stay open
  if (db_ != nullptr)
    sqlite3_close(db_);
}

sqlite_statement* order_journal::prepared(std::unique_ptr<sqlite_statement>& slot,
                                          const char* sql) {
  if (slot && slot->ok()) {
    slot->reset();
    return slot.get();
  }
  slot = std::make_unique<sqlite_statement>(db_, sql);
  return slot->ok() ? slot.get() : nullptr;
}

caf::error order_journal::run(std::unique_ptr<sqlite_statement>& slot, const char* sql,
                              const char* what) {
  auto* st = prepared(slot, sql);
  if (st == nullptr || st->step() != SQLITE_DONE)
    return fail(what);
  return caf::error{};
}

caf::error order_journal::fail(const char* what) const {
  std::string msg = std::string{"journal "} + what + " (" + path_ + ")";
  if (db_ != nullptr)
    msg += std::string{": "} + sqlite3_errmsg(db_);
  return make_kis_error(errc::config, std::move(msg));
}

caf::error order_journal::exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = std::string{"journal: "} + (err != nullptr ? err : "?") + " (" + path_ + ")";
    sqlite3_free(err);
    return make_kis_error(errc::config, std::move(msg));
  }
  return caf::error{};
}

caf::error order_journal::open(const std::string& path) {
  path_ = path;
  if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
      SQLITE_OK)
    return fail("cannot open");
  sqlite3_busy_timeout(db_, 2000);
  // 1 KiB pages (a new file only): an intent's commit appends a few small WAL frames instead of
  // 4 KiB ones, which took its fsync p99 from 2x to about 1x a raw 200-byte fdatasync on this
  // box (bench/pipeline_bench.cpp, BM_JournalIntentCommit).
  for (const char* sql :
       {"PRAGMA page_size=1024;", "PRAGMA journal_mode=WAL;", "PRAGMA synchronous=FULL;", schema})
    if (auto err = exec(sql))
      return err;
  if (auto err = add_venue_columns())
    return err;
  sqlite_statement max{db_, "SELECT COALESCE(MAX(seq), 0) FROM orders"};
  if (!max.ok() || max.step() != SQLITE_ROW)
    return fail("cannot read");
  next_seq_ = max.i64(0) + 1;
  return caf::error{};
}

caf::error order_journal::add_venue_columns() {
  for (const auto& [table, column] : venue_columns) {
    const std::string name{column, std::string_view{column}.find(' ')};
    const auto probe = "SELECT " + name + " FROM " + table + " LIMIT 0";
    if (sqlite_statement{db_, probe.c_str()}.ok())
      continue;
    const auto add = std::string{"ALTER TABLE "} + table + " ADD COLUMN " + column + ";";
    if (auto err = exec(add.c_str()))
      return err;
  }
  return caf::error{};
}

std::string client_id_of(std::int32_t trading_day, std::int64_t seq) {
  // Formatted into a buffer: g++ 12 -O2 warns falsely (-Wrestrict) on string concatenation.
  char id[48];
  std::snprintf(id, sizeof id, "K%d-%lld", static_cast<int>(trading_day),
                static_cast<long long>(seq));
  return id;
}

caf::error order_journal::begin() {
  return run(begin_, "BEGIN IMMEDIATE;", "cannot begin a transaction");
}

caf::error order_journal::commit() {
  return run(commit_, "COMMIT;", "cannot commit");
}

void order_journal::rollback() {
  (void)exec("ROLLBACK;");
}

caf::error order_journal::record_intent(journal_entry& e) {
  if (e.seq == 0)
    e.seq = next_seq_;
  if (e.client_id.empty())
    e.client_id = client_id_of(e.trading_day, e.seq);
  auto* p =
      prepared(intent_, "INSERT INTO orders (seq, client_id, strategy_id, symbol, side, kind, qty, "
                        "price, reason, status, trading_day, intent_time, created_ns, updated_ns, "
                        "route) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
  if (p == nullptr)
    return fail("cannot prepare intent");
  auto& st = *p;
  st.bind(1, e.seq).bind(2, e.client_id).bind(3, e.strategy_id).bind(4, e.symbol);
  st.bind(5, static_cast<std::int64_t>(e.dir)).bind(6, static_cast<std::int64_t>(e.kind));
  st.bind(7, e.qty).bind(8, e.price).bind(9, e.reason);
  st.bind(10, static_cast<std::int64_t>(e.status)).bind(11, e.trading_day);
  st.bind(12, e.intent_time).bind(13, e.created_ns).bind(14, e.updated_ns);
  st.bind(15, static_cast<std::int64_t>(e.route));
  if (st.step() != SQLITE_DONE)
    return fail("cannot write intent");
  next_seq_ = std::max(next_seq_, e.seq + 1);
  return caf::error{};
}

caf::error order_journal::update(const journal_entry& e) {
  auto* p = prepared(update_, "UPDATE orders SET status=?, org_no=?, order_no=?, filled_qty=?, "
                              "avg_price=?, message=?, updated_ns=?, executed_on=? "
                              "WHERE client_id=?");
  if (p == nullptr)
    return fail("cannot prepare update");
  auto& st = *p;
  st.bind(1, static_cast<std::int64_t>(e.status)).bind(2, e.org_no).bind(3, e.order_no);
  st.bind(4, e.filled_qty).bind(5, e.avg_price).bind(6, e.message).bind(7, e.updated_ns);
  st.bind(8, static_cast<std::int64_t>(e.executed_on)).bind(9, e.client_id);
  if (st.step() != SQLITE_DONE)
    return fail("cannot write result");
  return caf::error{};
}

caf::error order_journal::record_fill(const journal_fill& f) {
  auto* p = prepared(fill_, "INSERT INTO fills (client_id, symbol, side, qty, price, at_ns, "
                            "source, executed_on) VALUES (?,?,?,?,?,?,?,?)");
  if (p == nullptr)
    return fail("cannot prepare fill");
  auto& st = *p;
  st.bind(1, f.client_id).bind(2, f.symbol).bind(3, static_cast<std::int64_t>(f.dir));
  st.bind(4, f.qty).bind(5, f.price).bind(6, f.at_ns).bind(7, f.source);
  st.bind(8, static_cast<std::int64_t>(f.executed_on));
  if (st.step() != SQLITE_DONE)
    return fail("cannot write fill");
  return caf::error{};
}

std::vector<journal_entry> order_journal::select_entries(const char* where) {
  std::vector<journal_entry> out;
  auto sql = std::string{"SELECT "} + entry_columns + " FROM orders " + where + " ORDER BY seq";
  sqlite_statement st{db_, sql.c_str()};
  while (st.ok() && st.step() == SQLITE_ROW) {
    journal_entry e;
    e.seq = st.i64(0);
    e.client_id = st.text(1);
    e.strategy_id = st.text(2);
    e.symbol = st.text(3);
    e.dir = static_cast<side>(st.i64(4));
    e.kind = static_cast<order_kind>(st.i64(5));
    e.qty = st.i64(6);
    e.price = st.i64(7);
    e.reason = st.text(8);
    e.status = static_cast<order_status>(st.i64(9));
    e.org_no = st.text(10);
    e.order_no = st.text(11);
    e.filled_qty = st.i64(12);
    e.avg_price = st.i64(13);
    e.message = st.text(14);
    e.trading_day = static_cast<std::int32_t>(st.i64(15));
    e.intent_time = st.text(16);
    e.created_ns = st.i64(17);
    e.updated_ns = st.i64(18);
    e.route = static_cast<venue>(st.i64(19));
    e.executed_on = static_cast<exec_venue>(st.i64(20));
    out.push_back(std::move(e));
  }
  return out;
}

std::vector<journal_entry> order_journal::open_entries() {
  // journaled 1, sent 2, partially_filled 3, unknown 7
  return select_entries("WHERE status IN (1, 2, 3, 7)");
}

std::vector<journal_entry> order_journal::all_entries() {
  return select_entries("");
}

std::vector<std::pair<std::int32_t, std::string>> order_journal::recent_order_numbers() {
  std::vector<std::pair<std::int32_t, std::string>> out;
  sqlite_statement st{db_, "SELECT trading_day, order_no FROM orders WHERE order_no <> '' AND "
                           "trading_day >= MIN((SELECT MAX(trading_day) FROM orders), "
                           "COALESCE((SELECT MIN(trading_day) FROM orders WHERE status IN "
                           "(1, 2, 3, 7)), 99999999))"};
  while (st.ok() && st.step() == SQLITE_ROW)
    out.emplace_back(static_cast<std::int32_t>(st.i64(0)), st.text(1));
  return out;
}

std::vector<journal_fill> order_journal::fills() {
  std::vector<journal_fill> out;
  sqlite_statement st{db_, "SELECT client_id, symbol, side, qty, price, at_ns, source, "
                           "executed_on FROM fills ORDER BY id"};
  while (st.ok() && st.step() == SQLITE_ROW)
    out.push_back({st.text(0), st.text(1), static_cast<side>(st.i64(2)), st.i64(3), st.i64(4),
                   st.i64(5), st.text(6), static_cast<exec_venue>(st.i64(7))});
  return out;
}

caf::error order_journal::checkpoint() {
  return exec("PRAGMA wal_checkpoint(TRUNCATE);");
}

} // namespace kis
