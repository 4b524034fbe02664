// Moving-average crossover: buy when the fast SMA of bar closes crosses above the slow one,
// sell the position when it crosses back below. One position per symbol, one order at a time.
// params: fast (5), slow (20), qty (1), slippage_ticks (1: price through the last close so the
// limit order is marketable).
#include <deque>
#include <map>
#include <numeric>

#include "strategies/position_book.hpp"
#include "strategies/registry.hpp"

namespace kis {
namespace {

class ma_cross final : public strategy {
public:
  void on_start(strategy_params& p) override {
    fast_ = static_cast<std::size_t>(std::max<std::int64_t>(1, p.get<std::int64_t>("fast", 5)));
    slow_ = static_cast<std::size_t>(std::max<std::int64_t>(static_cast<std::int64_t>(fast_) + 1,
                                                            p.get<std::int64_t>("slow", 20)));
    qty_ = std::max<std::int64_t>(1, p.get<std::int64_t>("qty", 1));
    ticks_ = std::max<std::int64_t>(0, p.get<std::int64_t>("slippage_ticks", 1));
  }

  void on_bar(const market_event& ev) override {
    auto& s = series_[ev.symbol];
    s.closes.push_back(ev.last_bar.close);
    if (s.closes.size() > slow_)
      s.closes.pop_front();
    if (s.closes.size() < slow_)
      return;
    auto diff = mean(s.closes, fast_) - mean(s.closes, slow_);
    int sign = diff > 0 ? 1 : (diff < 0 ? -1 : 0);
    int before = s.last_sign;
    if (sign != 0)
      s.last_sign = sign;
    if (before == 0 || sign == 0 || sign == before || book_.pending(ev.symbol))
      return;
    auto held = book_.qty(ev.symbol);
    if (sign > 0 && held <= 0)
      send(ev, side::buy, qty_, "fast SMA crossed above slow");
    else if (sign < 0 && held > 0)
      send(ev, side::sell, held, "fast SMA crossed below slow");
  }

  void on_order_update(const order_update& up) override { book_.apply(up); }

private:
  struct series {
    std::deque<std::int64_t> closes;
    int last_sign = 0;
  };

  static double mean(const std::deque<std::int64_t>& xs, std::size_t n) {
    auto sum = std::accumulate(xs.end() - static_cast<std::ptrdiff_t>(n), xs.end(), 0.0);
    return sum / static_cast<double>(n);
  }

  void send(const market_event& ev, side dir, std::int64_t qty, const char* why) {
    auto px = marketable_price(ev.last_bar.close, dir, ticks_);
    if (px <= 0)
      return;
    if (emit(limit_order(ev.symbol, dir, qty, px, why)))
      book_.sent(ev.symbol);
  }

  std::size_t fast_ = 5;
  std::size_t slow_ = 20;
  std::int64_t qty_ = 1;
  std::int64_t ticks_ = 1;
  std::map<std::string, series> series_;
  position_book book_;
};

} // namespace
} // namespace kis

KIS_REGISTER_EXAMPLE_STRATEGY("ma_cross", kis::ma_cross)
