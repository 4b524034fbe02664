// The recording decorators: the runtime wraps the concrete transports with these when a
// recorder runs, so the actors stay as they are. REST: every exchange's response body with its
// endpoint and the request's harmless parameters (OAuth answers without their secrets, which
// are handed to the recorder to scrub). WebSocket: every received frame as it came (subscribe
// acks without output.key/iv), what the feed registered, and the session's up/down events.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "kis/endpoints.hpp"
#include "runtime/config.hpp"
#include "runtime/recorder.hpp"
#include "runtime/transports.hpp"

namespace kis::runtime {

std::shared_ptr<rest_transport> recording_rest_transport(std::shared_ptr<rest_transport> inner,
                                                         std::shared_ptr<recorder> rec);

ws_tap recording_ws_tap(std::shared_ptr<recorder> rec);

// The recorder of a `run`, per [recorder] enabled (auto: paper and live record, sim does not):
// null when this run does not record. The first record notes the mode, environment and symbols
// (replay reads them back); the app key and secret are registered as secrets to scrub.
api::result<std::shared_ptr<recorder>> open_run_recorder(const engine_config& cfg,
                                                         api::environment env,
                                                         const api::credentials& cred,
                                                         const std::vector<std::string>& symbols);

// "recording <dir>: N records in M chunks, X MiB (raw Y MiB), D dropped".
std::string format_recorder_summary(const recorder& rec);

} // namespace kis::runtime
