// The whole market kis-sim lists: its size and split, real large caps first with plausible
// prices, the rest spread over every KRX tick band, liquidity that follows size, ~800 NXT names.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "sim/market.hpp"
#include "sim/universe.hpp"

namespace {

using namespace std::chrono_literals;
using kis::sim::instrument;
using kis::sim::listing;
using kis::sim::universe;

TEST(SimUniverse, TheWholeMarketSplitIntoKospiAndKosdaq) {
  const auto& u = universe();
  ASSERT_EQ(u.size(), 2'700u);
  const auto kospi = std::count_if(
      u.begin(), u.end(), [](const instrument& in) { return in.market == listing::kospi; });
  EXPECT_EQ(kospi, 950);
  const auto nxt = std::count_if(u.begin(), u.end(), [](const instrument& in) { return in.nxt; });
  EXPECT_EQ(nxt, 800);
  std::set<std::string> codes;
  for (const auto& in : u)
    codes.insert(in.symbol);
  EXPECT_EQ(codes.size(), u.size());
}

TEST(SimUniverse, LargeCapsComeFirstWithRealCodesAndPlausiblePrices) {
  const auto& u = universe();
  EXPECT_EQ(u[0].symbol, "005930");
  EXPECT_EQ(u[0].name, "삼성전자");
  EXPECT_EQ(u[0].base_price, 70'000);
  EXPECT_EQ(kis::sim::tick_size(u[0].base_price), 100);
  EXPECT_EQ(kis::sim::upper_limit(u[0].base_price), 91'000);
  EXPECT_EQ(u[1].symbol, "000660");
  EXPECT_EQ(u[1].name, "SK하이닉스");
  const auto naver = kis::sim::instrument_for("035420");
  EXPECT_EQ(naver.name, "NAVER");
  EXPECT_GE(naver.base_price, 100'000);
  EXPECT_TRUE(naver.nxt);
  // The first twenty trade on every step: short simulated runs always see prints.
  for (std::size_t i = 0; i < 20; ++i) {
    EXPECT_EQ(u[i].trade_share, 1.0) << u[i].symbol;
    EXPECT_TRUE(u[i].nxt) << u[i].symbol;
  }
}

TEST(SimUniverse, PricesSpreadOverEveryTickBandOnTheGrid) {
  const auto& u = universe();
  std::vector<std::int64_t> prices;
  std::set<std::int64_t> bands;
  for (const auto& in : u) {
    ASSERT_TRUE(kis::sim::on_tick(in.base_price)) << in.symbol << " " << in.base_price;
    prices.push_back(in.base_price);
    bands.insert(kis::sim::tick_size(in.base_price));
  }
  EXPECT_EQ(bands.size(), 7u); // 1, 5, 10, 50, 100, 500, 1000 won
  std::sort(prices.begin(), prices.end());
  const auto median = prices[prices.size() / 2];
  EXPECT_GT(median, 3'000); // most listed shares cost a few thousand won
  EXPECT_LT(median, 15'000);
  const auto below_2000 =
      std::count_if(prices.begin(), prices.end(), [](auto p) { return p < 2'000; });
  EXPECT_GT(below_2000, 100);
  EXPECT_LT(below_2000, 800);
}

TEST(SimUniverse, LiquidityFollowsSizeAndNxtTakesTheLargest) {
  const auto& u = universe();
  const auto first_synthetic = static_cast<std::size_t>(
      std::find_if(u.begin(), u.end(),
                   [](const instrument& in) { return in.name.rfind("모의종목", 0) == 0; }) -
      u.begin());
  EXPECT_GT(first_synthetic, 50u);
  auto cap = [](const instrument& in) { return in.base_price * in.shares; };
  std::vector<double> shares;
  for (std::size_t i = first_synthetic; i < u.size(); ++i) {
    ASSERT_GE(u[i].trade_share, 0.02);
    ASSERT_LE(u[i].trade_share, 1.0);
    shares.push_back(u[i].trade_share);
    if (i > first_synthetic) {
      ASSERT_GE(cap(u[i - 1]), cap(u[i])) << "synthetic names come by market cap";
    }
  }
  std::sort(shares.begin(), shares.end());
  EXPECT_LT(shares[shares.size() / 2], 0.2); // a typical small cap prints now and then
  EXPECT_TRUE(u[700].nxt);
  EXPECT_FALSE(u[900].nxt);
  EXPECT_FALSE(u.back().nxt);
}

TEST(SimUniverse, TheSameCodesInTheSameOrderWhateverTheSeed) {
  auto clock = std::make_shared<kis::manual_wall_clock>();
  kis::sim::market a{{}, 1, clock, 250ms}, b{{}, 99, clock, 250ms};
  EXPECT_EQ(a.symbols(), b.symbols());
  EXPECT_EQ(a.info("005930").base_price, b.info("005930").base_price);
  EXPECT_NE(kis::sim::instrument_for("123456").name, ""); // a code outside the list still trades
  EXPECT_EQ(kis::sim::instrument_for("123456").trade_share, 1.0);
}

} // namespace
