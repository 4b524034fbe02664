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
constexpr auto market = static_cast<std::size_t>(permit_class::market_data);
constexpr std::int64_t sec = 1'000 * ms;

kis::governor_config real_limits() {
  kis::governor_config cfg;
  cfg.limit = 18;
  cfg.safety_margin = std::chrono::milliseconds{5};
  cfg.order_reserve = 1;
  return cfg;
}

// `n` requests of one class from one requester, all queued at `now`.
void enqueue_many(permit_scheduler& s, int n, permit_class cls, const std::string& requester,
                  std::int64_t now) {
  for (int i = 0; i < n; ++i)
    s.enqueue(cls, requester, now);
}

// Grants what is due now; each request leaves at once (the gateway's report arrives with it).
std::vector<kis::scheduled_grant> poll_left(permit_scheduler& s, std::int64_t now) {
  auto grants = s.poll(now);
  for (const auto& g : grants)
    s.on_left(g.value.id, now);
  return grants;
}

// Grants everything that is due, jumping the clock to each next due time, until nobody waits.
std::vector<kis::scheduled_grant> drain(permit_scheduler& s, std::int64_t& now) {
  std::vector<kis::scheduled_grant> out;
  for (;;) {
    for (auto& g : poll_left(s, now))
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
  enqueue_many(s, 60, permit_class::market_data, "r", now);
  EXPECT_EQ(poll_left(s, now).size(), 17u);
  auto rest = drain(s, now);
  auto t = times_of(rest);
  t.insert(t.begin(), 17, 0);
  EXPECT_LE(kis::test::max_in_any_window(t, sec), 18u);
}

TEST(PermitScheduler, RandomArrivalsOfAllClassesKeepEveryWindow) {
  permit_scheduler s{real_limits()};
  std::mt19937_64 rng{42};
  std::uniform_int_distribution<int> cls(0, kis::permit_class_count - 1), gap(0, 40), who(0, 9);
  std::int64_t now = 0;
  std::vector<std::int64_t> t;
  for (int i = 0; i < 2000; ++i) {
    now += gap(rng) * ms;
    s.enqueue(static_cast<permit_class>(cls(rng)), "r" + std::to_string(who(rng)), now);
    for (const auto& g : poll_left(s, now))
      t.push_back(g.value.granted_ns);
    // Wake-ups happen exactly when due, as the actor's timer does.
    if (auto due = s.next_due(now); due && *due < now + gap(rng) * ms) {
      now = *due;
      for (const auto& g : poll_left(s, now))
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
  enqueue_many(s, 18, permit_class::order, "fill", now); // fill the window
  EXPECT_EQ(poll_left(s, now).size(), 18u);
  s.enqueue(permit_class::market_data, "a", now);
  s.enqueue(permit_class::account_query, "a", now);
  s.enqueue(permit_class::cancel_revise, "a", now);
  s.enqueue(permit_class::order, "a", now);
  EXPECT_TRUE(poll_left(s, now).empty());
  auto grants = drain(s, now);
  ASSERT_EQ(grants.size(), 4u);
  EXPECT_EQ(grants[0].value.cls, permit_class::order);
  EXPECT_EQ(grants[1].value.cls, permit_class::cancel_revise);
  EXPECT_EQ(grants[2].value.cls, permit_class::account_query);
  EXPECT_EQ(grants[3].value.cls, permit_class::market_data);
}

// Polling that fills every slot left over must not starve history: among the classes below
// cancels each waiting class gets at least one of every floor_every + 1 grants; orders still
// go strictly first.
TEST(PermitScheduler, HistoryKeepsAFloorShareUnderFullPollingAndOrdersStillGoFirst) {
  auto cfg = real_limits();
  cfg.limit = 1; // paper
  cfg.floor_every = 2;
  permit_scheduler s{cfg};
  std::int64_t now = 0;
  enqueue_many(s, 30, permit_class::market_data, "poll", now);
  enqueue_many(s, 5, permit_class::history, "warm-up", now);
  std::vector<permit_class> order;
  bool order_sent = false;
  while (order.size() < 36) {
    for (const auto& g : poll_left(s, now)) {
      order.push_back(g.value.cls);
      if (!order_sent && order.size() == 7) { // an order arrives mid-way: it is next
        s.enqueue(permit_class::order, "exec", now);
        order_sent = true;
      }
    }
    auto due = s.next_due(now);
    if (!due)
      break;
    now = *due;
  }
  ASSERT_EQ(order.size(), 36u);
  EXPECT_EQ(order[7], permit_class::order);
  std::vector<std::size_t> history_at;
  for (std::size_t i = 0; i < order.size(); ++i)
    if (order[i] == permit_class::history)
      history_at.push_back(i);
  ASSERT_EQ(history_at.size(), 5u);
  EXPECT_EQ(history_at.front(), 2u); // after two polls
  for (std::size_t k = 1; k < history_at.size(); ++k)
    EXPECT_LE(history_at[k] - history_at[k - 1], 4u) << "at most two polls (and the order) between";
  cfg.floor_every = 0; // strict priority: history after every poll
  permit_scheduler strict{cfg};
  now = 0;
  strict.enqueue(permit_class::history, "warm-up", now);
  for (int i = 0; i < 5; ++i)
    strict.enqueue(permit_class::market_data, "poll", now);
  auto all = drain(strict, now);
  ASSERT_EQ(all.size(), 6u);
  EXPECT_EQ(all.back().value.cls, permit_class::history);
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
    for (const auto& g : poll_left(s, now)) {
      all.push_back(g.value.granted_ns);
      if (g.value.cls == permit_class::order)
        waits.push_back(g.value.waited_ns);
      else
        ++queries;
    }
  };
  while (now < 60 * sec) {
    // Full query load: 50 requesters always have a query waiting.
    while (s.stats(now).waiting_by_class[market] < 50)
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
  enqueue_many(s, 50, permit_class::market_data, "greedy", now);
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
  EXPECT_TRUE(poll_left(s, now).empty()); // paused
  EXPECT_EQ(s.next_due(now), 500 * ms);
  enqueue_many(s, 99, permit_class::market_data, "q", now);
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

// The server counts arrivals: a refusal says the path's jitter is wider than the margin, so the
// margin grows a step per pause, and narrows again after quiet minutes of successes.
TEST(PermitScheduler, RateLimitedWidensTheMarginAndQuietTimeNarrowsIt) {
  auto cfg = real_limits();
  cfg.safety_margin = std::chrono::milliseconds{10};
  cfg.margin_step = std::chrono::milliseconds{25};
  cfg.max_margin = std::chrono::milliseconds{60};
  cfg.relax_after = std::chrono::seconds{60};
  cfg.backoff_pause = std::chrono::milliseconds{100};
  cfg.recovery_per_success = 100; // the rate is back at the limit after one success
  permit_scheduler s{cfg};
  EXPECT_DOUBLE_EQ(s.stats(0).safety_margin_s, 0.010);
  s.on_outcome(kis::call_result::rate_limited, 0);
  s.on_outcome(kis::call_result::rate_limited, ms); // the same pause: one step
  EXPECT_DOUBLE_EQ(s.stats(ms).safety_margin_s, 0.035);
  s.on_outcome(kis::call_result::rate_limited, 200 * ms);
  s.on_outcome(kis::call_result::rate_limited, 400 * ms);
  EXPECT_DOUBLE_EQ(s.stats(400 * ms).safety_margin_s, 0.060); // capped
  s.on_outcome(kis::call_result::success, 30 * sec);
  EXPECT_DOUBLE_EQ(s.stats(30 * sec).safety_margin_s, 0.060); // not quiet long enough
  s.on_outcome(kis::call_result::success, 61 * sec);
  EXPECT_DOUBLE_EQ(s.stats(61 * sec).safety_margin_s, 0.055);
  // The wider margin holds the window: 19 grants need more than a second and a margin.
  std::int64_t now = 62 * sec;
  enqueue_many(s, 19, permit_class::order, "o", now);
  auto grants = drain(s, now);
  ASSERT_EQ(grants.size(), 19u);
  EXPECT_GE(grants.back().value.granted_ns - grants.front().value.granted_ns, sec + 55 * ms);
}

TEST(PermitScheduler, CancelledRequestersReleaseTheirPlace) {
  permit_scheduler s{real_limits()};
  std::int64_t now = 0;
  enqueue_many(s, 18, permit_class::order, "fill", now);
  EXPECT_EQ(poll_left(s, now).size(), 18u);
  enqueue_many(s, 3, permit_class::market_data, "quitter", now);
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
  enqueue_many(s, 20, permit_class::market_data, "q", now);
  auto grants = drain(s, now);
  s.on_outcome(kis::call_result::success, now);
  s.on_outcome(kis::call_result::failure, now);
  const auto st = s.stats(now);
  EXPECT_EQ(st.total_calls, 20u);
  EXPECT_DOUBLE_EQ(st.success_rate, 0.5);
  EXPECT_EQ(st.limit, 18u);
  EXPECT_EQ(st.granted_by_class[market], 20u);
  // One per slot (1.005 s / 18): the last at 19 slots, 18 of them in the trailing second.
  EXPECT_EQ(st.calls_last_second, 18u);
  const auto hs = s.wait_histograms();
  ASSERT_EQ(hs.size(), kis::permit_class_count);
  const auto& md = hs[market];
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

// A stalled pool: permits are granted at a legal pace, but their requests leave late and all
// together. Because an unsent permit counts as spent "now" until it leaves, the requests that
// leave together are never more than the limit, whatever the delay.
TEST(PermitScheduler, RequestsThatLeaveLateNeverOverfillASecondAtTheServer) {
  auto cfg = real_limits();
  permit_scheduler s{cfg};
  std::mt19937_64 rng{11};
  std::uniform_int_distribution<std::int64_t> delay(0, 3 * sec); // stuck in a pool up to 3 s
  std::int64_t now = 0;
  std::vector<std::pair<std::int64_t, std::uint64_t>> pending; // leave time, permit
  std::vector<std::int64_t> left;
  for (int i = 0; i < 400; ++i)
    s.enqueue(i % 5 == 0 ? permit_class::order : permit_class::market_data, "r", now);
  while (left.size() < 400) {
    for (const auto& g : s.poll(now))
      pending.emplace_back(now + delay(rng), g.value.id);
    std::sort(pending.begin(), pending.end());
    // The next event: a request leaves, or the scheduler wants to grant.
    auto due = s.next_due(now);
    std::int64_t next = due ? *due : std::numeric_limits<std::int64_t>::max();
    if (!pending.empty())
      next = std::min(next, pending.front().first);
    ASSERT_NE(next, std::numeric_limits<std::int64_t>::max());
    now = std::max(now, next);
    while (!pending.empty() && pending.front().first <= now) {
      s.on_left(pending.front().second, now);
      left.push_back(now);
      pending.erase(pending.begin());
    }
  }
  EXPECT_LE(kis::test::max_in_any_window(left, sec), 18u);
  EXPECT_LE(s.stats(now).max_in_window, 18u);
}

TEST(PermitScheduler, APermitGivenBackCountsForNothing) {
  permit_scheduler s{real_limits()};
  std::int64_t now = 0;
  enqueue_many(s, 19, permit_class::order, "o", now);
  auto grants = s.poll(now);
  ASSERT_EQ(grants.size(), 18u);
  EXPECT_TRUE(s.poll(now).empty());
  EXPECT_FALSE(s.next_due(now).has_value() && *s.next_due(now) <= now);
  s.on_unused(grants[0].value.id); // never left: its place is free at once
  auto next = s.poll(now);
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(s.stats(now).total_calls, 18u); // 19 granted, one given back
}

TEST(PermitScheduler, UnansweredCallsCapWhatIsInFlightAndOrdersKeepALane) {
  auto cfg = real_limits();
  cfg.max_in_flight = 4;
  cfg.order_lanes = 1;
  cfg.query_spacing = 0;
  permit_scheduler s{cfg};
  std::int64_t now = 0;
  enqueue_many(s, 10, permit_class::market_data, "q", now);
  auto q = poll_left(s, now);
  ASSERT_EQ(q.size(), 3u); // four lanes, one kept for orders
  EXPECT_EQ(s.in_flight(), 3u);
  s.enqueue(permit_class::order, "o", now);
  auto o = poll_left(s, now);
  ASSERT_EQ(o.size(), 1u);
  EXPECT_EQ(o[0].value.cls, permit_class::order);
  EXPECT_TRUE(poll_left(s, now + sec).empty()); // every lane busy: time alone does not help
  s.on_outcome(kis::call_result::success, now + sec, q[0].value.id);
  EXPECT_EQ(poll_left(s, now + sec).size(), 0u); // the freed lane is the order lane's turn...
  s.on_outcome(kis::call_result::success, now + sec, o[0].value.id);
  EXPECT_EQ(poll_left(s, now + sec).size(), 1u); // ...until fewer than three queries fly
}

TEST(PermitScheduler, CallsOfAPreviousProcessCountInTheFirstSecond) {
  permit_scheduler s{real_limits()};
  std::int64_t now = 10 * sec;
  // The previous process spent 18 permits in the last 400 ms before it died.
  std::vector<std::int64_t> earlier;
  for (int i = 0; i < 18; ++i)
    earlier.push_back(now - 400 * ms + i * ms);
  s.assume_spent(earlier);
  s.enqueue(permit_class::order, "o", now);
  EXPECT_TRUE(poll_left(s, now).empty());
  auto due = s.next_due(now);
  ASSERT_TRUE(due.has_value());
  EXPECT_EQ(*due, earlier.front() + sec + 5 * ms); // when the oldest leaves the window
  EXPECT_EQ(poll_left(s, *due).size(), 1u);
}

TEST(PermitScheduler, LostReportsExpireOnTheSafeSide) {
  auto cfg = real_limits();
  cfg.unsent_limit = std::chrono::seconds{2};
  cfg.finish_after = std::chrono::seconds{5};
  cfg.max_in_flight = 18;
  cfg.order_lanes = 0;
  permit_scheduler s{cfg};
  std::int64_t now = 0;
  enqueue_many(s, 19, permit_class::order, "o", now);
  ASSERT_EQ(s.poll(now).size(), 18u); // nobody ever reports on these
  auto due = s.next_due(now);
  ASSERT_TRUE(due.has_value());
  EXPECT_EQ(*due, 2 * sec); // taken as spent at 2 s: they hold the window until 3 s
  EXPECT_TRUE(s.poll(*due).empty());
  EXPECT_EQ(s.unsent(), 0u);
  // Lanes stay taken until the answer's limit; then the window rule alone remains.
  due = s.next_due(2 * sec);
  ASSERT_TRUE(due.has_value());
  EXPECT_EQ(*due, 5 * sec);
  EXPECT_EQ(s.poll(*due).size(), 1u);
}
