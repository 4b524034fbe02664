// Daily history on disk, per symbol and trading day (SQLite in data_dir), so a restart on the
// same day issues no history call: at paper's 1 call/s, sixty symbols of history cost a
// minute of the budget. The runtime reads the day's snapshot before the analyzers start (on its
// own thread); fetched history is written by a detached actor, never on a scheduler thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <caf/fwd.hpp>

#include "kis/result.hpp"
#include "messages/interfaces.hpp"

struct sqlite3;

namespace kis {

// symbol -> daily bars (oldest first) fetched on one trading day.
using history_snapshot = std::map<std::string, std::vector<bar>>;

class history_cache {
public:
  // Opens or creates the cache file; errc::config when it cannot.
  static api::result<std::unique_ptr<history_cache>> open(const std::string& path);
  ~history_cache();
  history_cache(const history_cache&) = delete;
  history_cache& operator=(const history_cache&) = delete;

  // Everything fetched on as_of for at least `days` days (trimmed to the last `days`).
  history_snapshot load(std::int32_t as_of, std::int32_t days) const;
  // Replaces the symbol's entry. errc::config with SQLite's message on failure.
  std::optional<api::api_error> store(const daily_history& h);

private:
  explicit history_cache(::sqlite3* db)
      : db_(db) {}
  ::sqlite3* db_;
};

// A detached actor (its own thread) that stores what the analyzers fetched.
history_store_actor spawn_history_store(caf::actor_system& sys,
                                        std::shared_ptr<history_cache> cache);

} // namespace kis
