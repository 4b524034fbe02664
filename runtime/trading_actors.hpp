// Spawns the trading actors from their configuration, given the gateway and the feed:
// one order executor, N analyzers sharing the symbols, one strategy host per [[strategy]].
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include <caf/expected.hpp>
#include <caf/fwd.hpp>

#include "actors/trading/trading_config.hpp"
#include "messages/interfaces.hpp"
#include "runtime/lifetime.hpp"

namespace kis {

struct trading_actors {
  order_executor_actor executor;
  // The same actor when spawn_trading_actors spawned it (drain, stop); null when the executor
  // belongs to another node (the core).
  order_executor_impl_actor owned_executor;
  std::vector<analyzer_actor> analyzers;
  std::vector<strategy_actor> strategies;
  std::vector<std::string> strategy_ids;
  std::vector<bool> trading;                   // per strategy: may it send orders in this mode
  std::map<std::string, std::size_t> owner_of; // symbol -> index into analyzers
};

// What the runtime prints at the end of a run.
struct trading_summary {
  executor_summary executor;
  std::uint64_t symbols_ws = 0;
  std::uint64_t symbols_polled = 0;
  std::vector<metric_point> analyzers;  // every analyzer's status
  std::vector<metric_point> strategies; // every host's status
};

// The symbols of every strategy plus cfg.symbols, split into cfg.analyzers groups. Config
// errors (unknown strategy, bad params, empty journal path) come back as errc::config before
// anything is spawned. feed may be null.
caf::expected<trading_actors> spawn_trading_actors(caf::actor_system& sys, trading_config cfg,
                                                   rest_gateway_actor gateway, ws_feed_actor feed);

// The same analyzers and strategy hosts around an executor that already exists, e.g. the core
// node's one behind io::remote_actor. cfg.executor is not used. The trading actors do not own that
// executor: collect_trading_summary only asks its status and own_trading_actors leaves it out.
caf::expected<trading_actors> spawn_trading_actors(caf::actor_system& sys, trading_config cfg,
                                                   market_data_actor gateway, ws_feed_actor feed,
                                                   order_executor_actor executor);

// Blocking (for the runtime's main thread, never inside an actor): drains the executor when
// drain is true and they own it, otherwise asks its status, and gathers every
// analyzer's and host's figures.
trading_summary collect_trading_summary(caf::actor_system& sys, const trading_actors& p, bool drain,
                                        std::chrono::milliseconds timeout);

// Hands every actor of the set to the owner that stops them (the executor only when the set
// owns it).
void own_trading_actors(runtime::actor_owner& owner, const trading_actors& p);

} // namespace kis
