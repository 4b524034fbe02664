// The feed's fan-out to market subscribers with flow control. Every tick or book is a request
// whose (empty) reply is the credit back. At most `window` are unanswered per subscriber; past
// that, trades are dropped (counted) and books are conflated to the newest per symbol, sent as
// credit returns. The socket side never waits. (Notices are not sent through here: they are
// never dropped, since they reconcile orders and arrive rarely.)
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include <caf/actor_addr.hpp>

#include "messages/interfaces.hpp"

namespace kis {

class actor_recorder;

class market_fanout {
public:
  // self and rec outlive this object (both belong to the feed that owns it).
  market_fanout(ws_feed_impl_actor::pointer self, actor_recorder& rec)
      : self_(self)
      , rec_(rec) {}

  void set_window(std::uint32_t window) noexcept { window_ = window; }

  bool has(const caf::actor_addr& who) const { return flows_.count(who) != 0; }
  std::size_t size() const noexcept { return flows_.size(); }
  void add(const market_sink_actor& sink);
  void erase(const caf::actor_addr& who) { flows_.erase(who); }

  // Offers a value to one subscriber; false when an older value was dropped to make room.
  // Unknown subscribers are skipped.
  bool offer(const caf::actor_addr& who, const trade_tick& t);
  bool offer(const caf::actor_addr& who, const order_book& b);

  // Tells a subscriber that `symbol` gained (true) or lost (false) its WebSocket slot.
  void tell_slot(const caf::actor_addr& who, const std::string& symbol, bool on_ws);

private:
  struct sink_flow {
    market_sink_actor hdl;
    std::uint32_t in_flight = 0;
    std::map<std::string, order_book> conflated;
  };

  template <class T>
  void push(sink_flow& f, const T& value);

  ws_feed_impl_actor::pointer self_;
  actor_recorder& rec_;
  std::uint32_t window_ = 0;
  std::map<caf::actor_addr, sink_flow> flows_;
};

} // namespace kis
