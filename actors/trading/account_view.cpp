#include "actors/trading/account_view.hpp"

#include <cmath>
#include <cstdlib>

namespace kis {

std::uint32_t account_view::reconcile(const balance& b) {
  std::uint32_t differ = 0;
  std::map<std::string, std::int64_t> kis_shares;
  for (const auto& h : b.holdings)
    if (h.qty != 0)
      kis_shares[h.symbol] = h.qty;
  if (known_) {
    if (std::llabs(cash_ - b.deposit) > 1)
      ++differ;
    for (const auto& [sym, qty] : kis_shares)
      if (shares(sym) != qty)
        ++differ;
    for (const auto& [sym, qty] : shares_)
      if (qty != 0 && kis_shares.count(sym) == 0)
        ++differ;
  }
  cash_ = b.deposit;
  shares_ = std::move(kis_shares);
  known_ = true;
  disagreements_ += differ;
  return differ;
}

void account_view::fill(const std::string& symbol, side dir, std::int64_t qty, std::int64_t price) {
  const auto amount = qty * price;
  if (dir == side::buy) {
    cash_ -= amount;
    shares_[symbol] += qty;
  } else {
    cash_ += amount;
    shares_[symbol] -= qty;
  }
}

void account_view::hold(const std::string& symbol, side dir, std::int64_t qty,
                        std::int64_t notional) {
  if (dir == side::buy)
    held_cash_ += notional;
  else
    held_shares_[symbol] += qty;
}

void account_view::release(const std::string& symbol, side dir, std::int64_t qty,
                           std::int64_t notional) {
  if (dir == side::buy)
    held_cash_ -= notional;
  else
    held_shares_[symbol] -= qty;
}

std::int64_t account_view::shares(const std::string& symbol) const {
  auto it = shares_.find(symbol);
  return it == shares_.end() ? 0 : it->second;
}

coverage account_view::buy(std::int64_t notional) const {
  if (!known_)
    return coverage::ask_kis;
  const auto free = static_cast<double>(free_cash());
  if (static_cast<double>(notional) <= free * (1.0 - margin_))
    return coverage::covered;
  if (static_cast<double>(notional) > free * (1.0 + margin_))
    return coverage::uncovered;
  return coverage::ask_kis;
}

coverage account_view::sell(const std::string& symbol, std::int64_t qty) const {
  if (!known_)
    return coverage::ask_kis;
  auto held = held_shares_.find(symbol);
  const auto free = shares(symbol) - (held == held_shares_.end() ? 0 : held->second);
  return qty <= free ? coverage::covered : coverage::uncovered;
}

} // namespace kis
