// A small Beast WebSocket client for the kis-sim WebSocket tests: its own io thread, every
// message it receives queued for the test, PINGPONG answered by echo or pong frame (or not),
// and the register/unregister message a KIS client sends.
#pragma once

#include <condition_variable>
#include <cstdio>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "client_side.hpp"

namespace kis::sim::test {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;

inline constexpr std::string_view key_a = "approval-key-A";
inline constexpr std::string_view key_a2 = "approval-key-A2"; // a second approval key of app key A
inline constexpr std::string_view key_b = "approval-key-B";
inline constexpr std::string_view hts = "simuser";

enum class answer { echo, pong_frame, none };

// A client with its own io thread; everything it receives is queued for the test to take.
class ws_client {
public:
  explicit ws_client(std::uint16_t port, answer mode = answer::echo)
      : ws_(ioc_)
      , mode_(mode) {
    beast::get_lowest_layer(ws_).connect(tcp::endpoint{net::ip::address_v4::loopback(), port});
    beast::get_lowest_layer(ws_).socket().set_option(tcp::no_delay{true});
    ws_.handshake("127.0.0.1:" + std::to_string(port), "/tryitout");
    ws_.text(true);
    read();
    thread_ = std::thread{[this] { ioc_.run(); }};
  }
  ~ws_client() {
    net::post(ioc_, [this] { beast::get_lowest_layer(ws_).close(); });
    thread_.join();
  }

  void send(std::string text) {
    net::post(ioc_, [this, t = std::move(text)]() mutable { queue({false, std::move(t)}); });
  }

  // The next message of any kind.
  std::optional<std::string> next(std::chrono::milliseconds timeout = 3s) {
    std::unique_lock lock{mu_};
    if (!cv_.wait_for(lock, timeout, [&] { return !in_.empty() || closed_; }) || in_.empty())
      return std::nullopt;
    auto m = std::move(in_.front());
    in_.pop_front();
    return m;
  }
  // The next control reply (JSON), skipping data frames and PINGPONG.
  std::optional<boost::json::object> control() {
    while (auto m = next()) {
      if (m->starts_with('{') && !is_ping(*m))
        return boost::json::parse(*m).as_object();
    }
    return std::nullopt;
  }
  // The next data frame for tr_id, split at its first three '|'.
  std::optional<std::vector<std::string>> data(std::string_view tr_id) {
    while (auto m = next()) {
      auto parts = split(*m, '|');
      if (parts.size() == 4 && parts[1] == tr_id)
        return parts;
    }
    return std::nullopt;
  }
  bool wait_closed(std::chrono::milliseconds timeout = 3s) {
    std::unique_lock lock{mu_};
    return cv_.wait_for(lock, timeout, [&] { return closed_; });
  }
  int pings() const {
    std::lock_guard lock{mu_};
    return pings_;
  }

private:
  struct outgoing {
    bool pong = false;
    std::string text;
  };
  static bool is_ping(std::string_view m) {
    return m.starts_with('{') && m.find("\"PINGPONG\"") != std::string_view::npos;
  }

  void read() {
    ws_.async_read(buffer_, [this](beast::error_code ec, std::size_t) {
      std::lock_guard lock{mu_};
      if (ec) {
        closed_ = true;
        cv_.notify_all();
        return;
      }
      auto m = beast::buffers_to_string(buffer_.data());
      buffer_.consume(buffer_.size());
      if (is_ping(m)) {
        ++pings_;
        if (mode_ != answer::none)
          queue({mode_ == answer::pong_frame, m});
      }
      in_.push_back(std::move(m));
      cv_.notify_all();
      read();
    });
  }
  void queue(outgoing o) {
    out_.push_back(std::move(o));
    if (out_.size() == 1)
      write();
  }
  void write() {
    auto done = [this](beast::error_code ec, std::size_t = 0) {
      if (ec)
        return;
      out_.pop_front();
      if (!out_.empty())
        write();
    };
    if (out_.front().pong)
      ws_.async_pong(websocket::ping_data{out_.front().text.substr(0, 125)}, done);
    else
      ws_.async_write(net::buffer(out_.front().text), done);
  }

  net::io_context ioc_;
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  answer mode_;
  std::deque<outgoing> out_; // io thread only
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> in_;
  bool closed_ = false;
  int pings_ = 0;
  std::thread thread_;
};

inline std::string reg(std::string_view key, std::string_view tr_id, std::string_view tr_key,
                       std::string_view tr_type = "1") {
  boost::json::object header{
      {"approval_key", key}, {"custtype", "P"}, {"tr_type", tr_type}, {"content-type", "utf-8"}};
  boost::json::object input{{"tr_id", tr_id}, {"tr_key", tr_key}};
  return boost::json::serialize(
      boost::json::object{{"header", header}, {"body", {{"input", input}}}});
}

inline std::string msg_cd(const std::optional<boost::json::object>& reply) {
  if (!reply)
    return "(no reply)";
  return std::string{reply->at("body").at("msg_cd").as_string()};
}

inline std::string symbol(int i) {
  char code[8];
  std::snprintf(code, sizeof code, "%06d", i);
  return code;
}

} // namespace kis::sim::test
