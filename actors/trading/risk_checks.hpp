// Pre-trade risk as plain functions of a signal and what the executor knows: the last quote,
// the symbol's exposure and the limits. Each refusal is a typed error (risk_refused,
// duplicate) whose message says which rule and which numbers.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include <caf/error.hpp>

#include "actors/trading/trading_config.hpp"
#include "messages/market.hpp"
#include "messages/orders.hpp"

namespace kis {

// What a symbol already holds and has on order.
struct exposure {
  std::int64_t position = 0;
  std::int64_t pending_buy = 0;  // open buy quantity not yet filled
  std::int64_t pending_sell = 0; // open sell quantity not yet filled
};

class risk_checks {
public:
  explicit risk_checks(risk_limits limits)
      : limits_(limits) {}

  // Rules that need nothing but the signal: shape, quantity, tick grid.
  caf::error check_signal(const signal& s) const;

  // Rules that need the market: daily limits, collar, notional, position.
  caf::error check_market(const signal& s, const quote& q, const exposure& e) const;

  // inquire-psbl-order said how much can be bought.
  caf::error check_buyable(const signal& s, const buyable& b) const;

  // The price used for notional: the limit price, or for market-type orders the upper
  // limit (buys, as KIS margins them) or the last price (sells).
  static std::int64_t reference_price(const signal& s, const quote& q);

  const risk_limits& limits() const noexcept { return limits_; }

private:
  risk_limits limits_;
};

// Suppresses an identical signal (strategy, symbol, side, qty, price, kind) seen inside the
// window. Times come from the executor's actor clock.
class duplicate_window {
public:
  using time_point = std::chrono::steady_clock::time_point;
  explicit duplicate_window(std::chrono::milliseconds window)
      : window_(window) {}

  // True when the signal repeats one inside the window; otherwise remembers it.
  bool seen(const signal& s, time_point now);

private:
  static std::string key_of(const signal& s);
  std::chrono::milliseconds window_;
  std::deque<std::pair<time_point, std::string>> recent_; // oldest first
};

// Positions and realised P&L from fills (average-cost accounting; a fill through zero opens
// the other side at the fill price).
class position_ledger {
public:
  void fill(const std::string& symbol, side dir, std::int64_t qty, std::int64_t price);
  std::int64_t qty(const std::string& symbol) const;
  std::int64_t realized() const noexcept { return realized_; }
  std::vector<position> positions() const;

private:
  std::map<std::string, position> by_symbol_;
  std::int64_t realized_ = 0;
};

} // namespace kis
