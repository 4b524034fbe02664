// Quiet when closed (issue #14): an analyzer with the calendar polls nothing while no traded
// venue is open (a whole closed hour: zero REST calls), wakes shortly before the next open and
// polls again, asking for daily history only then; it polls and streams each symbol's
// configured market (J / NX / UN).
#include "support/caf_gtest.hpp"

#include <gtest/gtest.h>

#include "actors/trading/analyzer.hpp"
#include "kis/sessions.hpp"
#include "tests/trading/fakes.hpp"

using namespace std::chrono_literals;

namespace {

kis::wall_time at_kst(std::int32_t day, int h, int m, int s = 0) {
  return kis::wall_time{std::chrono::duration_cast<kis::wall_time::duration>(
      std::chrono::nanoseconds{kis::sessions::kst_instant(day, kis::sessions::clock_s(h, m, s))})};
}

struct AnalyzerSessions : ::testing::Test, test_coordinator_fixture<> {
  std::shared_ptr<kis::test::gateway_record> gw = std::make_shared<kis::test::gateway_record>();
  std::shared_ptr<kis::manual_wall_clock> clock = std::make_shared<kis::manual_wall_clock>();
  kis::rest_gateway_impl_actor gateway;
  kis::analyzer_actor an;
  kis::analyzer_config cfg;
  std::vector<caf::actor> others; // a test's own fakes, stopped with the rest

  void SetUp() override {
    gateway = kis::test::spawn_fake_gateway(sys, gw);
    cfg.name = "a0";
    cfg.symbols = {"A", "B"};
    cfg.history_days = 0;
    cfg.poll_interval = 1000ms;
    cfg.clock = clock;
    cfg.calendar =
        std::make_shared<const kis::sessions::calendar>(kis::sessions::calendar::year_2026());
  }

  void start() {
    an = kis::spawn_analyzer(sys, cfg, gateway, kis::ws_feed_actor{}); // every symbol polled
    sched.run();
  }

  void TearDown() override {
    others.push_back(caf::actor_cast<caf::actor>(an));
    others.push_back(caf::actor_cast<caf::actor>(gateway));
    for (const auto& a : others)
      if (a)
        caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
    sched.run();
  }

  // The wall clock and CAF's clock move together, in steps.
  void pass(std::chrono::seconds total, std::chrono::seconds step) {
    for (auto done = 0s; done < total; done += step) {
      clock->advance(step);
      sched.advance_time(step);
      sched.run();
    }
  }
};

TEST_F(AnalyzerSessions, AClosedHourPollsNothingAndTheOpenWakesItUp) {
  clock->set(at_kst(20260310, 3, 0)); // a Tuesday night: nothing opens before 08:00 (NXT)
  start();
  pass(3600s, 10s);
  EXPECT_EQ(gw->price_queries, 0) << "a closed hour costs no REST call";
  RecordProperty("rest_calls_closed_hour", gw->price_queries); // BENCHMARKS.md
  clock->set(at_kst(20260310, 7, 58));
  pass(30s, 10s);
  EXPECT_EQ(gw->price_queries, 0);
  pass(60s, 10s); // 07:59: a minute before Nextrade's pre-market, the analyzer wakes
  EXPECT_GT(gw->price_queries, 0);
  const auto woke = gw->price_queries;
  pass(10s, 1s);
  EXPECT_GE(gw->price_queries, woke + 2 * 9) << "polling every second again, both symbols";
  clock->set(at_kst(20260310, 8, 0));
  const auto at_open = gw->price_queries;
  pass(60s, 1s); // the first minute of Nextrade's pre-market
  RecordProperty("rest_calls_first_minute_after_open", gw->price_queries - at_open);
}

TEST_F(AnalyzerSessions, AnOpenMarketPollsAndTheCloseQuietsIt) {
  clock->set(at_kst(20260310, 19, 58)); // Nextrade's after-market, its last minutes
  start();
  EXPECT_EQ(gw->price_queries, 2);
  pass(60s, 1s);
  EXPECT_GE(gw->price_queries, 100);
  pass(120s, 1s); // 20:00 closed everything
  const auto at_close = gw->price_queries;
  pass(3600s, 10s);
  EXPECT_EQ(gw->price_queries, at_close);
}

TEST_F(AnalyzerSessions, NoCalendarPollsAtNight) {
  cfg.calendar = nullptr;
  clock->set(at_kst(20260310, 3, 0));
  start();
  pass(10s, 1s);
  EXPECT_GE(gw->price_queries, 20);
}

TEST_F(AnalyzerSessions, PollsTheConfiguredMarket) {
  cfg.poll_market = "UN";
  clock->set(at_kst(20260310, 10, 0));
  start();
  ASSERT_FALSE(gw->markets.empty());
  for (const auto& m : gw->markets)
    EXPECT_EQ(m, "UN");
}

TEST_F(AnalyzerSessions, HistoryIsAskedAtTheWakeUpNotAtANightStart) {
  cfg.history_days = 20;
  clock->set(at_kst(20260310, 3, 0));
  start();
  auto st = std::make_shared<kis::test::strategy_record>();
  auto strategy = kis::test::spawn_fake_strategy(sys, st);
  others.push_back(caf::actor_cast<caf::actor>(strategy));
  self->send(an, kis::follow_atom_v, std::string{"A"}, strategy);
  sched.run();
  pass(3600s, 10s);
  EXPECT_TRUE(gw->charts.empty()) << "history is warm-up for the open, not work for the night";
  clock->set(at_kst(20260310, 7, 58, 30));
  pass(20s, 10s);
  EXPECT_TRUE(gw->charts.empty());
  pass(60s, 10s); // 07:59 passed: awake at the next look (every closed_check, 60 s)
  ASSERT_EQ(gw->charts.size(), 1u);
  EXPECT_EQ(gw->charts[0].symbol, "A");
}

TEST_F(AnalyzerSessions, EachSymbolPollsAndStreamsItsOwnMarket) {
  cfg.poll_market = "UN";
  cfg.markets = {{"B", "NX"}};
  cfg.symbols = {"A", "B", "C"};
  clock->set(at_kst(20260310, 10, 0));
  auto fd = std::make_shared<kis::test::feed_record>();
  fd->cap = 1; // A streams; B and C are polled
  auto feed = kis::test::spawn_fake_feed(sys, fd);
  others.push_back(caf::actor_cast<caf::actor>(feed));
  an = kis::spawn_analyzer(sys, cfg, gateway, feed);
  sched.run();
  ASSERT_EQ(fd->asked.size(), 3u);
  for (const auto& r : fd->asked)
    EXPECT_EQ(r.market, r.key == "B" ? kis::market_code::nxt : kis::market_code::combined) << r.key;
  ASSERT_EQ(gw->markets.size(), gw->calls.size());
  for (std::size_t i = 0; i < gw->calls.size(); ++i)
    EXPECT_EQ(gw->markets[i], gw->calls[i] == "quote:B" ? "NX" : "UN") << gw->calls[i];
  EXPECT_GE(gw->calls.size(), 2u);
}

} // namespace
