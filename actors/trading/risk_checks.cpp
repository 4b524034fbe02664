#include "actors/trading/risk_checks.hpp"

#include <algorithm>
#include <cmath>

#include "messages/errors.hpp"

namespace kis {
namespace {

caf::error refuse(std::string why) {
  return make_kis_error(errc::risk_refused, std::move(why));
}

bool market_type(order_kind k) noexcept {
  return k == order_kind::market || k == order_kind::best_limit || k == order_kind::top_limit ||
         k == order_kind::ioc_market || k == order_kind::fok_market;
}

std::string num(std::int64_t x) {
  return std::to_string(x);
}

} // namespace

caf::error risk_checks::check_signal(const signal& s) const {
  if (s.symbol.empty())
    return make_kis_error(errc::invalid_argument, "signal without a symbol");
  if (s.qty <= 0)
    return make_kis_error(errc::invalid_argument, "quantity must be positive, got " + num(s.qty));
  if (s.qty > limits_.max_order_qty)
    return refuse("quantity " + num(s.qty) + " over max_order_qty " + num(limits_.max_order_qty));
  if (market_type(s.kind))
    return caf::error{};
  if (s.price <= 0)
    return make_kis_error(errc::invalid_argument, "a limit order needs a price");
  if (auto tick = krx_tick_size(s.price); s.price % tick != 0)
    return refuse("price " + num(s.price) + " is off the KRX tick grid (" + num(tick) + ")");
  return caf::error{};
}

std::int64_t risk_checks::reference_price(const signal& s, const quote& q) {
  if (!market_type(s.kind))
    return s.price;
  if (s.dir == side::buy && q.upper_limit > 0)
    return q.upper_limit;
  return q.price;
}

caf::error risk_checks::check_market(const signal& s, const quote& q, const exposure& e) const {
  if (q.halted)
    return refuse(s.symbol + " is halted");
  if (q.price <= 0)
    return refuse("no last price for " + s.symbol);
  if (!market_type(s.kind)) {
    if (q.upper_limit > 0 && s.price > q.upper_limit)
      return refuse("price " + num(s.price) + " above the daily upper limit " + num(q.upper_limit));
    if (q.lower_limit > 0 && s.price < q.lower_limit)
      return refuse("price " + num(s.price) + " below the daily lower limit " + num(q.lower_limit));
    auto off = std::abs(static_cast<double>(s.price - q.price)) / static_cast<double>(q.price);
    if (off * 100.0 > limits_.price_collar_pct)
      return refuse("price " + num(s.price) + " is " + std::to_string(off * 100.0) +
                    "% from the last price " + num(q.price) + " (collar " +
                    std::to_string(limits_.price_collar_pct) + "%)");
  }
  auto notional = reference_price(s, q) * s.qty;
  if (notional > limits_.max_order_notional)
    return refuse("notional " + num(notional) + " over max_order_notional " +
                  num(limits_.max_order_notional));
  if (s.dir == side::buy) {
    auto after = e.position + e.pending_buy + s.qty;
    if (after > limits_.max_position_qty)
      return refuse("position would reach " + num(after) + ", over max_position_qty " +
                    num(limits_.max_position_qty));
  } else if (!limits_.allow_short) {
    auto free = e.position - e.pending_sell;
    if (s.qty > free)
      return refuse("sell " + num(s.qty) + " exceeds the free position " +
                    num(std::max<std::int64_t>(free, 0)));
  }
  return caf::error{};
}

caf::error risk_checks::check_buyable(const signal& s, const buyable& b) const {
  if (s.dir != side::buy)
    return caf::error{};
  if (b.max_qty_no_margin < s.qty)
    return refuse("buyable quantity " + num(b.max_qty_no_margin) + " < " + num(s.qty) +
                  " (orderable cash " + num(b.orderable_cash) + ")");
  return caf::error{};
}

std::string duplicate_window::key_of(const signal& s) {
  return s.strategy_id + '|' + s.symbol + '|' + std::to_string(static_cast<int>(s.dir)) + '|' +
         std::to_string(s.qty) + '|' + std::to_string(s.price) + '|' +
         std::to_string(static_cast<int>(s.kind));
}

bool duplicate_window::seen(const signal& s, time_point now) {
  while (!recent_.empty() && now - recent_.front().first >= window_)
    recent_.pop_front();
  auto key = key_of(s);
  auto same = [&](const auto& entry) { return entry.second == key; };
  if (std::any_of(recent_.begin(), recent_.end(), same))
    return true;
  recent_.emplace_back(now, std::move(key));
  return false;
}

void position_ledger::fill(const std::string& symbol, side dir, std::int64_t qty,
                           std::int64_t price) {
  auto& p = by_symbol_[symbol];
  p.symbol = symbol;
  p.last_price = price;
  auto signed_qty = dir == side::buy ? qty : -qty;
  if (p.qty == 0 || (p.qty > 0) == (signed_qty > 0)) { // opening or adding
    p.avg_price = (p.avg_price * std::abs(p.qty) + price * qty) / (std::abs(p.qty) + qty);
    p.qty += signed_qty;
    return;
  }
  auto closing = std::min(qty, std::abs(p.qty));
  auto pnl = (price - p.avg_price) * closing * (p.qty > 0 ? 1 : -1);
  p.realized_pnl += pnl;
  realized_ += pnl;
  p.qty += signed_qty;
  if (qty > closing)
    p.avg_price = price;
  else if (p.qty == 0)
    p.avg_price = 0;
}

std::int64_t position_ledger::qty(const std::string& symbol) const {
  auto i = by_symbol_.find(symbol);
  return i != by_symbol_.end() ? i->second.qty : 0;
}

std::vector<position> position_ledger::positions() const {
  std::vector<position> out;
  for (const auto& [sym, p] : by_symbol_)
    out.push_back(p);
  return out;
}

} // namespace kis
