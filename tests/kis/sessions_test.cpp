// The KRX/NXT calendar as data: sessions by KST hour, weekends and holidays, the 2026-06-29
// KRX extension, order kinds per session, next open and change, and the [sessions] settings.
#include <gtest/gtest.h>

#include <array>
#include <memory>

#include "kis/clock.hpp"
#include "kis/kst.hpp"
#include "kis/sessions.hpp"

namespace {

using namespace kis::sessions;
using kis::order_kind;
using kis::session_kind;
using kis::venue;

// A KST wall-clock time as UTC ns: at("2026-12-01 19:30").
std::int64_t at(const std::string& kst) {
  auto t = kis::api::kst::parse_datetime(kst.size() == 16 ? kst + ":00" : kst);
  EXPECT_TRUE(t) << kst;
  return t ? *t : 0;
}

struct Calendar2026 : ::testing::Test {
  calendar cal = calendar::year_2026();
};

TEST_F(Calendar2026, AnEveningAfterTheExtensionHasBothAfterMarketsOpen) {
  const auto t = at("2026-12-01 19:30"); // a Tuesday
  EXPECT_EQ(cal.status(venue::krx, t).phase, session_kind::after_market);
  EXPECT_EQ(cal.status(venue::nxt, t).phase, session_kind::after_market);
  EXPECT_EQ(cal.open_venues(t), (std::vector<venue>{venue::krx, venue::nxt}));
  EXPECT_TRUE(cal.allows(venue::nxt, order_kind::limit, t));
  EXPECT_TRUE(cal.allows(venue::nxt, order_kind::best_limit, t));
  EXPECT_FALSE(cal.allows(venue::nxt, order_kind::market, t));
  EXPECT_FALSE(cal.allows(venue::krx, order_kind::market, t));
  EXPECT_FALSE(cal.allows(venue::nxt, order_kind::ioc_limit, t));
}

TEST_F(Calendar2026, OnlyNextradeIsOpenBeforeKrxAndInItsGap) {
  for (auto kst : {"2026-12-01 08:10", "2026-12-01 15:35", "2026-06-02 19:00"}) {
    const auto t = at(kst);
    EXPECT_EQ(cal.open_venues(t), std::vector<venue>{venue::nxt}) << kst;
    EXPECT_FALSE(cal.allows(venue::krx, order_kind::limit, t)) << kst;
    EXPECT_TRUE(cal.allows(venue::nxt, order_kind::limit, t)) << kst;
    // SOR takes the order when either venue does.
    EXPECT_TRUE(cal.allows(venue::sor, order_kind::limit, t)) << kst;
  }
}

TEST_F(Calendar2026, RegularHoursTakeEveryKindKrxRoutes) {
  const auto t = at("2026-12-01 10:00");
  EXPECT_EQ(cal.status(venue::krx, t).phase, session_kind::regular);
  EXPECT_TRUE(cal.trading(venue::krx, t));
  EXPECT_TRUE(cal.allows(venue::krx, order_kind::market, t));
  EXPECT_TRUE(cal.allows(venue::krx, order_kind::conditional, t));
  EXPECT_TRUE(cal.allows(venue::sor, order_kind::market, t));
  EXPECT_FALSE(cal.allows(venue::sor, order_kind::conditional, t)); // SOR does not route 02
  EXPECT_FALSE(cal.allows(venue::nxt, order_kind::market, t));
  EXPECT_FALSE(cal.allows_code(venue::krx, 7, t)); // the single-price kind, not now
  // Nine o'clock KST is midnight UTC: no host time zone anywhere.
  EXPECT_EQ(cal.status(venue::krx, at("2026-12-01 09:00")).phase, session_kind::regular);
  EXPECT_EQ(cal.status(venue::krx, at("2026-12-01 08:59:59")).phase, session_kind::opening_auction);
}

TEST_F(Calendar2026, OverlappingSessionsShowTheAuctionAndTakeBothKinds) {
  const auto t = at("2026-12-01 08:35");
  EXPECT_EQ(cal.active(venue::krx, t).size(), 2u);
  auto st = cal.status(venue::krx, t);
  EXPECT_EQ(st.phase, session_kind::opening_auction);
  EXPECT_TRUE(cal.allows_code(venue::krx, 5, t)); // the pre-open close-price order
  EXPECT_TRUE(cal.allows(venue::krx, order_kind::limit, t));
  EXPECT_FALSE(cal.allows(venue::krx, order_kind::best_limit, t));
  EXPECT_FALSE(cal.trading(venue::krx, t)); // auctions wait for a single price
  EXPECT_EQ(st.since_ns, at("2026-12-01 08:30"));
  EXPECT_EQ(st.until_ns, at("2026-12-01 08:40")); // the close-price session ends: kinds change
}

TEST_F(Calendar2026, TheKrxExtensionReplacesTheSinglePriceSessionOn20260629) {
  const auto friday = at("2026-06-26 16:30"), monday = at("2026-06-29 16:30");
  EXPECT_EQ(cal.status(venue::krx, friday).phase, session_kind::single_price);
  EXPECT_TRUE(cal.allows_code(venue::krx, 7, friday));
  EXPECT_FALSE(cal.allows(venue::krx, order_kind::limit, friday));
  EXPECT_EQ(cal.status(venue::krx, monday).phase, session_kind::after_market);
  EXPECT_FALSE(cal.allows_code(venue::krx, 7, monday));
  EXPECT_TRUE(cal.allows(venue::krx, order_kind::limit, monday));
  EXPECT_FALSE(cal.is_open(venue::krx, at("2026-06-26 07:30")));
  EXPECT_EQ(cal.status(venue::krx, at("2026-06-29 07:30")).phase, session_kind::pre_market);
  EXPECT_FALSE(cal.is_open(venue::krx, at("2026-06-26 18:30"))); // before: shut after 18:00
}

TEST_F(Calendar2026, NightsWeekendsAndHolidaysAreClosedUntilTheNextOpen) {
  const auto night = at("2026-12-01 03:00");
  EXPECT_TRUE(cal.open_venues(night).empty());
  EXPECT_EQ(cal.next_open(venue::krx, night), at("2026-12-01 07:00"));
  EXPECT_EQ(cal.next_open(venue::nxt, night), at("2026-12-01 08:00"));
  const std::array<venue, 1> nxt_only{venue::nxt};
  EXPECT_EQ(cal.next_open(nxt_only, night), at("2026-12-01 08:00"));
  auto refusal = cal.check_order(venue::krx, order_kind::limit, night);
  ASSERT_TRUE(refusal);
  EXPECT_EQ(refusal->code, kis::errc::session_closed);
  EXPECT_NE(refusal->message.find("KRX (closed)"), std::string::npos) << refusal->message;

  const auto saturday = at("2026-12-05 10:00");
  EXPECT_FALSE(cal.open_day(20261205));
  EXPECT_TRUE(cal.open_venues(saturday).empty());
  EXPECT_EQ(cal.next_open(venue::krx, saturday), at("2026-12-07 07:00"));

  // Christmas is a Friday; the year-end closes Thursday 12-31 and New Year Friday 01-01.
  EXPECT_FALSE(cal.is_open(venue::nxt, at("2026-12-25 10:00")));
  EXPECT_EQ(cal.next_open(venue::nxt, at("2026-12-24 20:00")), at("2026-12-28 08:00"));
  EXPECT_EQ(cal.next_open(venue::krx, at("2026-12-30 20:00")), at("2027-01-04 07:00"));
  // Open now: the answer is now.
  EXPECT_EQ(cal.next_open(venue::krx, at("2026-12-01 10:00")), at("2026-12-01 10:00"));
  EXPECT_EQ(cal.next_open(venue::sor, night), at("2026-12-01 07:00"));
}

TEST_F(Calendar2026, NextradeDayChangesInOrder) {
  auto changes = cal.changes_between(venue::nxt, at("2026-12-01 07:00"), at("2026-12-01 21:00"));
  std::vector<std::pair<session_kind, session_kind>> seen;
  for (const auto& c : changes)
    seen.emplace_back(c.previous, c.now.phase);
  using k = session_kind;
  EXPECT_EQ(seen, (std::vector<std::pair<k, k>>{{k::closed, k::pre_market},
                                                {k::pre_market, k::closed},
                                                {k::closed, k::regular},
                                                {k::regular, k::closed},
                                                {k::closed, k::after_market},
                                                {k::after_market, k::closed}}));
  ASSERT_EQ(changes.size(), 6u);
  EXPECT_EQ(changes[0].at_ns, at("2026-12-01 08:00"));
  EXPECT_EQ(changes[4].at_ns, at("2026-12-01 15:30"));
  EXPECT_EQ(changes[5].at_ns, at("2026-12-01 20:00"));
  EXPECT_EQ(changes[5].now.until_ns, at("2026-12-02 08:00"));
  // The after-market takes orders from 15:30 and matches from 15:40.
  EXPECT_FALSE(cal.trading(venue::nxt, at("2026-12-01 15:35")));
  EXPECT_TRUE(cal.trading(venue::nxt, at("2026-12-01 15:45")));
  EXPECT_EQ(cal.next_trading(venue::nxt, at("2026-12-01 15:35")), at("2026-12-01 15:40"));
  EXPECT_EQ(cal.next_trading(venue::krx, at("2026-12-01 08:35")), at("2026-12-01 09:00"));
  EXPECT_EQ(cal.next_trading(venue::krx, at("2026-12-01 10:00")), at("2026-12-01 10:00"));
  EXPECT_EQ(cal.session_end(venue::nxt, session_kind::after_market, at("2026-12-01 15:45")),
            at("2026-12-01 20:00"));
  EXPECT_EQ(cal.session_end(venue::nxt, session_kind::regular, at("2026-12-01 15:45")), 0);
}

TEST_F(Calendar2026, StatusSaysSinceAndUntilAcrossTheWeekend) {
  auto st = cal.status(venue::krx, at("2026-12-05 12:00")); // Saturday
  EXPECT_EQ(st.phase, session_kind::closed);
  EXPECT_EQ(st.order_kinds, 0u);
  EXPECT_EQ(st.since_ns, at("2026-12-04 20:00"));
  EXPECT_EQ(st.until_ns, at("2026-12-07 07:00"));
  auto reg = cal.status(venue::krx, at("2026-12-01 10:00"));
  EXPECT_EQ(reg.since_ns, at("2026-12-01 09:00"));
  EXPECT_EQ(reg.until_ns, at("2026-12-01 15:20"));
}

TEST_F(Calendar2026, HolidayRowsCorrectTheFallbackList) {
  kis::market_day wed{20261202, 4, false, true, false, false};
  kis::market_day christmas{20261225, 6, true, true, true, true};
  kis::market_day saturday{20261205, 7, false, true, true, false};
  std::array<kis::market_day, 3> rows{wed, christmas, saturday};
  cal.apply(rows);
  EXPECT_FALSE(cal.open_day(20261202));
  EXPECT_TRUE(cal.open_day(20261225));
  EXPECT_FALSE(cal.open_day(20261205)); // a weekend stays closed
  EXPECT_FALSE(cal.is_open(venue::krx, at("2026-12-02 10:00")));
}

TEST(CalendarSettings, HoursOrdersAndTradesFromReplaceTheDefaults) {
  std::vector<setting> s{{"nxt.regular.hours", "09:00:30-15:20"},
                         {"krx.after_market.orders", "00"},
                         {"nxt.after_market.trades_from", "15:30"}};
  auto cal = calendar_with_settings(calendar::year_2026(), s);
  ASSERT_TRUE(cal) << cal.error().message;
  EXPECT_FALSE(cal->is_open(venue::nxt, at("2026-12-01 09:00:10")));
  EXPECT_TRUE(cal->is_open(venue::nxt, at("2026-12-01 09:00:30")));
  EXPECT_TRUE(cal->allows(venue::krx, order_kind::limit, at("2026-12-01 19:00")));
  EXPECT_FALSE(cal->allows(venue::krx, order_kind::best_limit, at("2026-12-01 19:00")));
  EXPECT_TRUE(cal->trading(venue::nxt, at("2026-12-01 15:35")));
}

TEST(CalendarSettings, OffRemovesASessionAndTheExtensionDayMoves) {
  std::vector<setting> s{{"krx.after_market", "off"}, {"krx_extension", "20261001"}};
  auto cal = calendar_with_settings(calendar::year_2026(), s);
  ASSERT_TRUE(cal) << cal.error().message;
  EXPECT_FALSE(cal->is_open(venue::krx, at("2026-12-01 19:00")));
  EXPECT_EQ(cal->status(venue::krx, at("2026-09-30 16:30")).phase, session_kind::single_price);
  EXPECT_FALSE(cal->is_open(venue::krx, at("2026-10-01 16:30"))); // after-market is off
  EXPECT_EQ(cal->status(venue::krx, at("2026-10-01 07:30")).phase, session_kind::pre_market);
  EXPECT_FALSE(cal->is_open(venue::krx, at("2026-09-30 07:30")));
}

TEST(CalendarSettings, HolidaysAreReplacedOrExtended) {
  std::vector<setting> replace{{"holidays", "20261202"}};
  auto cal = calendar_with_settings(calendar::year_2026(), replace);
  ASSERT_TRUE(cal);
  EXPECT_FALSE(cal->open_day(20261202));
  EXPECT_TRUE(cal->open_day(20261225));
  std::vector<setting> extend{{"extra_holidays", "20261202, 20261203"}};
  cal = calendar_with_settings(calendar::year_2026(), extend);
  ASSERT_TRUE(cal);
  EXPECT_FALSE(cal->open_day(20261203));
  EXPECT_FALSE(cal->open_day(20261225));
  std::vector<setting> none{{"holidays", ""}};
  cal = calendar_with_settings(calendar::year_2026(), none);
  ASSERT_TRUE(cal);
  EXPECT_TRUE(cal->open_day(20261225));
}

TEST(CalendarSettings, ANewSessionNeedsItsOrders) {
  std::vector<setting> lacking{{"nxt.opening_auction", "08:50-09:00"}};
  auto bad = calendar_with_settings(calendar::year_2026(), lacking);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, kis::errc::config);
  EXPECT_NE(bad.error().message.find("sessions.nxt.opening_auction.orders"), std::string::npos);
  std::vector<setting> full{{"nxt.opening_auction", "08:50-09:00"},
                            {"nxt.opening_auction.orders", "00"}};
  auto good = calendar_with_settings(calendar::year_2026(), full);
  ASSERT_TRUE(good) << good.error().message;
  EXPECT_EQ(good->status(venue::nxt, at("2026-12-01 08:55")).phase, session_kind::opening_auction);
}

TEST(CalendarSettings, ABadSettingNamesItsKey) {
  const std::vector<std::pair<setting, std::string>> cases{
      {{"krx.lunch", "12:00-13:00"}, "sessions.krx.lunch"},
      {{"nyse.regular", "09:30-16:00"}, "sessions.nyse.regular"},
      {{"krx.regular", "9:00-15:20"}, "sessions.krx.regular"},
      {{"krx.regular", "15:20-09:00"}, "sessions.krx.regular"},
      {{"krx.regular.orders", "0,3"}, "sessions.krx.regular.orders"},
      {{"krx.regular.colour", "red"}, "sessions.krx.regular.colour"},
      {{"holidays", "2026-12-25"}, "sessions.holidays"},
      {{"krx_extension", "someday"}, "sessions.krx_extension"},
      {{"nxt.closing_auction.orders", "00"}, "sessions.nxt.closing_auction.orders"},
  };
  for (const auto& [s, key] : cases) {
    std::vector<setting> one{s};
    auto r = calendar_with_settings(calendar::year_2026(), one);
    ASSERT_FALSE(r) << s.first;
    EXPECT_EQ(r.error().code, kis::errc::config);
    EXPECT_EQ(r.error().message.rfind(key + ":", 0), 0u) << r.error().message;
  }
}

TEST(CalendarSettings, ClockTimesParseStrictly) {
  EXPECT_EQ(parse_clock("07:00"), 7 * 3600);
  EXPECT_EQ(parse_clock("09:00:30"), 9 * 3600 + 30);
  EXPECT_EQ(parse_clock("24:00"), 86'400);
  EXPECT_FALSE(parse_clock("24:01"));
  EXPECT_FALSE(parse_clock("7:00"));
  EXPECT_FALSE(parse_clock("07:60"));
  EXPECT_FALSE(parse_clock("07"));
  EXPECT_FALSE(parse_clock("ab:cd"));
}

} // namespace

namespace {

TEST(ScaledClock, StartsAtItsInstantAndRunsSpeedTimesFaster) {
  using namespace std::chrono_literals;
  auto base = std::make_shared<kis::manual_wall_clock>();
  const auto start = kis::wall_time{std::chrono::nanoseconds{at("2026-12-01 19:30")}};
  kis::scaled_wall_clock market{base, start, 60};
  EXPECT_EQ(market.now_ns(), at("2026-12-01 19:30"));
  base->advance(30s);
  EXPECT_EQ(market.now_ns(), at("2026-12-01 20:00"));
  EXPECT_TRUE(calendar::year_2026().open_venues(market.now_ns()).empty());
  base->advance(12h); // twelve wall hours: thirty days of market time
  EXPECT_EQ(market.now_ns(), at("2026-12-31 20:00"));
  kis::scaled_wall_clock odd{base, start, -3}; // a nonsense speed runs at 1
  EXPECT_EQ(odd.speed(), 1.0);
}

} // namespace
