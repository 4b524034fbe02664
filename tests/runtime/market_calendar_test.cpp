// The run's calendar (issue #14): chk-holiday's answer cached for the KST day it was asked
// (a damaged or older file is asked again, never trusted), and the market's time handed to the
// trading actors (a sped-up simulator's market is looked at as often in its own time).
#include <filesystem>
#include <fstream>
#include <memory>

#include <gtest/gtest.h>

#include "runtime/market_calendar.hpp"
#include "runtime/wiring.hpp"
#include "support/temp_path.hpp"

namespace {

namespace fs = std::filesystem;
using namespace kis::runtime;

kis::market_day day(std::int32_t date, bool open) {
  kis::market_day d;
  d.date = date;
  d.open = open;
  return d;
}

TEST(HolidayCache, ServesTheDayItWasAskedAndNoOther) {
  const auto dir = kis::test::unique_temp_path("kis-holidays");
  fs::create_directories(dir);
  const auto file = holiday_cache_path(dir, kis::api::environment::real);
  EXPECT_FALSE(read_holiday_cache(file, 20261202)) << "no file yet";
  const std::vector<kis::market_day> days{day(20261202, true), day(20261225, false)};
  ASSERT_FALSE(write_holiday_cache(file, 20261202, days));
  auto back = read_holiday_cache(file, 20261202);
  ASSERT_TRUE(back);
  ASSERT_EQ(back->size(), 2u);
  EXPECT_EQ((*back)[1].date, 20261225);
  EXPECT_FALSE((*back)[1].open);
  EXPECT_TRUE((*back)[0].open);
  EXPECT_FALSE(read_holiday_cache(file, 20261203)) << "a new day asks again";
  fs::remove_all(dir);
}

TEST(HolidayCache, ADamagedFileIsAskedAgain) {
  const auto dir = kis::test::unique_temp_path("kis-holidays");
  fs::create_directories(dir);
  const auto file = dir / "holidays-real.txt";
  for (const char* text :
       {"asked 20261202\n", "asked 20261202\n20261225 maybe\n", "asked 20261202\n2026122 Y\n",
        "asked 20261202\n20261225 Y\ntrailing", "20261225 Y\n", ""}) {
    std::ofstream{file, std::ios::trunc} << text;
    EXPECT_FALSE(read_holiday_cache(file, 20261202)) << text;
  }
  fs::remove_all(dir);
}

TEST(MarketTime, ASpedUpMarketIsLookedAtAsOftenInItsOwnTime) {
  // On the heap: g++ 12 sees a false "maybe uninitialized" in the inlined default members.
  auto owned = std::make_unique<kis::trading_config>();
  auto& p = *owned;
  p.analyzer.closed_check = std::chrono::milliseconds{60000};
  auto clock = std::make_shared<kis::manual_wall_clock>();
  auto cal = std::make_shared<const kis::sessions::calendar>(kis::sessions::calendar::year_2026());
  use_market_time(p, cal, clock, 60.0);
  EXPECT_EQ(p.analyzer.closed_check, std::chrono::milliseconds{1000});
  EXPECT_EQ(p.analyzer.calendar, cal);
  EXPECT_EQ(p.executor.venues.calendar, cal);
  EXPECT_EQ(p.analyzer.clock, clock);
  EXPECT_EQ(p.executor.clock, clock);
  auto q_owned = std::make_unique<kis::trading_config>();
  auto& q = *q_owned;
  use_market_time(q, nullptr, clock, 1.0);
  EXPECT_EQ(q.analyzer.closed_check, std::chrono::milliseconds{60000});
  EXPECT_EQ(q.analyzer.calendar, nullptr);
}

} // namespace
