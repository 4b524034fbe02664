#include "runtime/recording_index.hpp"

#include <utility>

#include <sqlite3.h>

namespace kis::runtime {

namespace {

using api::make_api_error;

// One prepared statement; finalized on scope exit.
class stmt {
public:
  stmt(sqlite3* db, const char* sql) { sqlite3_prepare_v2(db, sql, -1, &s_, nullptr); }
  ~stmt() { sqlite3_finalize(s_); }
  stmt(const stmt&) = delete;
  stmt& operator=(const stmt&) = delete;

  bool ok() const noexcept { return s_ != nullptr; }
  stmt& bind(int i, std::int64_t v) {
    sqlite3_bind_int64(s_, i, v);
    return *this;
  }
  stmt& bind(int i, const std::string& v) {
    sqlite3_bind_text(s_, i, v.c_str(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  int step() { return s_ == nullptr ? SQLITE_ERROR : sqlite3_step(s_); }
  void reset() {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }
  std::int64_t i64(int col) const { return sqlite3_column_int64(s_, col); }
  std::uint64_t u64(int col) const { return static_cast<std::uint64_t>(i64(col)); }
  std::string text(int col) const {
    const auto* p = sqlite3_column_text(s_, col);
    return p == nullptr ? std::string{} : std::string{reinterpret_cast<const char*>(p)};
  }

private:
  sqlite3_stmt* s_ = nullptr;
};

constexpr const char* schema = R"sql(
PRAGMA journal_mode=WAL;
PRAGMA synchronous=NORMAL;
CREATE TABLE IF NOT EXISTS segments(
  id INTEGER PRIMARY KEY, file TEXT UNIQUE NOT NULL, day INTEGER NOT NULL,
  first_ns INTEGER NOT NULL DEFAULT 0, last_ns INTEGER NOT NULL DEFAULT 0,
  first_seq INTEGER NOT NULL DEFAULT 0, last_seq INTEGER NOT NULL DEFAULT 0,
  records INTEGER NOT NULL DEFAULT 0, bytes INTEGER NOT NULL DEFAULT 0,
  closed INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS segments_day ON segments(day);
CREATE TABLE IF NOT EXISTS chunks(
  id INTEGER PRIMARY KEY, segment INTEGER NOT NULL, offset INTEGER NOT NULL,
  length INTEGER NOT NULL, records INTEGER NOT NULL, first_seq INTEGER NOT NULL,
  last_seq INTEGER NOT NULL, first_ns INTEGER NOT NULL, last_ns INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS chunks_time ON chunks(first_ns);
CREATE INDEX IF NOT EXISTS chunks_segment ON chunks(segment);
CREATE TABLE IF NOT EXISTS chunk_keys(
  kind INTEGER NOT NULL, key TEXT NOT NULL, chunk INTEGER NOT NULL,
  PRIMARY KEY(kind, key, chunk)) WITHOUT ROWID;
)sql";

constexpr std::int64_t kind_ws_symbol = 0;
constexpr std::int64_t kind_tr = 1;
constexpr std::int64_t kind_rest_symbol = 2;

} // namespace

recording_index::recording_index(recording_index&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)) {}

recording_index& recording_index::operator=(recording_index&& other) noexcept {
  if (this != &other) {
    if (db_ != nullptr)
      sqlite3_close(db_);
    db_ = std::exchange(other.db_, nullptr);
  }
  return *this;
}

recording_index::~recording_index() {
  if (db_ != nullptr)
    sqlite3_close(db_);
}

api::api_error recording_index::fail(const char* what) const {
  std::string msg = std::string{"recording index: "} + what;
  if (db_ != nullptr)
    msg += std::string{": "} + sqlite3_errmsg(db_);
  return make_api_error(errc::io, std::move(msg));
}

api::result<bool> recording_index::exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err != nullptr ? err : "unknown error";
    sqlite3_free(err);
    return make_api_error(errc::io, "recording index: " + msg);
  }
  return true;
}

api::result<recording_index> recording_index::open(const std::filesystem::path& dir, bool create) {
  const auto path = dir / file_name;
  std::error_code ec;
  if (!create && !std::filesystem::exists(path, ec))
    return make_api_error(errc::io, "recording index: no " + path.string());
  recording_index idx;
  const int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
  if (sqlite3_open_v2(path.c_str(), &idx.db_, flags, nullptr) != SQLITE_OK)
    return idx.fail("cannot open");
  sqlite3_busy_timeout(idx.db_, 2000);
  if (auto r = idx.exec(schema); !r)
    return std::move(r).error();
  return idx;
}

api::result<std::int64_t> recording_index::add_segment(const std::string& file, std::int32_t day) {
  stmt s{db_, "INSERT INTO segments(file, day) VALUES(?, ?)"};
  if (s.bind(1, file).bind(2, day).step() != SQLITE_DONE)
    return fail("cannot add a segment");
  return static_cast<std::int64_t>(sqlite3_last_insert_rowid(db_));
}

api::result<bool> recording_index::add_chunk(std::int64_t segment, const rec::chunk_info& c,
                                             std::uint64_t file_size, const record_keys& keys) {
  if (auto r = exec("BEGIN"); !r)
    return r;
  stmt ins{db_, "INSERT INTO chunks(segment, offset, length, records, first_seq, last_seq, "
                "first_ns, last_ns) VALUES(?, ?, ?, ?, ?, ?, ?, ?)"};
  ins.bind(1, segment)
      .bind(2, static_cast<std::int64_t>(c.offset))
      .bind(3, c.length)
      .bind(4, c.records)
      .bind(5, static_cast<std::int64_t>(c.first_seq))
      .bind(6, static_cast<std::int64_t>(c.last_seq))
      .bind(7, c.first_ns)
      .bind(8, c.last_ns);
  bool ok = ins.step() == SQLITE_DONE;
  const auto chunk = sqlite3_last_insert_rowid(db_);
  stmt key{db_, "INSERT OR IGNORE INTO chunk_keys(kind, key, chunk) VALUES(?, ?, ?)"};
  auto add_keys = [&](std::int64_t kind, const std::set<std::string>& values) {
    for (const auto& k : values) {
      key.bind(1, kind).bind(2, k).bind(3, chunk);
      ok = ok && key.step() == SQLITE_DONE;
      key.reset();
    }
  };
  add_keys(kind_ws_symbol, keys.ws_symbols);
  add_keys(kind_rest_symbol, keys.rest_symbols);
  add_keys(kind_tr, keys.trs);
  stmt upd{db_, "UPDATE segments SET first_ns = CASE WHEN records = 0 THEN ? ELSE first_ns END, "
                "first_seq = CASE WHEN records = 0 THEN ? ELSE first_seq END, last_ns = ?, "
                "last_seq = ?, records = records + ?, bytes = ? WHERE id = ?"};
  upd.bind(1, c.first_ns)
      .bind(2, static_cast<std::int64_t>(c.first_seq))
      .bind(3, c.last_ns)
      .bind(4, static_cast<std::int64_t>(c.last_seq))
      .bind(5, c.records)
      .bind(6, static_cast<std::int64_t>(file_size))
      .bind(7, segment);
  ok = ok && upd.step() == SQLITE_DONE;
  if (!ok) {
    exec("ROLLBACK");
    return fail("cannot index a chunk");
  }
  return exec("COMMIT");
}

api::result<bool> recording_index::close_segment(std::int64_t segment) {
  stmt s{db_, "UPDATE segments SET closed = 1 WHERE id = ?"};
  if (s.bind(1, segment).step() != SQLITE_DONE)
    return fail("cannot close a segment");
  return true;
}

api::result<bool> recording_index::remove_segment(std::int64_t segment) {
  if (auto r = exec("BEGIN"); !r)
    return r;
  stmt keys{db_, "DELETE FROM chunk_keys WHERE chunk IN (SELECT id FROM chunks WHERE segment = ?)"};
  stmt chunks{db_, "DELETE FROM chunks WHERE segment = ?"};
  stmt seg{db_, "DELETE FROM segments WHERE id = ?"};
  bool ok = keys.bind(1, segment).step() == SQLITE_DONE &&
            chunks.bind(1, segment).step() == SQLITE_DONE &&
            seg.bind(1, segment).step() == SQLITE_DONE;
  if (!ok) {
    exec("ROLLBACK");
    return fail("cannot remove a segment");
  }
  return exec("COMMIT");
}

std::vector<segment_row> recording_index::segments() {
  std::vector<segment_row> out;
  stmt s{db_, "SELECT id, file, day, first_ns, last_ns, first_seq, last_seq, records, bytes, "
              "closed FROM segments ORDER BY id"};
  while (s.step() == SQLITE_ROW)
    out.push_back({s.i64(0), s.text(1), static_cast<std::int32_t>(s.i64(2)), s.i64(3), s.i64(4),
                   s.u64(5), s.u64(6), s.u64(7), s.u64(8), s.i64(9) != 0});
  return out;
}

std::size_t recording_index::segments_on(std::int32_t day) {
  stmt s{db_, "SELECT COUNT(*) FROM segments WHERE day = ?"};
  return s.bind(1, day).step() == SQLITE_ROW ? static_cast<std::size_t>(s.i64(0)) : 0;
}

std::set<std::string> recording_index::ws_symbols() {
  std::set<std::string> out;
  stmt s{db_, "SELECT DISTINCT key FROM chunk_keys WHERE kind = ?"};
  s.bind(1, kind_ws_symbol);
  while (s.step() == SQLITE_ROW)
    out.insert(s.text(0));
  return out;
}

std::vector<chunk_row> recording_index::chunks(const chunk_filter& f) {
  // Keys narrow the chunks down through chunk_keys' primary key; the time range through
  // chunks_time. A chunk whose last record is before from_ns cannot match.
  std::string sql = "SELECT c.segment, s.file, c.offset, c.length, c.records, c.first_seq, "
                    "c.last_seq, c.first_ns, c.last_ns FROM chunks c JOIN segments s ON "
                    "s.id = c.segment WHERE c.last_ns >= ? AND c.first_ns <= ?";
  std::vector<std::pair<std::int64_t, std::string>> keys;
  for (const auto& sym : f.symbols) {
    keys.emplace_back(kind_ws_symbol, sym);
    keys.emplace_back(kind_rest_symbol, sym);
  }
  for (const auto& tr : f.trs)
    keys.emplace_back(kind_tr, tr);
  if (!keys.empty()) {
    sql += " AND c.id IN (SELECT chunk FROM chunk_keys WHERE ";
    for (std::size_t i = 0; i < keys.size(); ++i)
      sql += (i ? " OR " : "") + std::string{"(kind = ? AND key = ?)"};
    sql += ")";
  }
  sql += " ORDER BY c.first_seq";
  stmt s{db_, sql.c_str()};
  s.bind(1, f.from_ns).bind(2, f.to_ns);
  int i = 3;
  for (const auto& [kind, key] : keys) {
    s.bind(i++, kind);
    s.bind(i++, key);
  }
  std::vector<chunk_row> out;
  while (s.step() == SQLITE_ROW) {
    chunk_row r;
    r.segment = s.i64(0);
    r.file = s.text(1);
    r.info.offset = s.u64(2);
    r.info.length = static_cast<std::uint32_t>(s.i64(3));
    r.info.records = static_cast<std::uint32_t>(s.i64(4));
    r.info.first_seq = s.u64(5);
    r.info.last_seq = s.u64(6);
    r.info.first_ns = s.i64(7);
    r.info.last_ns = s.i64(8);
    out.push_back(std::move(r));
  }
  return out;
}

} // namespace kis::runtime
