#include <gtest/gtest.h>

#include "kis/kst.hpp"

namespace {

using namespace kis::api;
using namespace std::chrono;

std::int64_t utc_ns(sys_days d, hours h, minutes m = {}, seconds s = {}) {
  return duration_cast<nanoseconds>((d + h + m + s).time_since_epoch()).count();
}

TEST(Kst, ExpiryStringIsKoreanWallClock) {
  // KIS-PROTOCOL.md §2.1: "2025-02-05 13:39:00" equals the JWT exp 2025-02-05 04:39:00 UTC.
  auto t = kst::parse_datetime("2025-02-05 13:39:00");
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(*t, utc_ns(sys_days{2025y / February / 5}, 4h, 39min));
}

TEST(Kst, EarlyMorningKstIsPreviousUtcDay) {
  auto t = kst::parse_datetime("2023-12-22 08:16:59");
  ASSERT_TRUE(t);
  EXPECT_EQ(*t, utc_ns(sys_days{2023y / December / 21}, 23h, 16min, 59s));
  EXPECT_EQ(kst::date_of(*t), 20231222);
  EXPECT_EQ(kst::time_of(*t), "081659");
  EXPECT_EQ(kst::format_datetime(*t), "2023-12-22 08:16:59");
}

TEST(Kst, AStartTimeMayOmitTheSeconds) {
  auto t = kst::parse_datetime("2026-03-10 19:30");
  ASSERT_TRUE(t);
  EXPECT_EQ(*t, utc_ns(sys_days{2026y / March / 10}, 10h, 30min));
  EXPECT_FALSE(kst::parse_datetime("2026-03-10 19:3x"));
  EXPECT_FALSE(kst::parse_datetime("2026-03-10T19:30"));
}

TEST(Kst, DateAndTimeFieldsCombine) {
  auto t = kst::parse_date_time("20260724", "115214");
  ASSERT_TRUE(t);
  EXPECT_EQ(*t, utc_ns(sys_days{2026y / July / 24}, 2h, 52min, 14s));
  auto midnight = kst::parse_date_time("20260724");
  ASSERT_TRUE(midnight);
  EXPECT_EQ(*midnight, utc_ns(sys_days{2026y / July / 23}, 15h));
}

TEST(Kst, RejectsMalformedText) {
  for (auto bad : {"", "2025-02-05", "2025-02-05T13:39:00", "2025-02-05 13:39:0x",
                   "2025-13-01 00:00:00", "2025-02-30 00:00:00", "2025-02-05 24:00:00",
                   "2025-02-05 23:60:00", "2025-02-05 13:39:00Z", "+025-02-05 13:39:00"}) {
    auto t = kst::parse_datetime(bad);
    ASSERT_FALSE(t) << bad;
    EXPECT_EQ(t.error().code, kis::errc::malformed);
  }
  EXPECT_FALSE(kst::parse_date("2024023"));
  EXPECT_FALSE(kst::parse_date("20230229")); // not a leap year
  EXPECT_TRUE(kst::parse_date("20240229"));
  EXPECT_FALSE(kst::parse_date_time("20240101", "12345"));
  EXPECT_FALSE(kst::parse_date_time("20240101", "126000"));
}

// Found by realtime_frames_fuzz: a trade frame dated 6026 overflowed int64 nanoseconds.
TEST(Kst, RefusesInstantsPastTheInt64Horizon) {
  for (auto date : {"22620412", "60260724", "99991231"}) {
    auto t = kst::parse_date_time(date, "115214");
    ASSERT_FALSE(t) << date;
    EXPECT_EQ(t.error().code, kis::errc::malformed);
    EXPECT_FALSE(kst::parse_date_time(date));
  }
  EXPECT_FALSE(kst::parse_datetime("6026-07-24 11:52:14"));
  EXPECT_TRUE(kst::parse_date_time("22611231", "235959"));
  EXPECT_TRUE(kst::parse_date("99991231")); // a calendar date alone has no horizon
}

TEST(Kst, TodayFollowsSeoulNotUtc) {
  // 2026-01-01 15:30 UTC is already 2026-01-02 00:30 in Seoul.
  kis::manual_wall_clock clock{kis::wall_time{sys_days{2026y / January / 1} + 15h + 30min}};
  EXPECT_EQ(kst::today(clock), 20260102);
  clock.advance(-1h);
  EXPECT_EQ(kst::today(clock), 20260101);
}

TEST(Kst, CalendarArithmetic) {
  EXPECT_EQ(kst::add_days(20240301, -1), 20240229);
  EXPECT_EQ(kst::add_days(20250101, -1), 20241231);
  EXPECT_EQ(kst::add_days(20241231, 1), 20250101);
  EXPECT_TRUE(kst::valid_date(20240229));
  EXPECT_FALSE(kst::valid_date(20240230));
  EXPECT_FALSE(kst::valid_date(0));
  EXPECT_EQ(kst::format_date(20240105), "20240105");
}

} // namespace
