// How the engine spends its REST budget, decided once at start from the mode's rate and the
// configuration, so that the same defaults work at paper's 1 call/s and at 18/s: orders first
// (strictly, plus a reserve only where the budget has room for one), polling of symbols
// without a WebSocket slot inside a share of the budget, history only for the symbols a
// strategy follows and from the day's cache when it can. The start log prints it in one line.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "actors/budget/permit_scheduler.hpp"
#include "runtime/config.hpp"

namespace kis::runtime {

struct budget_plan {
  int rate = 18;                           // calls per second
  governor_config governor;                // limits, reserve, lanes, leave deadline
  long connections = 8;                    // HTTP connections the transport may open
  std::size_t symbols = 0;                 // watched
  std::size_t on_websocket = 0;            // expected to hold a WebSocket slot
  std::size_t polled = 0;                  // the rest, polled over REST
  std::chrono::milliseconds poll_interval; // per polled symbol
  int history_days = 120;                  // per followed symbol; 0 = none
  std::size_t history_symbols = 0;         // symbols some strategy follows
  std::string describe() const;            // the start log's one line
};

// history_symbols: how many symbols strategies follow (they alone need daily history).
budget_plan plan_budget(const engine_config& cfg, std::size_t symbols, std::size_t history_symbols,
                        bool notices);

} // namespace kis::runtime
