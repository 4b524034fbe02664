// kis-sim's real-time side: a WebSocket server on loopback that speaks KIS's protocol
// (KIS-PROTOCOL.md §6): register/unregister JSON, OPSP control replies, H0STCNT0/H0STASP0
// data frames, AES-encrypted H0STCNI0/H0STCNI9 notices and PINGPONG.
//
// Everything runs on the io_context the simulator owns (one strand); the public calls may come
// from any thread. The Beast plumbing stays in ws_server.cpp so that this header is cheap.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "kis/clock.hpp"
#include "kis/endpoints.hpp"
#include "messages/market.hpp"
#include "messages/orders.hpp"

namespace boost::asio {
class io_context;
} // namespace boost::asio

namespace kis::sim {

// What the server streams: the simulated market, owned by the simulator.
struct realtime_source {
  virtual ~realtime_source() = default;
  virtual bool known_symbol(std::string_view symbol) const = 0;
  // Trades since the previous call for this symbol and market (KRX, Nextrade, or both merged
  // in time order); the server calls it once per push for each (symbol, market) that any
  // session registered, and fans the result out.
  virtual std::vector<kis::trade_tick> trades(std::string_view symbol, market_code m) = 0;
  // A book with no levels means there is none (Nextrade does not trade the symbol).
  virtual kis::order_book book(std::string_view symbol, market_code m) = 0;
};

struct ws_options {
  std::uint16_t port = 0;                        // 0: pick a free port (see ws_server::port())
  api::environment env = api::environment::real; // H0STCNI0 real, H0STCNI9 paper
  std::string hts_id;                            // tr_key accepted for notices
  std::string account_name = "모의투자";         // ACNT_NAME in notices
  // Which app key an approval key was issued for (any stable id of it, never logged), or ""
  // when the REST side never issued it. A session belongs to an app key: any approval key of
  // that app key may register in it, and a second session of the same app key is refused with
  // OPSP8996 and closed. Unset: every key is refused.
  std::function<std::string(std::string_view approval_key)> app_of;
  std::size_t max_registrations = 41; // per session (= per app key), summed over all TRs
  std::chrono::milliseconds push_interval{50};
  std::chrono::milliseconds ping_interval{10'000};
  int unanswered_pings_to_drop = 3; // consecutive unanswered pings before the drop
  bool multi_record = true; // the trades of one market step share a frame (|002|, |004|, ...)
  bool wide_book = true;    // 62-field H0STASP0 as the 2026 live feed (+ KMID_*); false: 59
  std::chrono::milliseconds drop_every{0}; // drop all sessions periodically; 0 = never
  std::size_t max_queued_frames = 8192;    // a client this far behind is dropped
  std::uint64_t seed = 1;                  // iv/key generation
  std::shared_ptr<const kis::wall_clock> clock = kis::default_wall_clock();
};

struct ws_stats {
  std::uint64_t sessions = 0; // open now
  std::uint64_t sessions_total = 0;
  std::uint64_t registrations = 0;               // held now, over all sessions
  std::map<std::string, std::uint64_t> refusals; // by OPSP code
  std::uint64_t frames_sent = 0;                 // data frames (0|.. and 1|..)
  std::uint64_t records_sent = 0;
  std::uint64_t notices_sent = 0;
  std::uint64_t pings_sent = 0;
  std::uint64_t pongs_received = 0;   // text echoes and pong control frames
  std::uint64_t unanswered_pings = 0; // pings still unanswered when the next one was due
  std::uint64_t drops = 0;            // sessions the server closed on purpose
};

class ws_server {
public:
  // Binds 127.0.0.1 and starts accepting; throws std::system_error when the port is taken.
  ws_server(boost::asio::io_context& ioc, realtime_source& source, ws_options opts);
  // Closes everything. Call it on the io thread, after the io_context stopped, or while it
  // runs elsewhere (then it waits for the close to happen there).
  ~ws_server();

  ws_server(const ws_server&) = delete;
  ws_server& operator=(const ws_server&) = delete;

  std::uint16_t port() const noexcept;

  // An order ack or fill for notices registered with notice.hts_id (the configured HTS id
  // when empty), encrypted with each session's notice key.
  void publish_notice(const kis::execution_notice& notice);

  // Cuts every session now, as KIS sometimes does.
  void drop_sessions();

  ws_stats stats() const;

  class impl;

private:
  std::shared_ptr<impl> impl_;
};

} // namespace kis::sim
