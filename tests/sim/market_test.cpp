// The synthetic market: determinism per seed, the KRX grid, daily limits, history and trades.
#include <gtest/gtest.h>

#include <memory>
#include <map>
#include <set>

#include "sim/market.hpp"

namespace {

using namespace std::chrono_literals;
using kis::sim::market;

std::shared_ptr<kis::manual_wall_clock> fixed_clock() {
  return std::make_shared<kis::manual_wall_clock>(); // 2026-01-01 00:00 UTC, a Thursday
}

std::vector<std::int64_t> path(market& m, const std::string& symbol, int steps) {
  std::vector<std::int64_t> out;
  for (int i = 0; i < steps; ++i) {
    m.step(1);
    out.push_back(m.last_price(symbol));
  }
  return out;
}

TEST(SimMarket, TickTableMatchesKrx) {
  using kis::sim::tick_size;
  EXPECT_EQ(tick_size(1'999), 1);
  EXPECT_EQ(tick_size(2'000), 5);
  EXPECT_EQ(tick_size(4'995), 5);
  EXPECT_EQ(tick_size(5'000), 10);
  EXPECT_EQ(tick_size(19'990), 10);
  EXPECT_EQ(tick_size(20'000), 50);
  EXPECT_EQ(tick_size(49'950), 50);
  EXPECT_EQ(tick_size(50'000), 100);
  EXPECT_EQ(tick_size(199'900), 100);
  EXPECT_EQ(tick_size(200'000), 500);
  EXPECT_EQ(tick_size(499'500), 500);
  EXPECT_EQ(tick_size(500'000), 1'000);
  EXPECT_EQ(kis::sim::tick_down(2'000), 1'999);
  EXPECT_EQ(kis::sim::tick_up(1'999), 2'000);
  EXPECT_EQ(kis::sim::tick_down(50'000), 49'950);
  EXPECT_EQ(kis::sim::tick_up(50'000), 50'100);
  EXPECT_TRUE(kis::sim::on_tick(49'950));
  EXPECT_FALSE(kis::sim::on_tick(49'960));
  EXPECT_EQ(kis::sim::floor_to_tick(70'150), 70'100);
  EXPECT_EQ(kis::sim::ceil_to_tick(70'150), 70'200);
}

TEST(SimMarket, LimitsAreThirtyPercentOnTheGrid) {
  EXPECT_EQ(kis::sim::upper_limit(70'000), 91'000);
  EXPECT_EQ(kis::sim::lower_limit(70'000), 49'000);
  EXPECT_EQ(kis::sim::upper_limit(10'010), 13'010); // 13013 floored to the 10-won grid
  EXPECT_EQ(kis::sim::lower_limit(10'010), 7'010);  // 7007 ceiled to the 10-won grid
  EXPECT_TRUE(kis::sim::on_tick(kis::sim::upper_limit(333'333)));
}

TEST(SimMarket, DefaultUniverseIsTheWholeMarketWithSixDigitCodes) {
  auto u = kis::sim::default_universe();
  ASSERT_EQ(u.size(), kis::sim::universe_size);
  std::set<std::string> unique(u.begin(), u.end());
  EXPECT_EQ(unique.size(), u.size());
  for (const auto& s : u) {
    ASSERT_EQ(s.size(), 6u) << s;
    EXPECT_TRUE(std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }));
  }
  EXPECT_EQ(u.front(), "005930"); // liquid large caps first, in a stable order
  EXPECT_EQ(u[1], "000660");
}

TEST(SimMarket, SameSeedSamePricesWhateverTheQueryOrder) {
  market a{{}, 7, fixed_clock(), 250ms}, b{{}, 7, fixed_clock(), 250ms},
      c{{}, 8, fixed_clock(), 250ms};
  auto pa = path(a, "005930", 500);
  b.step(250); // b looks at the symbol only half way and at the end
  b.last_price("005930");
  b.step(250);
  EXPECT_EQ(b.last_price("005930"), pa.back());
  EXPECT_EQ(a.info("000660").base_price, b.info("000660").base_price);
  EXPECT_NE(path(c, "005930", 500), pa);
}

TEST(SimMarket, PricesStayOnTheGridInsideTheBand) {
  market m{{"005930", "000660", "035720"}, 3, fixed_clock(), 250ms};
  for (const auto& s : m.symbols()) {
    const auto base = m.info(s).base_price;
    for (auto p : path(m, s, 5'000)) {
      ASSERT_TRUE(kis::sim::on_tick(p)) << s << " " << p;
      ASSERT_LE(p, kis::sim::upper_limit(base));
      ASSERT_GE(p, kis::sim::lower_limit(base));
    }
    auto q = m.quote(s);
    EXPECT_EQ(q.tick_size, kis::sim::tick_size(q.price));
    EXPECT_EQ(q.change, q.price - base);
    EXPECT_LE(q.low, q.price);
    EXPECT_GE(q.high, q.price);
  }
}

TEST(SimMarket, WallClockMovesTheMarket) {
  auto clock = fixed_clock();
  market m{{"005930"}, 1, clock, 250ms};
  EXPECT_EQ(m.current_step(), 0);
  clock->advance(1s);
  EXPECT_EQ(m.current_step(), 4);
  m.step(6);
  EXPECT_EQ(m.current_step(), 10);
}

TEST(SimMarket, TradesSinceACursorComeOnceInOrder) {
  market m{{"005930"}, 1, fixed_clock(), 250ms, 0.0}; // no bursts: one print a step
  std::int64_t cursor = m.current_step();
  EXPECT_TRUE(m.trades_since("005930", cursor).empty());
  m.step(5);
  auto t = m.trades_since("005930", cursor);
  ASSERT_EQ(t.size(), 5u);
  for (std::size_t i = 1; i < t.size(); ++i) {
    EXPECT_GT(t[i].exchange_ns, t[i - 1].exchange_ns);
    EXPECT_EQ(t[i].acc_volume, t[i - 1].acc_volume + t[i].qty);
  }
  EXPECT_TRUE(m.trades_since("005930", cursor).empty());
  EXPECT_EQ(t.back().price, m.last_price("005930"));
}

// Prints per instant over `steps` steps of 005930 (which prints on every step).
std::map<std::int64_t, int> prints_per_instant(market& m, std::int64_t steps) {
  std::int64_t cursor = m.current_step();
  std::vector<kis::trade_tick> t;
  for (std::int64_t done = 0; done < steps; done += 50) { // well inside the kept trades
    m.step(50);
    auto more = m.trades_since("005930", cursor);
    t.insert(t.end(), more.begin(), more.end());
  }
  std::map<std::int64_t, int> out;
  for (std::size_t i = 0; i < t.size(); ++i) {
    ++out[t[i].exchange_ns];
    if (i > 0) {
      EXPECT_EQ(t[i].acc_volume, t[i - 1].acc_volume + t[i].qty);
    }
  }
  return out;
}

TEST(SimMarket, ABurstPrintsSeveralTradesAtOneInstant) {
  auto late_morning = fixed_clock();
  late_morning->advance(2h); // 11:00 KST
  market m{{"005930"}, 1, late_morning, 250ms, 0.5};
  const auto per_instant = prints_per_instant(m, 400);
  int bursts = 0;
  for (auto [at, n] : per_instant) {
    EXPECT_LE(n, 4) << "outside the open and the close a burst is 2-4 prints";
    bursts += n > 1 ? 1 : 0;
  }
  EXPECT_EQ(per_instant.size(), 400u);
  EXPECT_GT(bursts, 150); // about half of them
  EXPECT_LT(bursts, 250);
}

TEST(SimMarket, BurstsAreLargerAndMoreFrequentAtTheOpen) {
  market m{{"005930"}, 1, fixed_clock(), 250ms, 0.3}; // 09:00 KST
  const auto per_instant = prints_per_instant(m, 400);
  int bursts = 0, largest = 0;
  for (auto [at, n] : per_instant) {
    bursts += n > 1 ? 1 : 0;
    largest = std::max(largest, n);
  }
  EXPECT_GT(bursts, 200); // twice the share: 60 % of 400
  EXPECT_GT(largest, 4);
  EXPECT_LE(largest, 8);
}

TEST(SimMarket, KeptTradesAreBounded) {
  market m{{"005930"}, 1, fixed_clock(), 250ms, 0.0};
  std::int64_t cursor = m.current_step();
  m.step(static_cast<std::int64_t>(market::kept_trades) * 3);
  auto t = m.trades_since("005930", cursor);
  EXPECT_EQ(t.size(), market::kept_trades); // a long-idle cursor skips ahead
  EXPECT_EQ(t.back().price, m.last_price("005930"));
}

TEST(SimMarket, BookHasTenLevelsAroundTheLastTrade) {
  market m{{"005930"}, 1, fixed_clock(), 250ms};
  m.step(10);
  auto b = m.book("005930");
  ASSERT_EQ(b.asks.size(), 10u);
  ASSERT_EQ(b.bids.size(), 10u);
  EXPECT_GT(b.asks[0].price, b.bids[0].price);
  for (std::size_t i = 1; i < 10; ++i) {
    if (b.asks[i].price != 0) {
      EXPECT_GT(b.asks[i].price, b.asks[i - 1].price);
    }
    if (b.bids[i].price != 0) {
      EXPECT_LT(b.bids[i].price, b.bids[i - 1].price);
    }
  }
}

TEST(SimMarket, HistoryIsWeekdaysNewestFirstEndingAtTheBase) {
  market m{{"005930"}, 1, fixed_clock(), 250ms};
  auto today = m.session_date();
  EXPECT_EQ(today, 20260101);
  auto bars = m.bars("005930", 20250101, 20251231, 'D');
  ASSERT_GT(bars.size(), 250u);
  EXPECT_EQ(bars.front().date, 20251231);
  EXPECT_EQ(bars.front().close, m.info("005930").base_price);
  for (std::size_t i = 1; i < bars.size(); ++i) {
    EXPECT_LT(bars[i].date, bars[i - 1].date);
    EXPECT_LE(bars[i].low, std::min(bars[i].open, bars[i].close));
    EXPECT_GE(bars[i].high, std::max(bars[i].open, bars[i].close));
  }
  EXPECT_EQ(m.bars("005930", 20251227, 20251228, 'D').size(), 0u); // a weekend
  auto weeks = m.bars("005930", 20251201, 20251231, 'W');
  EXPECT_EQ(weeks.size(), 5u);
  auto months = m.bars("005930", 20250101, 20251231, 'M');
  EXPECT_EQ(months.size(), 12u);
}

} // namespace
