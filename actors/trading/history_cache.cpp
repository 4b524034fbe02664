#include "actors/trading/history_cache.hpp"

#include <sstream>

#include <caf/actor_system.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/trading/sqlite_statement.hpp"

namespace kis {

namespace {

constexpr const char* schema = R"sql(
CREATE TABLE IF NOT EXISTS daily_history (
  symbol TEXT PRIMARY KEY,
  as_of INTEGER NOT NULL,
  days INTEGER NOT NULL,
  bars TEXT NOT NULL
);
)sql";

// One bar per line: start_ns open high low close volume.
std::string encode(const std::vector<bar>& bars) {
  std::ostringstream os;
  for (const auto& b : bars)
    os << b.start_ns << ' ' << b.open << ' ' << b.high << ' ' << b.low << ' ' << b.close << ' '
       << b.volume << '\n';
  return os.str();
}

std::vector<bar> decode(const std::string& symbol, const std::string& text) {
  std::vector<bar> out;
  std::istringstream is{text};
  bar b;
  b.symbol = symbol;
  b.seconds = 86'400;
  while (is >> b.start_ns >> b.open >> b.high >> b.low >> b.close >> b.volume)
    out.push_back(b);
  return out;
}

} // namespace

api::result<std::unique_ptr<history_cache>> history_cache::open(const std::string& path) {
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) {
    std::string why = db != nullptr ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return api::make_api_error(errc::config, "history cache " + path + ": " + why);
  }
  std::unique_ptr<history_cache> out{new history_cache(db)};
  char* msg = nullptr;
  if (sqlite3_exec(db, schema, nullptr, nullptr, &msg) != SQLITE_OK) {
    std::string why = msg != nullptr ? msg : "schema";
    sqlite3_free(msg);
    return api::make_api_error(errc::config, "history cache " + path + ": " + why);
  }
  return out;
}

history_cache::~history_cache() {
  sqlite3_close(db_);
}

history_snapshot history_cache::load(std::int32_t as_of, std::int32_t days) const {
  history_snapshot out;
  sqlite_statement st{db_, "SELECT symbol, bars FROM daily_history WHERE as_of = ? AND days >= ?"};
  if (!st.ok())
    return out;
  st.bind(1, std::int64_t{as_of}).bind(2, std::int64_t{days});
  while (st.step() == SQLITE_ROW) {
    auto sym = st.text(0);
    auto bars = decode(sym, st.text(1));
    if (bars.size() > static_cast<std::size_t>(days))
      bars.erase(bars.begin(), bars.end() - days);
    out.emplace(std::move(sym), std::move(bars));
  }
  return out;
}

std::optional<api::api_error> history_cache::store(const daily_history& h) {
  sqlite_statement st{db_, "INSERT OR REPLACE INTO daily_history (symbol, as_of, days, bars) "
                           "VALUES (?, ?, ?, ?)"};
  if (!st.ok() || st.bind(1, h.symbol)
                          .bind(2, std::int64_t{h.as_of})
                          .bind(3, std::int64_t{h.days})
                          .bind(4, encode(h.bars))
                          .step() != SQLITE_DONE)
    return api::make_api_error(errc::config, std::string{"history cache: "} + sqlite3_errmsg(db_));
  return std::nullopt;
}

history_store_actor spawn_history_store(caf::actor_system& sys,
                                        std::shared_ptr<history_cache> cache) {
  return sys.spawn<caf::detached>(
      [cache](history_store_actor::pointer) -> history_store_actor::behavior_type {
        return {
            [cache](const daily_history& h) {
              // A failed write only costs a history call on the next start.
              (void)cache->store(h);
            },
        };
      });
}

} // namespace kis
