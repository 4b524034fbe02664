// The order executor: the single consumer of signals (order_executor_actor in messages/).
// A bounded priority queue, pre-trade risk, a journal written before every send, and
// reconciliation of unknown outcomes through inquire-daily-ccld and execution notices.
//
// The rule for an unknown outcome (the gateway says outcome_unknown, or no answer came): the
// order is never sent again by the engine. The executor asks inquire-daily-ccld up to
// reconcile_attempts times (reconcile_interval apart) and listens to the notices meanwhile;
// an order that shows up there (same symbol, side, quantity and price, placed no earlier than
// a minute before our intent, not already claimed) is adopted with its ODNO; one that never
// shows up is journaled as rejected ("not placed") and its strategy is told, so that any new
// attempt is a fresh, deliberate signal.
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
