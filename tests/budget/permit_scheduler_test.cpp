// The governor's arithmetic without CAF: every sliding window, priority, reserve, fairness,
// back-off and cancellation, driven by explicit nanosecond timestamps.
#include <algorithm>
#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "actors/budget/permit_scheduler.hpp"
#include "window_check.hpp"

namespace {

using kis::permit_class;
using kis::permit_scheduler;

constexpr std::int64_t ms = 1'000'000;
constexpr std::int64_t sec = 1'000 * ms;

kis::governor_config real_limits() {
  kis::governor_config cfg;
  cfg.limit = 18;
  cfg.safety_margin = std::chrono::milliseconds{5};
  cfg.order_reserve = 1;
  return cfg;
}

// Grants everything that is due, jumping the clock to each next due time, until nobody waits.
std::vector<kis::scheduled_grant> drain(permit_scheduler& s, std::int64_t& now) {
  std::vector<kis::scheduled_grant> out;
  for (;;) {
    for (auto& g : s.poll(now))
      out.push_back(std::move(g));
    auto due = s.next_due(now);
    if (!due)
      return out;
    EXPECT_GT(*due, now);
    now = *due;
  }
}

std::vector<std::int64_t> times_of(const std::vector<kis::scheduled_grant>& gs) {
  std::vector<std::int64_t> t;
  for (const auto& g : gs)
    t.push_back(g.value.granted_ns);
  return t;
}

} // namespace

TEST(PermitScheduler, BurstNeverOverfillsAnySlidingSecond) {
  permit_scheduler s{real_limits()};
  std::int64_t now = 0;
  for (int i = 0; i < 200; ++i)
    s.enqueue(permit_class::market_data, "r" + std::to_string(i % 10), now);
  auto grants = drain(s, now);
  ASSERT_EQ(grants.size(), 200u);
  const auto t = times_of(grants);
  EXPECT_LE(kis::test::max_in_any_window(t, sec), 18u);
  // The first window is used fully, and the budget is used at close to the limit overall.
  EXPECT_EQ(kis::test::max_in_any_window(t, sec), 18u);
  const double secs = static_cast<double>(t.back() - t.front()) / sec;
  EXPECT_GT(199 / secs, 17.5);
  EXPECT_EQ(s.stats(now).max_in_window, 18u);
  // Spread one per slot, not in bursts.
  const std::int64_t slot = (sec + 5 * ms) / 18;
  for (std::size_t i = 1; i < t.size(); ++i)
    EXPECT_GE(t[i] - t[i - 1], slot - 1);
}

TEST(PermitScheduler, WithoutSpacingABurstTakesAllButTheReserve) {
  auto cfg = real_limits();
  cfg.query_spacing = 0;
  permit_scheduler s{cfg};
  std::int64_t now = 0;
  for (int i = 0; i < 60; ++i)
    s.enqueue(permit_class::market_data, "r", now);
  EXPECT_EQ(s.poll(now).size(), 17u);
  auto rest = drain(s, now);
  auto t = times_of(rest);
  t.insert(t.begin(), 17, 0);
  EXPECT_LE(kis::test::max_in_any_window(t, sec), 18u);
}

TEST(PermitScheduler, RandomArrivalsOfAllClassesKeepEveryWindow) {
  permit_scheduler s{real_limits()};
  std::mt19937_64 rng{42};
  std::uniform_int_distribution<int> cls(0, 3), gap(0, 40), who(0, 9);
  std::int64_t now = 0;
  std::vector<std::int64_t> t;
  for (int i = 0; i < 2000; ++i) {
    now += gap(rng) * ms;
    s.enqueue(static_cast<permit_class>(cls(rng)), "r" + std::to_string(who(rng)), now);
    for (const auto& g : s.poll(now))
      t.push_back(g.value.granted_ns);
    // Wake-ups happen exactly when due, as the actor's timer does.
    if (auto due = s.next_due(now); due && *due < now + gap(rng) * ms) {
      now = *due;
      for (const auto& g : s.poll(now))
        t.push_back(g.value.granted_ns);
    }
  }
  for (const auto& g : drain(s, now))
    t.push_back(g.value.granted_ns);
  ASSERT_EQ(t.size(), 2000u);
  EXPECT_TRUE(std::is_sorted(t.begin(), t.end()));
  EXPECT_LE(kis::test::max_in_any_window(t, sec), 18u);
}

TEST(PermitScheduler, HigherClassesGoFirst) {
  permit_scheduler s{real_limits()};
  std::int64_t now = 0;
  for (int i = 0; i < 18; ++i) // fill the window
    s.enqueue(permit_class::order, "fill", now);
  EXPECT_EQ(s.poll(now).size(), 18u);
  s.enqueue(permit_class::market_data, "a", now);
  s.enqueue(permit_class::account_query, "a", now);
  s.enqueue(permit_class::cancel_revise, "a", now);
  s.enqueue(permit_class::order, "a", now);
  EXPECT_TRUE(s.poll(now).empty());
  auto grants = drain(s, now);
  ASSERT_EQ(grants.size(), 4u);
  EXPECT_EQ(grants[0].value.cls, permit_class::order);
  EXPECT_EQ(grants[1].value.cls, permit_class::cancel_revise);
  EXPECT_EQ(grants[2].value.cls, permit_class::account_query);
  EXPECT_EQ(grants[3].value.cls, permit_class::market_data);
}

TEST(PermitScheduler, ReserveKeepsOrderWaitNearOneSlotUnderFullQueryLoad) {
  auto cfg = real_limits();
  permit_scheduler s{cfg};
  std::mt19937_64 rng{7};
  std::uniform_int_distribution<std::int64_t> order_gap(300 * ms, 2500 * ms);
  std::int64_t now = 0, next_order = order_gap(rng);
  std::vector<std::int64_t> all, waits;
  std::size_t queries = 0;
  auto grant = [&] {
    for (const auto& g : s.poll(now)) {
      all.push_back(g.value.granted_ns);
      if (g.value.cls == permit_class::order)
        waits.push_back(g.value.waited_ns);
      else
        ++queries;
    }
  };
  while (now < 60 * sec) {
    // Full query load: 50 requesters always have a query waiting.
    while (s.stats(now).waiting_by_class[3] < 50)
      s.enqueue(permit_class::market_data, "q" + std::to_string(rng() % 50), now);
    grant();
    auto due = s.next_due(now);
    now = std::min(due ? *due : now + sec, next_order);
    if (now == next_order) {
      s.enqueue(permit_class::order, "exec", now);
      next_order += order_gap(rng);
    }
  }
  grant();
  EXPECT_LE(kis::test::max_in_any_window(all, sec), 18u);
  ASSERT_GT(waits.size(), 20u);
  const std::int64_t slot = (sec + 5 * ms) / 18;
  EXPECT_LE(*std::max_element(waits.begin(), waits.end()), slot + 1);
  // Queries alone still use nearly all of the budget: the reserve is shaped in time, it does
  // not leave a slot empty.
  EXPECT_GT(static_cast<double>(all.size()) / 60.0, 0.98 * 18);
  EXPECT_GT(queries, 0u);
}

TEST(PermitScheduler, RoundRobinAcrossRequestersOfOneClass) {
  permit_scheduler s{real_limits()};
  std::int64_t now = 0;
  for (int i = 0; i < 50; ++i)
    s.enqueue(permit_class::market_data, "greedy", now);
  for (int r = 1; r < 10; ++r)
    for (int i = 0; i < 5; ++i)
      s.enqueue(permit_class::market_data, "r" + std::to_string(r), now);
  auto grants = drain(s, now);
  ASSERT_EQ(grants.size(), 95u);
  // Within the first 50 grants, every polite requester is done, the greedy one got 5.
  std::map<std::string, int> first50;
  for (int i = 0; i < 50; ++i)
    ++first50[grants[static_cast<std::size_t>(i)].requester];
  EXPECT_EQ(first50["greedy"], 5);
  for (int r = 1; r < 10; ++r)
    EXPECT_EQ(first50["r" + std::to_string(r)], 5);
  // And each round of ten grants serves ten different requesters.
  std::map<std::string, int> round;
  for (int i = 0; i < 10; ++i)
    ++round[grants[static_cast<std::size_t>(i)].requester];
  EXPECT_EQ(round.size(), 10u);
}

TEST(PermitScheduler, RateLimitedPausesHalvesAndRecoversAdditively) {
  auto cfg = real_limits();
  cfg.backoff_pause = std::chrono::milliseconds{500};
  cfg.decrease_factor = 0.5;
  cfg.recovery_per_success = 1.0;
  permit_scheduler s{cfg};
  std::int64_t now = 0;
  s.on_outcome(kis::call_result::rate_limited, now);
  EXPECT_DOUBLE_EQ(s.effective_rate(), 9.0);
  // A second EGW00201 from a call already in flight does not halve again.
  s.on_outcome(kis::call_result::rate_limited, now + ms);
  EXPECT_DOUBLE_EQ(s.effective_rate(), 9.0);
  s.enqueue(permit_class::order, "x", now);
  EXPECT_TRUE(s.poll(now).empty()); // paused
  EXPECT_EQ(s.next_due(now), 500 * ms);
  for (int i = 0; i < 99; ++i)
    s.enqueue(permit_class::market_data, "q", now);
  auto grants = drain(s, now);
  ASSERT_EQ(grants.size(), 100u);
  EXPECT_EQ(grants.front().value.granted_ns, 500 * ms);
  // At 9 calls/s, no second holds more than 9.
  EXPECT_LE(kis::test::max_in_any_window(times_of(grants), sec), 9u);
  for (int i = 0; i < 4; ++i)
    s.on_outcome(kis::call_result::success, now);
  EXPECT_DOUBLE_EQ(s.effective_rate(), 13.0);
  for (int i = 0; i < 100; ++i)
    s.on_outcome(kis::call_result::success, now);
  EXPECT_DOUBLE_EQ(s.effective_rate(), 18.0);
  const auto st = s.stats(now);
  EXPECT_EQ(st.rate_limited, 2u);
  EXPECT_EQ(st.failures, 2u);
  EXPECT_EQ(st.successes, 104u);
  EXPECT_DOUBLE_EQ(st.effective_rate, 18.0);
}

TEST(PermitScheduler, CancelledRequestersReleaseTheirPlace) {
  permit_scheduler s{real_limits()};
  std::int64_t now = 0;
  for (int i = 0; i < 18; ++i)
    s.enqueue(permit_class::order, "fill", now);
  EXPECT_EQ(s.poll(now).size(), 18u);
  for (int i = 0; i < 3; ++i)
    s.enqueue(permit_class::market_data, "quitter", now);
  const auto lone = s.enqueue(permit_class::account_query, "dead", now);
  const auto stays = s.enqueue(permit_class::market_data, "stays", now);
  EXPECT_EQ(s.cancel_requester("quitter").size(), 3u);
  EXPECT_TRUE(s.cancel_ticket(lone));
  EXPECT_FALSE(s.cancel_ticket(lone));
  EXPECT_EQ(s.waiting(), 1u);
  auto grants = drain(s, now);
  ASSERT_EQ(grants.size(), 1u);
  EXPECT_EQ(grants[0].ticket, stays);
  EXPECT_FALSE(s.next_due(now).has_value());
}

TEST(PermitScheduler, StatisticsAndWaitHistograms) {
  permit_scheduler s{real_limits()};
  std::int64_t now = 0;
  for (int i = 0; i < 20; ++i)
    s.enqueue(permit_class::market_data, "q", now);
  auto grants = drain(s, now);
  s.on_outcome(kis::call_result::success, now);
  s.on_outcome(kis::call_result::failure, now);
  const auto st = s.stats(now);
  EXPECT_EQ(st.total_calls, 20u);
  EXPECT_DOUBLE_EQ(st.success_rate, 0.5);
  EXPECT_EQ(st.limit, 18u);
  EXPECT_EQ(st.granted_by_class[3], 20u);
  // One per slot (1.005 s / 18): the last at 19 slots, 18 of them in the trailing second.
  EXPECT_EQ(st.calls_last_second, 18u);
  const auto hs = s.wait_histograms();
  ASSERT_EQ(hs.size(), kis::permit_class_count);
  const auto& md = hs[3];
  EXPECT_EQ(md.count, 20u);
  EXPECT_EQ(md.counts.back(), 20u);                  // cumulative: +Inf holds everything
  EXPECT_EQ(md.counts.size(), md.bounds.size() + 1); // one bucket per bound plus +Inf
  EXPECT_EQ(md.counts.front(), 1u);                  // only the first went at once
  EXPECT_GT(md.sum, 1.0);
  bool found = false;
  for (const auto& p : s.metric_points(now))
    found |= p.name == "rest_effective_rate" && p.value == 18.0;
  EXPECT_TRUE(found);
}
