// The executor's market view: prices kept per symbol, fresh while younger than their source's
// validity, a streamed trade's limits derived from its change against the previous close.
#include <gtest/gtest.h>

#include "actors/trading/market_view.hpp"

namespace {

using namespace std::chrono_literals;

kis::price_update streamed(std::string sym, std::int64_t px, std::int64_t change) {
  kis::price_update u;
  u.q.symbol = std::move(sym);
  u.q.price = px;
  u.q.change = change;
  u.valid_for_ns = std::chrono::nanoseconds{30s}.count();
  return u;
}

TEST(MarketView, KeepsEverySymbolOfAStreamUnderItsOwnName) {
  kis::market_view v;
  const auto t = kis::market_view::time_point{} + 1h;
  v.apply(streamed("005930", 70000, 1000), t);
  v.apply(streamed("000660", 200000, -500), t);
  EXPECT_EQ(v.size(), 2u);
  auto a = v.fresh("005930", t + 1s);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->symbol, "005930");
  EXPECT_EQ(a->price, 70000);
  EXPECT_EQ(a->base_price, 69000); // the previous close: price - change
  EXPECT_GT(a->upper_limit, 69000);
  EXPECT_LT(a->lower_limit, 69000);
  auto b = v.fresh("000660", t + 1s);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->price, 200000);
  EXPECT_FALSE(v.fresh("035420", t));
}

TEST(MarketView, APriceGoesStaleAfterItsValidityAndANewerOneReplacesIt) {
  kis::market_view v;
  const auto t = kis::market_view::time_point{} + 1h;
  v.apply(streamed("005930", 70000, 0), t);
  EXPECT_TRUE(v.fresh("005930", t + 30s));
  EXPECT_FALSE(v.fresh("005930", t + 31s));
  v.apply(streamed("005930", 70100, 0), t + 31s);
  auto q = v.fresh("005930", t + 32s);
  ASSERT_TRUE(q);
  EXPECT_EQ(q->price, 70100);
  kis::quote polled;
  polled.symbol = "005930";
  polled.price = 70200;
  v.apply_quote(polled, 5s, t + 40s);
  EXPECT_EQ(v.fresh("005930", t + 44s)->price, 70200);
  EXPECT_FALSE(v.fresh("005930", t + 46s));
  EXPECT_EQ(v.size(), 1u);
}

} // namespace
