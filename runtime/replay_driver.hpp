// The deterministic replay driver. It runs the engine's own actors (rate governor, token
// keeper, REST gateway, WebSocket feed, analyzers, strategy hosts, order executor) on CAF's
// test coordinator, one message at a time on this thread, with a virtual clock: the wall clock
// the actors read and CAF's timer clock both move only when the driver moves them, to the next
// recorded record or the next timer, whichever is first. The seams get the replay venue's
// transports (replay_venue.hpp). Same records and same config give the same messages in the
// same order, hence the same order log, fills and P&L; the run ends with their digest.
// docs/design-notes.md explains why the test coordinator and not a driver of our own.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <limits>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "actors/trading/order_journal.hpp"
#include "kis/endpoints.hpp"
#include "runtime/config.hpp"
#include "runtime/replay_source.hpp"
#include "runtime/replay_venue.hpp"

namespace kis::runtime {

// Prices of every watched symbol at one virtual instant (the backtest's equity curve).
struct mark_sample {
  std::int64_t at_ns = 0;
  std::map<std::string, std::int64_t> prices;
};

struct replay_setup {
  engine_config cfg;                             // analyzers, strategies, executor, budget, feed
  api::environment env = api::environment::real; // the recorded environment
  std::vector<std::string> symbols;              // watched
  std::int64_t start_ns = 0;                     // virtual start; 0 = the first record's time
  std::int64_t end_ns = std::numeric_limits<std::int64_t>::max(); // no record after this
  double speed = 0;              // 0 = as fast as possible, N = N times real time
  std::filesystem::path out_dir; // journal, orders.csv, fills.csv, summary.txt
  bool session_rules = false;
  std::set<std::string> ws_symbols; // see venue_options
  std::int64_t initial_cash = 100'000'000;
  std::chrono::milliseconds settle{5000};  // virtual time after the last record before draining
  std::chrono::milliseconds mark_every{0}; // 0 = no mark samples
  std::ostream* progress = nullptr;        // "\r..." lines while it runs; null = silent
  int metrics_port = -1; // >= 0: the metrics actor runs and serves /metrics (replay_* series)
  std::string label = "replay";
  // The chart answers of a bar backtest: called when the venue has nothing recorded.
  std::function<const rec::record*(const std::string& key, std::int64_t now_ns)> extra_answers;
  // The feed's watchdog resolution; bar backtests raise it (nights are long and empty).
  std::chrono::milliseconds feed_tick{1000};
};

struct replay_result {
  bool ok = false;
  std::string error;  // when !ok
  std::string digest; // SHA-256 of orders.csv, fills.csv and the P&L line
  std::vector<journal_entry> orders;
  std::vector<journal_fill> fills;
  std::int64_t realized_pnl = 0;
  std::vector<mark_sample> marks;
  std::vector<std::string> problems; // damaged chunks: "file @ offset: what"
  venue_stats venue;
  std::uint64_t records = 0;              // records read from the source
  std::uint64_t trades = 0;               // trade records printed to the fill model
  std::uint64_t messages = 0;             // actor messages processed
  std::int64_t first_ns = 0, last_ns = 0; // virtual time covered
  double wall_seconds = 0;
};

replay_result run_replay(replay_setup setup, record_source& source);

// The text the digest covers (its SHA-256 is the run's digest).
std::string orders_csv(const std::vector<journal_entry>& orders);
std::string fills_csv(const std::vector<journal_fill>& fills);

} // namespace kis::runtime
