// A tiny helper for strategies: net position and pending orders per symbol, kept from the
// strategy's own order updates. Header-only, API-level (messages/ only).
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "messages/orders.hpp"

namespace kis {

class position_book {
public:
  // Call from on_order_update; returns true when the update ended an order.
  bool apply(const order_update& up) {
    auto& s = by_symbol_[up.symbol];
    if (up.last_fill_qty > 0)
      s.qty += up.dir == side::buy ? up.last_fill_qty : -up.last_fill_qty;
    bool final = up.status == order_status::filled || up.status == order_status::cancelled ||
                 up.status == order_status::rejected;
    if (final && s.pending > 0)
      --s.pending;
    return final;
  }
  void sent(const std::string& symbol) { ++by_symbol_[symbol].pending; }
  std::int64_t qty(const std::string& symbol) const {
    auto i = by_symbol_.find(symbol);
    return i != by_symbol_.end() ? i->second.qty : 0;
  }
  bool pending(const std::string& symbol) const {
    auto i = by_symbol_.find(symbol);
    return i != by_symbol_.end() && i->second.pending > 0;
  }

private:
  struct entry {
    std::int64_t qty = 0;
    int pending = 0;
  };
  std::map<std::string, entry> by_symbol_;
};

// A marketable limit price: `ticks` grid steps through the last price, on the KRX grid
// (stepping one tick at a time, since the grid widens at 2,000, 5,000, ... KRW).
constexpr std::int64_t marketable_price(std::int64_t last, side dir, std::int64_t ticks) noexcept {
  if (last <= 0)
    return 0;
  auto px = last / krx_tick_size(last) * krx_tick_size(last);
  for (std::int64_t i = 0; i < ticks; ++i)
    px = dir == side::buy ? px + krx_tick_size(px) : px - krx_tick_size(px - 1);
  return px > 0 ? px : 0;
}

} // namespace kis
