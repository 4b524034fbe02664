// An analyzer owns a group of symbols. Per symbol it takes real-time trades from ws_feed, or,
// when the feed has no slot left (ws_cap_reached) or there is no feed, polls inquire-price
// through the gateway: at most one poll in flight per symbol, the next one only after the
// answer plus the interval, and a doubled interval (up to poll_max_interval) while the
// gateway answers rate_limited, so polling follows what the governor grants. It loads daily
// history on start, keeps rolling bars and incremental indicators, and publishes
// market_events to the strategies that follow each symbol.
#pragma once

#include <caf/fwd.hpp>

#include "actors/trading/trading_config.hpp"
#include "messages/interfaces.hpp"

namespace kis {

// feed may be null (every symbol is polled).
analyzer_actor spawn_analyzer(caf::actor_system& sys, analyzer_config cfg,
                              market_data_actor gateway, ws_feed_actor feed);

} // namespace kis
