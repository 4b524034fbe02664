// The engine's error codes. Plain so that kis/ (no CAF) can use them; errors.hpp makes
// them CAF errors. Classification is by KIS code (msg_cd / error_code), never by HTTP status.
#pragma once

#include <cstdint>
#include <string_view>

namespace kis {

enum class errc : std::uint8_t {
  none = 0,
  rate_limited = 1,      // EGW00201: over the per-second budget
  token_expired = 2,     // EGW00123
  token_invalid = 3,     // EGW00121 / EGW00122
  token_too_soon = 4,    // EGW00133: one issue a minute
  outcome_unknown = 5,   // EGW00301/00302, or the request left and no answer came: reconcile
  rejected = 6,          // business rejection: HTTP 200 with rt_cd != "0"
  transport = 7,         // no connection / nothing sent: safe to retry a query
  malformed = 8,         // a body, frame or file we could not decode
  auth = 9,              // credentials refused (EGW00102..00105, EGW2004, ...)
  not_supported = 10,    // endpoint or tr_id not available in this environment
  invalid_argument = 11, // a request we refused to build
  server_error = 12,     // other gateway/server failures (EGW00001, OPSQ...)
  queue_full = 13,       // back-pressure: the executor's queue is at its bound
  risk_refused = 14,     // pre-trade risk said no
  ws_cap_reached = 15,   // the 41-registration cap of one WebSocket session
  ws_refused = 16,       // the WebSocket server refused a registration (other OPSP codes)
  duplicate = 17,        // a duplicate signal inside the suppression window
  kill_switch = 18,      // trading halted
  shutting_down = 19,    // draining: no new work accepted
  config = 20,           // bad configuration
  cancelled = 21,        // the requester gave up its place (e.g. a rate-governor cancel)
  io = 22,               // a local file could not be read or written (recordings, caches)
  venue_refused = 23,    // the venue cannot take it: paper is KRX only, NXT lists a subset
  session_closed = 24,   // the venue's session now does not take this order (or none is open)
};

constexpr std::string_view to_string_view(errc x) noexcept {
  switch (x) {
  case errc::none:
    return "none";
  case errc::rate_limited:
    return "rate_limited";
  case errc::token_expired:
    return "token_expired";
  case errc::token_invalid:
    return "token_invalid";
  case errc::token_too_soon:
    return "token_too_soon";
  case errc::outcome_unknown:
    return "outcome_unknown";
  case errc::rejected:
    return "rejected";
  case errc::transport:
    return "transport";
  case errc::malformed:
    return "malformed";
  case errc::auth:
    return "auth";
  case errc::not_supported:
    return "not_supported";
  case errc::invalid_argument:
    return "invalid_argument";
  case errc::server_error:
    return "server_error";
  case errc::queue_full:
    return "queue_full";
  case errc::risk_refused:
    return "risk_refused";
  case errc::ws_cap_reached:
    return "ws_cap_reached";
  case errc::ws_refused:
    return "ws_refused";
  case errc::duplicate:
    return "duplicate";
  case errc::kill_switch:
    return "kill_switch";
  case errc::shutting_down:
    return "shutting_down";
  case errc::config:
    return "config";
  case errc::cancelled:
    return "cancelled";
  case errc::io:
    return "io";
  case errc::venue_refused:
    return "venue_refused";
  case errc::session_closed:
    return "session_closed";
  }
  return "unknown";
}

} // namespace kis
