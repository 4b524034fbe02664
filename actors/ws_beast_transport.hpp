// The feed's real transport: kis::ws::client (Beast) behind the ws_transport interface.
// Apart from ws_feed.cpp so the feed's logic reads without the client's plumbing.
#pragma once

#include "actors/ws_feed.hpp"

namespace kis {

// Makes one Beast session per call, on cfg.url with cfg.connect_timeout.
ws_transport_factory beast_transport_factory(const ws_feed_config& cfg);

} // namespace kis
