// What the recorder keeps of a REST request and of WebSocket control frames, so that no
// recording ever holds an app key, secret, access token, approval key or a notice AES key:
// request headers are never looked at (tr_id aside), parameters are kept only when their name
// is known to be harmless, OAuth answers lose their secrets, subscribe acks lose output.key/iv,
// and the engine's subscribe requests (which carry the approval key) shrink to what they asked.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kis/http_transport.hpp"
#include "messages/rest.hpp"

namespace kis::runtime::recording {

struct request_summary {
  std::string endpoint; // kis/endpoints.hpp name; "unknown" for a path not in the table
  std::string tr_id;
  std::vector<kis::field> params; // values of names not on the harmless list are "*"
  bool oauth = false;             // tokenP, revokeP, Approval, hashkey: no parameters kept
};

// Runs on the caller's thread; parses the query string (GET) or the JSON body (POST).
request_summary summarize_request(const api::http_request& req);

// True for a parameter whose value may be recorded (symbols, dates, order fields, paging keys).
bool harmless_param(std::string_view name) noexcept;

// An OAuth answer reduced to its harmless fields (token_type, expires_in, expiry, error code and
// text). Every secret it held (access_token, approval_key, HASH) is appended to `found`, so the
// recorder can scrub it wherever else it might appear.
std::string redact_oauth_body(std::string_view body, std::vector<std::string>& found);

// A server frame as it may be recorded: a control JSON whose body.output carries key/iv (the
// subscribe ack of an encrypted TR) comes back with both emptied; anything else unchanged.
std::string redact_ws_frame(std::string_view text);

// {"tr_type":"1","tr_id":"H0STCNT0","tr_key":"005930"} for the engine's register/unregister
// request; nullopt when the text is not one.
std::optional<std::string> summarize_ws_request(std::string_view text);

} // namespace kis::runtime::recording
