// The strategy host's session events (issue #14) under the test coordinator: with a calendar
// a strategy hears where KRX and Nextrade stand when it starts, then every change of session
// as the clock passes it (a jump over several changes delivers all of them, oldest first);
// without a calendar it hears nothing.
#include "support/caf_gtest.hpp"

#include <gtest/gtest.h>

#include "actors/trading/strategy_host.hpp"
#include "kis/sessions.hpp"

using namespace std::chrono_literals;

namespace {

class session_recorder final : public kis::strategy {
public:
  void on_session(const kis::session_change& ev) override { heard.push_back(ev); }
  std::vector<kis::session_change> heard;
};

kis::wall_time at_kst(std::int32_t day, int h, int m) {
  return kis::wall_time{std::chrono::duration_cast<kis::wall_time::duration>(
      std::chrono::nanoseconds{kis::sessions::kst_instant(day, kis::sessions::clock_s(h, m))})};
}

struct StrategyHostSessions : ::testing::Test, test_coordinator_fixture<> {
  std::shared_ptr<kis::manual_wall_clock> clock = std::make_shared<kis::manual_wall_clock>();
  std::shared_ptr<session_recorder> st = std::make_shared<session_recorder>();
  kis::strategy_actor host;

  void spawn(bool with_calendar) {
    kis::strategy_host_config hc;
    hc.id = "sessions";
    hc.trade = false;
    hc.clock = clock;
    if (with_calendar)
      hc.calendar =
          std::make_shared<const kis::sessions::calendar>(kis::sessions::calendar::year_2026());
    host = kis::spawn_strategy_host(sys, st, hc, kis::order_executor_actor{});
    sched.run();
  }

  void TearDown() override {
    if (host)
      caf::anon_send_exit(host, caf::exit_reason::user_shutdown);
    sched.run();
  }

  // Moves the clock and lets the host's calendar timer fire.
  void pass_to(kis::wall_time t) {
    clock->set(t);
    sched.advance_time(2s);
    sched.run();
  }

  std::vector<kis::session_change> of(kis::venue v) const {
    std::vector<kis::session_change> out;
    for (const auto& c : st->heard)
      if (c.now.where == v)
        out.push_back(c);
    return out;
  }
};

TEST_F(StrategyHostSessions, StartsWithWhereEachVenueStandsThenHearsEveryChange) {
  clock->set(at_kst(20260310, 15, 10)); // a Tuesday: both venues in their main session
  spawn(true);
  ASSERT_EQ(st->heard.size(), 2u);
  EXPECT_EQ(st->heard[0].now.where, kis::venue::krx);
  EXPECT_EQ(st->heard[0].now.phase, kis::session_kind::regular);
  EXPECT_EQ(st->heard[1].now.where, kis::venue::nxt);
  EXPECT_EQ(st->heard[1].now.phase, kis::session_kind::regular);
  pass_to(at_kst(20260310, 15, 25)); // KRX's closing auction
  auto krx = of(kis::venue::krx);
  ASSERT_EQ(krx.size(), 2u);
  EXPECT_EQ(krx[1].previous, kis::session_kind::regular);
  EXPECT_EQ(krx[1].now.phase, kis::session_kind::closing_auction);
  // A jump over the evening: every change of both venues, oldest first, ending closed.
  pass_to(at_kst(20260310, 21, 0));
  for (std::size_t i = 1; i < st->heard.size(); ++i)
    EXPECT_LE(st->heard[i - 1].at_ns, st->heard[i].at_ns);
  EXPECT_EQ(of(kis::venue::krx).back().now.phase, kis::session_kind::closed);
  auto nxt = of(kis::venue::nxt);
  EXPECT_EQ(nxt.back().now.phase, kis::session_kind::closed);
  bool after_market = false;
  for (const auto& c : nxt)
    after_market = after_market || c.now.phase == kis::session_kind::after_market;
  EXPECT_TRUE(after_market);
}

TEST_F(StrategyHostSessions, NoCalendarNoSessionEvents) {
  clock->set(at_kst(20260310, 15, 10));
  spawn(false);
  pass_to(at_kst(20260310, 21, 0));
  EXPECT_TRUE(st->heard.empty());
}

TEST_F(StrategyHostSessions, ASessionChangeSentFromOutsideReachesTheStrategy) {
  clock->set(at_kst(20260310, 10, 0));
  spawn(false);
  kis::session_change c;
  c.previous = kis::session_kind::regular;
  c.now.where = kis::venue::nxt;
  c.now.phase = kis::session_kind::closed;
  self->send(host, c);
  sched.run();
  ASSERT_EQ(st->heard.size(), 1u);
  EXPECT_EQ(st->heard[0].now.where, kis::venue::nxt);
}

} // namespace
