// A scripted realtime_source for the WebSocket tests: symbols 000001.. with a two-level book,
// trades handed over once when the test adds them. Nextrade trades the odd-numbered symbols
// (their NXT book is the KRX one); the combined book is the KRX one.
#pragma once

#include <cstdio>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "sim/ws_server.hpp"

namespace kis::sim::test {

// The market as the tests script it: trades are handed over once, books on demand.
class fake_source final : public realtime_source {
public:
  explicit fake_source(std::size_t symbols) {
    for (std::size_t i = 1; i <= symbols; ++i) {
      char code[8];
      std::snprintf(code, sizeof code, "%06zu", i);
      order_book b;
      b.symbol = code;
      b.asks = {{70100, 10}, {70200, 20}};
      b.bids = {{70000, 30}};
      b.total_ask_qty = 30;
      b.total_bid_qty = 30;
      books_.emplace(code, std::move(b));
    }
  }

  bool known_symbol(std::string_view s) const override {
    std::lock_guard lock{mu_};
    return books_.contains(s);
  }
  std::vector<trade_tick> trades(std::string_view s, market_code m) override {
    std::lock_guard lock{mu_};
    auto it = pending_.find({std::string{s}, m});
    if (it == pending_.end())
      return {};
    return std::exchange(it->second, {});
  }
  order_book book(std::string_view s, market_code m) override {
    std::lock_guard lock{mu_};
    auto it = books_.find(s);
    if (it == books_.end())
      return order_book{};
    auto b = it->second;
    b.market = m;
    if (m == market_code::nxt && (s.back() - '0') % 2 == 0) {
      b.asks.clear(); // Nextrade does not trade the even-numbered symbols
      b.bids.clear();
    }
    return b;
  }

  // n trades, each at an instant of its own, or all at one instant (a sweep).
  void add_trades(const std::string& symbol, std::size_t n, bool same_instant = false,
                  market_code m = market_code::krx) {
    std::lock_guard lock{mu_};
    auto& q = pending_[{symbol, m}];
    for (std::size_t i = 0; i < n; ++i) {
      trade_tick t;
      t.symbol = symbol;
      t.exchange_ns = 1'785'000'000'000'000'000 + static_cast<std::int64_t>(++clock_) * 1'000'000;
      if (same_instant && i > 0)
        t.exchange_ns = q.back().exchange_ns;
      t.price = 70100 + static_cast<std::int64_t>(i) * 100;
      t.change = 600;
      t.sign = price_sign::up;
      t.qty = static_cast<std::int64_t>(i) + 1;
      t.acc_volume = 1000 + t.qty;
      t.open = t.high = t.low = 69500;
      t.side = i % 2 == 0 ? aggressor::buy : aggressor::sell;
      t.market = m;
      q.push_back(t);
    }
  }
  void change_book(const std::string& symbol, std::int64_t ask_qty) {
    std::lock_guard lock{mu_};
    auto& b = books_.at(symbol);
    b.asks.at(0).qty = ask_qty;
    b.total_ask_qty = ask_qty + 20;
  }

private:
  mutable std::mutex mu_;
  std::map<std::string, order_book, std::less<>> books_;
  std::map<std::pair<std::string, market_code>, std::vector<trade_tick>> pending_;
  std::int64_t clock_ = 0;
};

} // namespace kis::sim::test
