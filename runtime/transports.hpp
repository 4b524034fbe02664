// The concrete transports the runtime injects into the actors: libcurl (kis::api::http_transport)
// behind the REST gateway's seam and the token keeper's OAuth calls, and the Beast WebSocket
// client behind the feed's. The actor rooms only know the seams; tests inject fakes.
#pragma once

#include <memory>
#include <string>

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

// One Beast session per call, on cfg.url with cfg.connect_timeout.
ws_transport_factory beast_transport_factory(const ws_feed_config& cfg);

} // namespace kis
