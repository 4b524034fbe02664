// The concrete transports the runtime injects into the actors: libcurl (kis::api::http_transport)
// behind the REST gateway's seam and the token keeper's OAuth calls, and the Beast WebSocket
// client behind the feed's. The actor rooms only know the seams; tests inject fakes.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "actors/budget/rest_gateway.hpp"
#include "actors/budget/token_keeper.hpp"
#include "actors/feed/ws_feed.hpp"
#include "kis/credentials.hpp"
#include "kis/http_transport.hpp"

namespace kis {

// libcurl multi on the transport's own thread (connection reuse, bounded timeouts).
std::shared_ptr<rest_transport> make_curl_transport(api::transport_options opts);

// The token keeper's way to KIS: tokenP and Approval through the same transport.
oauth_issue_fn make_oauth_issuer(std::shared_ptr<rest_transport> transport, api::environment env,
                                 std::string base_url, api::credentials cred);

// Sees a Beast session's traffic (the recorder): `in` runs on the session's I/O thread before
// the frame goes to the feed, `out` on the caller of send_text, `link` on the I/O thread.
// Each must be quick and must not block; any may be empty.
struct ws_tap {
  std::function<void(std::uint64_t session, const std::string& text)> in;
  std::function<void(std::uint64_t session, const std::string& text)> out;
  std::function<void(std::uint64_t session, std::string_view event)> link;
};

// One Beast session per call, on cfg.url with cfg.connect_timeout.
ws_transport_factory beast_transport_factory(const ws_feed_config& cfg, ws_tap tap = {});

} // namespace kis
