// The HTTP client of the engine: libcurl multi driven by one thread that the transport owns,
// so callers (the rest_gateway actor) never block a scheduler thread. Connections are kept
// alive and reused across calls (KIS answers on a handful of hosts), timeouts are bounded and
// TLS is verified unless a test turns it off.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "kis/endpoints.hpp"
#include "messages/rest.hpp"

namespace kis::api {

// A misbehaving server must not be able to fill our memory: a body larger than this (KIS's
// largest pages are tens of KB) ends the call with a transport error, whether it was announced
// by Content-Length (refused before it is read) or streamed in chunks (cut at the cap). A
// trickling server is ended by transport_options::total_timeout.
inline constexpr std::size_t max_response_body = 16u << 20;

struct http_request {
  http_method method = http_method::get;
  std::string url;                 // absolute, query string included
  std::vector<kis::field> headers; // sent verbatim; an empty value is sent as an empty header
  std::string body;                // POST only
  std::uint64_t call_id = 0;       // echoed in the exchange
  // A request that has not begun to leave by then (no free connection, a connect that takes
  // too long) never leaves: it ends with exchange.late and nothing sent. Zero: no deadline.
  std::chrono::steady_clock::time_point leave_by{};
  // Called once, on the transport thread, just before the request's first byte is written to
  // its connection (libcurl's pre-request callback): the moment the call is spent.
  std::function<void()> on_leave;
};

struct transport_options {
  std::chrono::milliseconds connect_timeout{3000};
  std::chrono::milliseconds total_timeout{10000}; // the whole call, however slow the answer
  bool verify_tls = true;
  std::string ca_file; // PEM bundle; empty = the system store
  long max_host_connections = 8;
  bool keep_alive = true; // false: a fresh connection per call (benchmark baseline)
};

class http_transport {
public:
  // Runs on the transport thread: keep it short and never call perform() from it.
  using completion = std::function<void(kis::http_exchange)>;

  explicit http_transport(transport_options opts = {});
  ~http_transport(); // fails calls still in flight ("transport shut down"), then joins
  http_transport(const http_transport&) = delete;
  http_transport& operator=(const http_transport&) = delete;

  // Thread-safe and non-blocking: queues the call and wakes the transport thread.
  void submit(http_request req, completion done);

  // Blocking convenience for tools and tests: submit and wait for the exchange.
  kis::http_exchange perform(http_request req);

  // TCP connections opened so far (keep-alive reuse shows as fewer connections than calls).
  std::uint64_t connections_opened() const noexcept;

  const transport_options& options() const noexcept;

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace kis::api
