// The order executor: the single consumer of signals (order_executor_actor in messages/).
// It answers every signal at once -- accepted with its client id, or a typed refusal from the
// intake checks -- and reports everything after that as order_updates: queued, journaled,
// sent, filled, cancelled, rejected (by risk with the rule, by KIS with its code), expired
// (not sent within its time to live), unknown while reconciling. Between the two: a bounded
// priority queue, risk checked against its market view (the analyzers' prices) and its account
// view (balance plus its own fills), the journal on its own thread (durable before the order
// leaves), reconciliation of unknown outcomes (see executor_reconcile.cpp).
#pragma once

#include <caf/expected.hpp>
#include <caf/fwd.hpp>

#include "actors/trading/trading_config.hpp"
#include "messages/interfaces.hpp"

namespace kis {

// Opens the journal (errc::config when it cannot), then spawns the executor. feed may be
// null; with a feed and cfg.hts_id the executor subscribes to execution notices, otherwise it
// learns fills by polling inquire-daily-ccld while orders are open.
caf::expected<order_executor_impl_actor> spawn_order_executor(caf::actor_system& sys,
                                                              executor_config cfg,
                                                              rest_gateway_actor gateway,
                                                              ws_feed_actor feed);

} // namespace kis
