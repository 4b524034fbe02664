// A prepared SQLite statement that finalizes itself: the journal and the history cache share
// it. The journal keeps its hot statements prepared and resets them between uses.
#pragma once

#include <cstdint>
#include <string>

#include <sqlite3.h>

namespace kis {

class sqlite_statement {
public:
  sqlite_statement(sqlite3* db, const char* sql) {
    sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr);
  }
  ~sqlite_statement() { sqlite3_finalize(stmt_); }
  sqlite_statement(const sqlite_statement&) = delete;
  sqlite_statement& operator=(const sqlite_statement&) = delete;
  bool ok() const noexcept { return stmt_ != nullptr; }
  sqlite_statement& bind(int i, std::int64_t v) {
    sqlite3_bind_int64(stmt_, i, v);
    return *this;
  }
  sqlite_statement& bind(int i, const std::string& v) {
    sqlite3_bind_text(stmt_, i, v.c_str(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  int step() { return sqlite3_step(stmt_); }
  // Ready to run again: the last run is ended and its bound values are cleared.
  void reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  std::int64_t i64(int col) const { return sqlite3_column_int64(stmt_, col); }
  std::string text(int col) const {
    auto* p = sqlite3_column_text(stmt_, col);
    return p != nullptr ? std::string{reinterpret_cast<const char*>(p)} : std::string{};
  }

private:
  sqlite3_stmt* stmt_ = nullptr;
};

} // namespace kis
