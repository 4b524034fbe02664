// The parts of the engine's wiring that `run` (runtime/engine.cpp) and `node`
// (runtime/cluster.cpp) share: CAF's configuration, the trading configuration built from the
// engine's, and the trading part of the summary.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <caf/actor_system_config.hpp>

#include "kis/result.hpp"
#include "runtime/trading_actors.hpp"
#include "runtime/budget_plan.hpp"
#include "runtime/config.hpp"
#include "runtime/lifetime.hpp"

namespace kis::runtime {

// Every message type registered (so any actor may live on another node), two workers at least.
struct caf_config : caf::actor_system_config {
  caf_config();
};

// The configured strategies; in sim mode without any [[strategy]] table, both examples on the
// first symbols, tuned to trade within a short demo run.
std::vector<strategy_entry> strategies_to_run(const engine_config& cfg,
                                              const std::vector<std::string>& symbols);

// hts_id: the execution-notice registration key (empty: fills are polled).
// Where the order journal of this configuration lives ([executor] journal, or one file per mode
// under data_dir).
std::string journal_path(const engine_config& cfg);

// The embedded simulator is a new exchange on every run: a journal left by an earlier run
// describes orders and positions this one never had, so it is moved aside (to
// <journal>.previous) instead of being restored. errc::io when that fails.
std::optional<api::api_error> retire_sim_journal(const engine_config& cfg);

trading_config make_trading_config(const engine_config& cfg, const std::string& hts_id,
                                   std::vector<std::string> symbols, const budget_plan& plan);
// The run's calendar (holidays from KIS) and the market's clock (the simulator's with a
// [sim] start) for the executor, the analyzers and the strategy hosts.
void use_market_time(trading_config& p, std::shared_ptr<const sessions::calendar> calendar,
                     std::shared_ptr<const wall_clock> clock, double speed = 1.0);

// The symbols to watch: the configured list, else the first symbol_count of the backend's
// universe (the simulator's); every strategy's symbols are watched too.
std::vector<std::string> watched_symbols(const engine_config& cfg,
                                         const std::vector<std::string>& universe);

// "asked for N symbols, the market has M": symbol_count is larger than the universe it picks
// from (never a silent cap). nullopt when it fits or symbols are named.
std::optional<std::string> symbol_shortfall(const engine_config& cfg,
                                            const std::vector<std::string>& universe);

// How many distinct symbols the strategies that will run follow (they alone need history).
std::size_t strategy_symbol_count(const engine_config& cfg,
                                  const std::vector<std::string>& symbols);

std::string format_trading_summary(const trading_summary& s, std::size_t watched);

} // namespace kis::runtime
