// An execution tester, not a trading idea: it sends `count` small limit buys priced
// `offset_ticks` below the market so they rest on the book (a negative offset prices them that
// many ticks through the market instead, so they fill), to exercise the order path (budget,
// journal, reconciliation after a crash) against a simulator or a paper account. With
// distinct_qty each order's quantity is qty + n, so the exchange's own order list shows any
// order sent twice. It sends on price events of its symbols, `per_event` at a time (0: all
// at the first price) and at most one every `interval_ms` (0: no pause), round robin over the
// symbols that have a price.
// params: count (10), qty (1), distinct_qty (true), offset_ticks (10), per_event (0),
// interval_ms (0).
#include <algorithm>
#include <map>

#include "strategies/position_book.hpp"
#include "strategies/registry.hpp"

namespace kis {
namespace {

class exec_tester final : public strategy {
public:
  void on_start(strategy_params& p) override {
    count_ = std::max<std::int64_t>(0, p.get<std::int64_t>("count", 10));
    qty_ = std::max<std::int64_t>(1, p.get<std::int64_t>("qty", 1));
    distinct_ = p.get<bool>("distinct_qty", true);
    offset_ = p.get<std::int64_t>("offset_ticks", 10);
    per_event_ = std::max<std::int64_t>(0, p.get<std::int64_t>("per_event", 0));
    interval_ns_ = std::max<std::int64_t>(0, p.get<std::int64_t>("interval_ms", 0)) * 1'000'000;
  }

  void on_tick(const market_event& ev) override { on_price(ev); }
  void on_quote(const market_event& ev) override { on_price(ev); }

private:
  void on_price(const market_event& ev) {
    auto ref = offset_ >= 0 ? (ev.bid > 0 ? ev.bid : ev.price) : ev.price;
    if (ref <= 0)
      return;
    prices_[ev.symbol] = ref;
    if (interval_ns_ > 0) {
      if (now_ns() - last_sent_ns_ < interval_ns_)
        return;
      last_sent_ns_ = now_ns();
    }
    auto budget = per_event_ == 0 ? count_ : per_event_;
    for (; budget > 0 && sent_ < count_; --budget) {
      auto it = prices_.begin();
      std::advance(it,
                   static_cast<std::ptrdiff_t>(sent_ % static_cast<std::int64_t>(prices_.size())));
      auto qty = distinct_ ? qty_ + sent_ : qty_;
      if (!emit(limit_order(it->first, side::buy, qty, below(it->second),
                            "exec_tester " + std::to_string(sent_ + 1))))
        return;
      ++sent_;
    }
  }

  // `offset_` ticks under `price` on the KRX grid, or through it when the offset is negative.
  std::int64_t below(std::int64_t price) const {
    if (offset_ < 0)
      return marketable_price(price, side::buy, -offset_);
    auto p = price - price % krx_tick_size(price);
    for (std::int64_t i = 0; i < offset_ && p > krx_tick_size(p); ++i)
      p -= krx_tick_size(p - 1);
    return p;
  }

  std::int64_t count_ = 10;
  std::int64_t qty_ = 1;
  bool distinct_ = true;
  std::int64_t offset_ = 10;
  std::int64_t per_event_ = 0;
  std::int64_t interval_ns_ = 0;
  std::int64_t last_sent_ns_ = 0;
  std::int64_t sent_ = 0;
  std::map<std::string, std::int64_t> prices_;
};

} // namespace
} // namespace kis

KIS_REGISTER_STRATEGY("exec_tester", kis::exec_tester)
