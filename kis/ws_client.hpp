// A WebSocket client for KIS's real-time server (plain ws://, no TLS on KIS) on a thread it
// owns. One object is one session: it connects once and reports through callbacks that run on
// its I/O thread. Reconnecting is the owner's decision (make a new client). No CAF here: the
// feed actor bridges the callbacks into messages. Beast stays inside ws_client.cpp.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "kis/result.hpp"

namespace kis::api {

// The largest message the client reads: KIS frames are a few KB (a multi-record trade frame
// stays far below this). A bigger one ends the session (on_close says so) before its payload
// is read, so a hostile server cannot make the client buffer it.
inline constexpr std::size_t max_ws_frame_bytes = 1u << 20;

// Where to connect; "ws://host:port[/path]".
struct ws_endpoint {
  std::string host;
  std::uint16_t port = 0;
  std::string path; // empty: the client's default path
};

result<ws_endpoint> parse_ws_url(std::string_view url);

struct ws_client_options {
  ws_endpoint target;
  std::string default_path = "/tryitout"; // the official runner's path (KIS-PROTOCOL.md §1)
  std::chrono::milliseconds connect_timeout{5000}; // TCP connect plus WebSocket handshake
};

// Called on the client's I/O thread; keep them short (the feed only sends a message).
struct ws_client_callbacks {
  std::function<void(std::uint64_t session)> on_open;
  std::function<void(std::uint64_t session, std::string text)> on_text;
  std::function<void(std::uint64_t session, std::string reason)> on_close; // at most once
};

class ws_client {
public:
  // Starts connecting at once on a new I/O thread.
  ws_client(ws_client_options opts, ws_client_callbacks cbs, std::uint64_t session);
  // Cuts the connection (no close handshake) and joins the I/O thread; quick on every path.
  ~ws_client();

  ws_client(const ws_client&) = delete;
  ws_client& operator=(const ws_client&) = delete;

  // Thread-safe. Frames queue until the handshake completes and go out in order.
  void send_text(std::string text);
  void send_pong(std::string payload); // a WebSocket pong control frame
  void close();                        // graceful close handshake; on_close follows

  std::uint64_t session() const noexcept { return session_; }

  class impl;

private:
  std::uint64_t session_;
  std::shared_ptr<impl> impl_;
};

} // namespace kis::api
