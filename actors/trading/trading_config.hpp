// Configuration of the trading actors (analyzers, strategy hosts, order executor). Plain
// structs: the runtime fills them from TOML ([analyzers], [executor], [[strategy]]).
#pragma once

#include <chrono>
#include <map>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "actors/trading/history_cache.hpp"
#include "actors/trading/venue_gate.hpp"
#include "kis/clock.hpp"
#include "kis/run_mode.hpp"
#include "strategies/strategy.hpp"

namespace kis {

// One analyzer actor and the symbols it owns ([analyzers]).
struct analyzer_config {
  std::string name = "analyzer";
  std::vector<std::string> symbols;
  std::chrono::milliseconds poll_interval{2000};      // REST polling of symbols without a WS slot
  std::chrono::milliseconds poll_max_interval{30000}; // back-off cap when the budget is short
  std::chrono::milliseconds request_timeout{30000};   // a gateway call may queue for a permit
  // A poll waits as long as the governor's line is: a caller that gives up leaves its call in
  // the line, to be made and its answer lost (at paper's 1 call/s most polls waited past 30 s).
  std::chrono::milliseconds poll_timeout{600000};
  std::int32_t bar_seconds = 60;
  std::int32_t history_days = 120;                   // per followed symbol; 0 = no history request
  std::chrono::milliseconds history_timeout{600000}; // one symbol's history, all its pages
  std::chrono::milliseconds history_retry{30000};    // after a failed history call
  // Today's cached history (read at start) and where fetched history goes; both optional.
  std::shared_ptr<const history_snapshot> history_cache;
  history_store_actor history_store;
  // Where conflated prices go (the order executor), at most once per price_flush per symbol.
  price_sink_actor price_sink;
  std::chrono::milliseconds price_flush{100};
  std::chrono::milliseconds ws_price_valid{30000}; // a streamed price stands this long
  std::int32_t sma_fast = 5;                       // in closed bars
  std::int32_t sma_slow = 20;
  std::int32_t ema_period = 20;
  std::int32_t ws_priority = 0;
  // How often the analyzer tells the feed how active its symbols are (0: never).
  std::chrono::milliseconds interest_interval{0};
  std::shared_ptr<const wall_clock> clock; // dates of the history query; null = system
  // FID_COND_MRKT_DIV_CODE of polled quotes: J (KRX), NX (Nextrade), UN (both combined).
  // The same family on the WebSocket (H0ST.., H0NX.., H0UN..); markets overrides per symbol.
  std::string poll_market = "J";
  std::map<std::string, std::string> markets;
  // Quiet when closed (#14): with a calendar, no polling while none of `venues` is open; the
  // analyzer wakes wake_before the next open, looking again at least every closed_check (a
  // clock may be sped up or jump). Null calendar: always open.
  std::shared_ptr<const sessions::calendar> calendar;
  std::vector<venue> venues{venue::krx, venue::nxt};
  std::chrono::milliseconds wake_before{60000};
  std::chrono::milliseconds closed_check{60000};
};

// Pre-trade limits ([executor]).
struct risk_limits {
  std::int64_t max_order_qty = 1000;
  std::int64_t max_order_notional = 50'000'000; // KRW
  std::int64_t max_position_qty = 5000;         // per symbol, counting open orders
  std::int64_t daily_loss_limit = 5'000'000;    // realised KRW loss that trips the kill switch
  double price_collar_pct = 5.0;                // limit price vs the last price
  bool allow_short = false;                     // sell more than the position holds
};

enum class drain_policy : std::uint8_t { cancel, finish };

struct executor_config {
  std::size_t queue_capacity = 1000;
  std::string journal_path; // SQLite file; required
  risk_limits risk;
  std::chrono::milliseconds dedup_window{2000};
  bool check_buyable = true; // inquire-psbl-order before buys
  drain_policy drain = drain_policy::cancel;
  std::chrono::milliseconds drain_timeout{10000};
  std::size_t max_in_flight = 4;                    // signals between dequeue and KIS's answer
  std::chrono::milliseconds request_timeout{15000}; // an order without answer = unknown outcome
  std::chrono::milliseconds quote_max_age{2000};    // older quotes are fetched again for risk
  std::chrono::milliseconds reconcile_interval{2000};
  std::int32_t reconcile_attempts = 3; // inquire-daily-ccld passes before "never placed"
  std::chrono::milliseconds fill_poll_interval{2000}; // fills by polling when no notices
  std::string hts_id; // execution-notice registration key; empty = poll fills only
  // The account view: the balance read at start (none: the executor reads it itself), how
  // often KIS's balance corrects it (0: never), and how close to the limit a buy must come
  // before inquire-psbl-order is asked (share of the free cash).
  std::optional<balance> initial_account;
  std::chrono::milliseconds balance_refresh{60000};
  double account_margin = 0.1;
  bool journal_detached = true; // false: on the scheduler (deterministic tests)
  // How long an order's later state (sent, filled, ...) may wait to share the next intent's
  // commit: without it an intent arriving just after an answer waits behind that answer's own
  // fsync. A crash inside it loses nothing KIS cannot tell again (see executor_reconcile.cpp).
  std::chrono::milliseconds journal_linger{50};
  std::shared_ptr<const wall_clock> clock; // trading day and timestamps; null = system
  // The environment (paper: KRX only) and the calendar of sessions (null: always open).
  venue_rules venues;
};

// One [[strategy]] table.
struct strategy_config {
  std::string name; // registry name (for a file strategy: a label, the file's stem by default)
  std::string file; // non-empty: a Python file (.py) or module; the registry's file loader
  std::string class_name; // which class of that file; empty: its one kis.Strategy subclass
  std::string id;         // instance id; empty = name
  std::vector<std::string> symbols;
  strategy_params params;
  std::optional<bool> trade;               // unset: see may_trade()
  std::chrono::milliseconds signal_ttl{0}; // accepted but not sent by then: expired; 0 = never
  venue default_venue = venue::unset;      // for signals that name none
};

// The safety rule of the modes: in sim everything configured trades; in paper and live an
// example strategy trades only when its table says trade = true, a user strategy unless it
// says trade = false. (Only configured strategies exist at all, so with none nothing trades.)
constexpr bool may_trade(run_mode mode, bool example, std::optional<bool> trade) noexcept {
  if (trade.has_value())
    return *trade;
  return mode == run_mode::sim || !example;
}

struct trading_config {
  run_mode mode = run_mode::sim;
  std::vector<std::string> symbols; // watched without a strategy too
  std::size_t analyzers = 5;        // symbols are split evenly among this many analyzers
  analyzer_config analyzer;         // template for every analyzer (name and symbols are set)
  executor_config executor;
  std::vector<strategy_config> strategies;
};

} // namespace kis
