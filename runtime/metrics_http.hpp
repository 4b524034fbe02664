// The /metrics endpoint: a tiny HTTP/1.1 server on loopback, on a thread of its own, that
// serves the latest snapshot as Prometheus text (/metrics) and JSON (/metrics.json).
//
// The handoff is one std::atomic<std::shared_ptr<const metrics_snapshot>>: the metrics actor
// publishes an immutable snapshot through update() on every collect tick, the server thread
// loads it per request. No actor is ever asked anything from here, and nothing is shared
// mutably. This header is asio-free; Beast lives in metrics_http.cpp only, with no CAF.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "messages/metrics.hpp"

namespace kis {

class metrics_server {
public:
  // Binds 127.0.0.1:port (0 = an ephemeral port; see port()) and starts serving.
  // Throws std::system_error when the port cannot be bound.
  explicit metrics_server(std::uint16_t port);
  ~metrics_server(); // stops and joins
  metrics_server(const metrics_server&) = delete;
  metrics_server& operator=(const metrics_server&) = delete;

  // The port actually bound.
  std::uint16_t port() const noexcept;
  // "http://127.0.0.1:<port>" for logs and for `kis-engine metrics --url`.
  std::string url() const;

  // Thread-safe: the next request serves this snapshot.
  void update(std::shared_ptr<const metrics_snapshot> snap);
  std::shared_ptr<const metrics_snapshot> latest() const;

  // Idempotent; the destructor calls it.
  void stop();

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace kis
