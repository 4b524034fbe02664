#include "actors/feed/ws_fanout.hpp"

#include <caf/typed_event_based_actor.hpp>

#include "actors/observability/instrumentation.hpp"

namespace kis {

void market_fanout::add(const market_sink_actor& sink) {
  flows_.try_emplace(sink.address(), sink_flow{sink, 0, {}});
}

void market_fanout::tell_slot(const caf::actor_addr& who, const std::string& symbol, bool on_ws) {
  if (auto it = flows_.find(who); it != flows_.end())
    self_->send(it->second.hdl, slot_atom_v, symbol, on_ws);
}

bool market_fanout::offer(const caf::actor_addr& who, const trade_tick& t) {
  auto it = flows_.find(who);
  if (it == flows_.end())
    return true;
  if (it->second.in_flight >= window_)
    return false;
  push(it->second, t);
  return true;
}

bool market_fanout::offer(const caf::actor_addr& who, const order_book& b) {
  auto it = flows_.find(who);
  if (it == flows_.end())
    return true;
  auto& f = it->second;
  if (f.in_flight < window_ && f.conflated.empty()) {
    push(f, b);
    return true;
  }
  // Not fresh: an older snapshot of the same symbol was never sent.
  return f.conflated.insert_or_assign(b.symbol, b).second;
}

template <class T>
void market_fanout::push(sink_flow& f, const T& value) {
  ++f.in_flight;
  auto who = f.hdl.address();
  auto credit = [this, who] {
    auto it = flows_.find(who);
    if (it == flows_.end())
      return;
    auto& fl = it->second;
    --fl.in_flight;
    while (fl.in_flight < window_ && !fl.conflated.empty()) {
      auto node = fl.conflated.extract(fl.conflated.begin());
      push(fl, node.mapped());
    }
  };
  self_->request(f.hdl, caf::infinite, value)
      .then([this, credit] { credit(); }, [this, credit](caf::error&) { credit(); });
}

} // namespace kis
