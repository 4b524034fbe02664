// Opening-range breakout: the first `range_bars` bars of the day set a high and a low; the
// first trade above the high buys, and the position is sold when the price falls back below
// the low (stop) or rises target_pct above the entry (take profit). One entry per symbol a day.
// params: range_bars (15), qty (1), target_pct (2.0), slippage_ticks (1).
#include <algorithm>
#include <map>

#include "strategies/position_book.hpp"
#include "strategies/registry.hpp"

namespace kis {
namespace {

constexpr std::int64_t ns_per_day = 86'400'000'000'000;
constexpr std::int64_t kst_offset_ns = 9 * 3'600'000'000'000;

// Days since the epoch in Seoul: the trading day a bar or trade belongs to.
constexpr std::int64_t kst_day(std::int64_t utc_ns) noexcept {
  return (utc_ns + kst_offset_ns) / ns_per_day;
}

class orb final : public strategy {
public:
  void on_start(strategy_params& p) override {
    range_bars_ = std::max<std::int64_t>(1, p.get<std::int64_t>("range_bars", 15));
    qty_ = std::max<std::int64_t>(1, p.get<std::int64_t>("qty", 1));
    target_pct_ = p.get<double>("target_pct", 2.0);
    ticks_ = std::max<std::int64_t>(0, p.get<std::int64_t>("slippage_ticks", 1));
  }

  void on_bar(const market_event& ev) override {
    auto& r = day_of(ev.symbol, ev.last_bar.start_ns);
    if (r.bars >= range_bars_)
      return;
    r.high = r.bars == 0 ? ev.last_bar.high : std::max(r.high, ev.last_bar.high);
    r.low = r.bars == 0 ? ev.last_bar.low : std::min(r.low, ev.last_bar.low);
    ++r.bars;
  }

  void on_tick(const market_event& ev) override { on_price(ev); }
  void on_quote(const market_event& ev) override { on_price(ev); }

  void on_order_update(const order_update& up) override {
    book_.apply(up);
    if (up.dir == side::buy && up.last_fill_qty > 0)
      ranges_[up.symbol].entry = up.avg_fill_price;
  }

private:
  struct range {
    std::int64_t day = -1;
    std::int64_t bars = 0;
    std::int64_t high = 0;
    std::int64_t low = 0;
    std::int64_t entry = 0;
    bool entered = false;
  };

  range& day_of(const std::string& symbol, std::int64_t ns) {
    auto& r = ranges_[symbol];
    if (auto d = kst_day(ns); d != r.day) {
      auto entry = r.entry; // a position carried over keeps its entry price
      r = range{};
      r.day = d;
      r.entry = entry;
    }
    return r;
  }

  void on_price(const market_event& ev) {
    if (ev.price <= 0 || book_.pending(ev.symbol))
      return;
    auto& r = day_of(ev.symbol, ev.exchange_ns != 0 ? ev.exchange_ns : ev.received_ns);
    if (r.bars < range_bars_)
      return;
    auto held = book_.qty(ev.symbol);
    if (held <= 0 && !r.entered && ev.price > r.high) {
      r.entered = true;
      send(ev, side::buy, qty_, "broke above the opening range");
    } else if (held > 0 && ev.price < r.low) {
      send(ev, side::sell, held, "fell below the opening range");
    } else if (held > 0 && r.entry > 0 &&
               static_cast<double>(ev.price) >=
                   static_cast<double>(r.entry) * (1.0 + target_pct_ / 100.0)) {
      send(ev, side::sell, held, "take profit");
    }
  }

  void send(const market_event& ev, side dir, std::int64_t qty, const char* why) {
    auto px = marketable_price(ev.price, dir, ticks_);
    if (px > 0 && emit(limit_order(ev.symbol, dir, qty, px, why)))
      book_.sent(ev.symbol);
  }

  std::int64_t range_bars_ = 15;
  std::int64_t qty_ = 1;
  double target_pct_ = 2.0;
  std::int64_t ticks_ = 1;
  std::map<std::string, range> ranges_;
  position_book book_;
};

} // namespace
} // namespace kis

KIS_REGISTER_EXAMPLE_STRATEGY("orb", kis::orb)
