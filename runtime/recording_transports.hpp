// The recording decorators: the runtime wraps the concrete transports with these when a
// recorder runs, so the actors stay as they are. REST: every exchange's response body with its
// endpoint and the request's harmless parameters (OAuth answers without their secrets, which
// are handed to the recorder to scrub). WebSocket: every received frame as it came (subscribe
// acks without output.key/iv), what the feed registered, and the session's up/down events.
#pragma once

#include <memory>

#include "runtime/recorder.hpp"
#include "runtime/transports.hpp"

namespace kis::runtime {

std::shared_ptr<rest_transport> recording_rest_transport(std::shared_ptr<rest_transport> inner,
                                                         std::shared_ptr<recorder> rec);

ws_tap recording_ws_tap(std::shared_ptr<recorder> rec);

} // namespace kis::runtime
