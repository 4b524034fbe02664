// The only TU of the engine's real-time client that includes Beast. Every handler runs on the
// one I/O thread, so the state below needs no strand and no lock; public calls post onto it.
#include "kis/ws_client.hpp"

#include <charconv>
#include <deque>
#include <thread>
#include <utility>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket.hpp>

namespace kis::api {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;

result<ws_endpoint> parse_ws_url(std::string_view url) {
  constexpr std::string_view scheme = "ws://";
  if (url.substr(0, scheme.size()) != scheme)
    return make_api_error(errc::config, "WebSocket URL must start with ws://");
  url.remove_prefix(scheme.size());
  ws_endpoint ep;
  auto slash = url.find('/');
  if (slash != std::string_view::npos) {
    ep.path = std::string{url.substr(slash)};
    url = url.substr(0, slash);
  }
  auto colon = url.rfind(':');
  if (colon == std::string_view::npos || colon == 0)
    return make_api_error(errc::config, "WebSocket URL needs host:port");
  ep.host = std::string{url.substr(0, colon)};
  auto port = url.substr(colon + 1);
  auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), ep.port);
  if (ec != std::errc{} || p != port.data() + port.size() || ep.port == 0)
    return make_api_error(errc::config, "WebSocket URL has a bad port");
  return ep;
}

class ws_client::impl {
public:
  impl(ws_client_options opts, ws_client_callbacks cbs, std::uint64_t session)
      : opts_(std::move(opts))
      , cbs_(std::move(cbs))
      , session_(session) {}

  void start() {
    resolver_.async_resolve(opts_.target.host, std::to_string(opts_.target.port),
                            [this](beast::error_code ec, tcp::resolver::results_type r) {
                              if (ec)
                                return fail("resolve: " + ec.message());
                              on_resolve(r);
                            });
    thread_ = std::thread{[this] { ioc_.run(); }};
  }

  // Owner side: cut everything, let the aborted handlers run, join.
  void stop() {
    net::post(ioc_, [this] { abort(); });
    guard_.reset();
    if (thread_.joinable())
      thread_.join();
  }

  void enqueue(bool pong, std::string payload) {
    net::post(ioc_, [this, pong, p = std::move(payload)]() mutable {
      if (done_)
        return;
      queue_.push_back({pong, std::move(p)});
      if (open_)
        write_next();
    });
  }

  void close() {
    net::post(ioc_, [this] {
      if (done_ || closing_)
        return;
      closing_ = true;
      if (!open_)
        return abort();
      ws_.async_close(websocket::close_code::normal, [this](beast::error_code ec) {
        fail(ec ? "close: " + ec.message() : std::string{"closed by client"});
      });
    });
  }

private:
  struct outgoing {
    bool pong;
    std::string payload;
  };

  void on_resolve(const tcp::resolver::results_type& results) {
    auto& tcp_layer = beast::get_lowest_layer(ws_);
    tcp_layer.expires_after(opts_.connect_timeout);
    tcp_layer.async_connect(results, [this](beast::error_code ec, const tcp::endpoint&) {
      if (ec)
        return fail("connect: " + ec.message());
      // From here the WebSocket timeouts apply; the feed's watchdog judges silence.
      beast::get_lowest_layer(ws_).expires_never();
      websocket::stream_base::timeout t{};
      t.handshake_timeout = opts_.connect_timeout;
      t.idle_timeout = websocket::stream_base::none();
      t.keep_alive_pings = false;
      ws_.set_option(t);
      ws_.auto_fragment(false);
      ws_.read_message_max(max_ws_frame_bytes);
      const auto& path = opts_.target.path.empty() ? opts_.default_path : opts_.target.path;
      ws_.async_handshake(opts_.target.host + ":" + std::to_string(opts_.target.port), path,
                          [this](beast::error_code hec) {
                            if (hec)
                              return fail("handshake: " + hec.message());
                            open_ = true;
                            if (cbs_.on_open)
                              cbs_.on_open(session_);
                            read();
                            write_next();
                          });
    });
  }

  void read() {
    ws_.async_read(buffer_, [this](beast::error_code ec, std::size_t) {
      if (ec == websocket::error::message_too_big)
        return fail("read: a frame larger than " + std::to_string(max_ws_frame_bytes >> 20) +
                    " MiB (the server misbehaves)");
      if (ec)
        return fail(ec == websocket::error::closed ? "closed by server" : "read: " + ec.message());
      auto text = beast::buffers_to_string(buffer_.data());
      buffer_.consume(buffer_.size());
      if (cbs_.on_text)
        cbs_.on_text(session_, std::move(text));
      read();
    });
  }

  // One write at a time; pong control frames share the queue so they never overlap a write.
  void write_next() {
    if (writing_ || queue_.empty() || done_ || closing_)
      return;
    writing_ = true;
    auto& front = queue_.front();
    auto on_written = [this](beast::error_code ec, auto&&...) {
      writing_ = false;
      if (done_)
        return; // the session ended while this write was in flight
      if (ec)
        return fail("write: " + ec.message());
      queue_.pop_front();
      write_next();
    };
    if (front.pong) {
      ws_.async_pong(websocket::ping_data{front.payload.substr(0, 125)}, on_written);
    } else {
      ws_.text(true);
      ws_.async_write(net::buffer(front.payload), on_written);
    }
  }

  void abort() {
    resolver_.cancel();
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().close(ignored);
    fail("closed by owner");
  }

  void fail(std::string reason) {
    open_ = false;
    if (done_)
      return;
    done_ = true; // the queue stays: a write in flight may still read its front
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().close(ignored);
    if (cbs_.on_close)
      cbs_.on_close(session_, std::move(reason));
  }

  ws_client_options opts_;
  ws_client_callbacks cbs_;
  std::uint64_t session_;
  net::io_context ioc_{1};
  net::executor_work_guard<net::io_context::executor_type> guard_{ioc_.get_executor()};
  tcp::resolver resolver_{ioc_};
  websocket::stream<beast::tcp_stream> ws_{ioc_};
  beast::flat_buffer buffer_;
  std::deque<outgoing> queue_;
  bool open_ = false;
  bool writing_ = false;
  bool closing_ = false;
  bool done_ = false;
  std::thread thread_;
};

ws_client::ws_client(ws_client_options opts, ws_client_callbacks cbs, std::uint64_t session)
    : session_(session)
    , impl_(std::make_shared<impl>(std::move(opts), std::move(cbs), session)) {
  impl_->start();
}

ws_client::~ws_client() {
  impl_->stop();
}

void ws_client::send_text(std::string text) {
  impl_->enqueue(false, std::move(text));
}

void ws_client::send_pong(std::string payload) {
  impl_->enqueue(true, std::move(payload));
}

void ws_client::close() {
  impl_->close();
}

} // namespace kis::api
