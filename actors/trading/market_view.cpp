#include "actors/trading/market_view.hpp"

#include "messages/orders.hpp"

namespace kis {

void market_view::apply(const price_update& u, time_point now) {
  if (u.q.symbol.empty() || u.q.price <= 0)
    return;
  auto q = u.q;
  if ((q.upper_limit == 0 || q.lower_limit == 0)) {
    // A streamed trade carries the change against the previous close: the base of the band.
    const auto base = q.base_price > 0 ? q.base_price : q.price - q.change;
    const auto band = krx_price_band(base);
    q.base_price = base;
    q.upper_limit = band.upper;
    q.lower_limit = band.lower;
  }
  // Not by_symbol_[q.symbol] = entry{std::move(q), ...}: the right side is evaluated first
  // (C++17), so the key would be the moved-from, empty symbol.
  auto& slot = by_symbol_[q.symbol];
  slot = entry{std::move(q), now, std::chrono::nanoseconds{u.valid_for_ns}};
}

void market_view::apply_quote(const quote& q, std::chrono::nanoseconds max_age, time_point now) {
  if (q.symbol.empty() || q.price <= 0)
    return;
  by_symbol_[q.symbol] = entry{q, now, max_age};
}

std::optional<quote> market_view::fresh(const std::string& symbol, time_point now) const {
  auto it = by_symbol_.find(symbol);
  if (it == by_symbol_.end() || now - it->second.at > it->second.valid_for)
    return std::nullopt;
  return it->second.q;
}

} // namespace kis
