// Hosts one strategy instance in its own actor (strategy_actor): market events and the
// strategy's own order updates go in, emitted signals go to the order executor. A refusal
// comes back to the strategy as an order_update with status rejected and the reason.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include <caf/expected.hpp>
#include <caf/fwd.hpp>

#include "actors/trading/trading_config.hpp"
#include "kis/sessions.hpp"
#include "messages/interfaces.hpp"
#include "strategies/strategy.hpp"

namespace kis {

struct strategy_host_config {
  std::string id;
  bool trade = true; // false: watch only, every signal is answered "not trading" locally
  // The executor answers every signal at once; no answer within this is "executor
  // unreachable" (a distinct status), never a false "rejected".
  std::chrono::milliseconds ack_timeout{10000};
  std::chrono::milliseconds signal_ttl{0}; // an accepted signal not sent by then expires; 0 = never
  venue default_venue = venue::unset;
  std::shared_ptr<const wall_clock> clock; // null = system
  // Session events (on_session) for KRX and Nextrade; null: none.
  std::shared_ptr<const sessions::calendar> calendar;
  std::chrono::milliseconds session_check{1000}; // the longest wait between calendar looks
};

// Creates the named strategy from the registry and runs its on_start with the params;
// errc::config for an unknown name, a wrong parameter type or an unknown parameter.
caf::expected<std::shared_ptr<strategy>> make_strategy(const strategy_config& cfg);

// Spawns the host; it registers itself with the executor (follow_atom, id).
strategy_actor spawn_strategy_host(caf::actor_system& sys, std::shared_ptr<strategy> st,
                                   strategy_host_config cfg, order_executor_actor executor);

} // namespace kis
