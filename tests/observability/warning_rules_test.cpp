// The warning rules on hand-made snapshots and a manual clock: what needs a person warns once
// per episode and says what to do; what is the engine's normal state never warns.
#include "actors/observability/warning_rules.hpp"

#include <gtest/gtest.h>

namespace kis {
namespace {

using namespace std::chrono_literals;
namespace m = metric_names;
using enum metric_type;

struct RulesTest : ::testing::Test {
  warning_thresholds t;
  warning_rules rules{t};
  warning_rules::time_point now{};
  std::vector<metrics_warning> all;

  std::vector<metrics_warning> eval(const std::vector<actor_sample>& actors,
                                    std::chrono::seconds step = 1s) {
    now += step;
    metrics_snapshot snap;
    snap.actors = actors;
    auto out = rules.evaluate(snap, 0, now);
    all.insert(all.end(), out.begin(), out.end());
    return out;
  }
  static actor_sample sample(std::string name, std::vector<metric_point> values) {
    actor_sample s;
    s.actor = std::move(name);
    s.values = std::move(values);
    return s;
  }
  // The rate governor's sample: its rate, its window margin, and its order-class permit waits
  // (cumulative counts per bound, then +Inf).
  static actor_sample order_waits(double rate, double margin, std::vector<double> bounds,
                                  std::vector<std::uint64_t> counts) {
    histogram_point h;
    h.name = m::permit_wait_seconds;
    h.labels = {{"class", "order"}};
    h.bounds = std::move(bounds);
    h.count = counts.back();
    h.counts = std::move(counts);
    auto s = sample("rate_governor", {{m::rest_rate_limit, gauge, {}, rate},
                                      {"rest_safety_margin_seconds", gauge, {}, margin}});
    s.histograms = {h};
    return s;
  }
  std::size_t raised(const std::string& key) const {
    return static_cast<std::size_t>(std::count_if(
        all.begin(), all.end(), [&](const auto& w) { return w.raised && w.key == key; }));
  }
};

TEST_F(RulesTest, AFullBudgetAndFullSlotsAreNormal) {
  for (int i = 0; i < 10; ++i)
    eval({sample("rate_governor",
                 {{m::rest_calls_last_second, gauge, {}, 18}, {m::rest_rate_limit, gauge, {}, 18}}),
          sample("ws_feed", {{m::ws_registrations, gauge, {}, 41},
                             {m::ws_registrations_limit, gauge, {}, 41},
                             {m::ws_frames_total, counter, {}, 100.0 * i}})});
  EXPECT_TRUE(all.empty());
}

TEST_F(RulesTest, Egw00201WarnsOnceSaysWhatToDoAndClearsWhenQuiet) {
  auto gw = [](double n) {
    return sample("rest_gateway", {{m::api_error_codes_total, counter, {{"code", "EGW00201"}}, n},
                                   {m::api_error_codes_total, counter, {{"code", "EGW00121"}}, 7}});
  };
  EXPECT_TRUE(eval({gw(0)}).empty());
  auto edges = eval({gw(2)});
  ASSERT_EQ(edges.size(), 1u);
  EXPECT_TRUE(edges[0].raised);
  EXPECT_NE(edges[0].message.find("rate_limit"), std::string::npos); // what to do
  EXPECT_NE(edges[0].message.find("2 new"), std::string::npos);
  eval({gw(3)}); // more during the episode: no new line
  EXPECT_EQ(raised("egw00201:rest_gateway"), 1u);
  eval({gw(3)}, 30s);
  EXPECT_EQ(all.size(), 1u); // not yet quiet for a minute
  edges = eval({gw(3)}, 31s);
  ASSERT_EQ(edges.size(), 1u);
  EXPECT_FALSE(edges[0].raised);
  eval({gw(4)});
  EXPECT_EQ(raised("egw00201:rest_gateway"), 2u);
}

TEST_F(RulesTest, AnOrderThatWaitedLongerThanABudgetSlotWarns) {
  auto gov = [](std::uint64_t slow) { // `slow` waits between 0.1 and 1 s
    return order_waits(18, 0, {0.01, 0.05, 0.1, 1}, {10, 10, 10, 10 + slow, 10 + slow});
  };
  eval({gov(0)});
  EXPECT_TRUE(all.empty()); // 18/s: one slot is 55.6 ms, counted above the 100 ms bound
  eval({gov(1)});
  ASSERT_EQ(raised("order_wait:rate_governor"), 1u);
  EXPECT_NE(all.back().message.find("order_reserve"), std::string::npos);
}

// At paper's 1 call/s an order that arrives just after a grant waits the whole window plus
// the margin: that is one slot, not a warning; two slots are.
TEST_F(RulesTest, AtOneCallASecondAWholeSlotPlusTheMarginIsNoWarning) {
  auto gov = [](std::uint64_t slow) { // 6 waits of 1-2 s, `slow` of 2-5 s
    return order_waits(1, 0.01, {0.5, 1, 2, 5}, {2, 4, 10, 10 + slow, 10 + slow});
  };
  eval({gov(0)});
  EXPECT_TRUE(all.empty());
  eval({gov(1)});
  EXPECT_EQ(raised("order_wait:rate_governor"), 1u);
}

TEST_F(RulesTest, ASilentFeedWarnsOnlyWhileItHoldsRegistrations) {
  auto feed = [](double frames, double regs) {
    return sample("ws_feed", {{m::ws_frames_total, counter, {}, frames},
                              {m::ws_registrations, gauge, {}, regs}});
  };
  eval({feed(10, 0)});
  eval({feed(10, 0)}, 120s); // nothing registered: quiet is fine
  EXPECT_TRUE(all.empty());
  eval({feed(10, 5)}, 59s);
  EXPECT_TRUE(all.empty());
  eval({feed(10, 5)}, 61s);
  ASSERT_EQ(raised("feed_silent:ws_feed"), 1u);
  EXPECT_NE(all.back().message.find("network"), std::string::npos);
  auto edges = eval({feed(11, 5)});
  ASSERT_EQ(edges.size(), 1u);
  EXPECT_FALSE(edges[0].raised);
}

TEST_F(RulesTest, TokenLifeShortMeansTheRefreshFailed) {
  auto keeper = [](double left) {
    return sample("token_keeper", {{m::token_remaining_seconds, gauge, {}, left}});
  };
  eval({keeper(3600)});
  eval({keeper(0)}); // no token yet is not an episode
  EXPECT_TRUE(all.empty());
  eval({keeper(240)});
  ASSERT_EQ(raised("token_life:token_keeper"), 1u);
  EXPECT_NE(all.back().message.find("KIS_APP_KEY"), std::string::npos);
  eval({keeper(86000)}); // refreshed
  EXPECT_FALSE(all.back().raised);
}

TEST_F(RulesTest, JournalErrorsWarn) {
  auto exec = [](double errors) {
    return sample("order_executor", {{"executor_journal_errors_total", counter, {}, errors}});
  };
  eval({exec(0)});
  eval({exec(1)});
  ASSERT_EQ(raised("journal:order_executor"), 1u);
  EXPECT_NE(all.back().message.find("disk"), std::string::npos);
}

TEST_F(RulesTest, MailboxGrowthWarnsABurstDoesNot) {
  auto actor = [](std::uint64_t depth) {
    auto s = sample("analyzer-1", {});
    s.mailbox_depth_max = depth;
    return s;
  };
  eval({actor(5000)});
  eval({actor(10)}); // one burst, worked off
  eval({actor(5000)});
  eval({actor(6000)});
  EXPECT_TRUE(all.empty());
  eval({actor(7000)}); // three rounds in a row
  ASSERT_EQ(raised("mailbox:analyzer-1"), 1u);
  EXPECT_NE(all.back().message.find("[analyzers] count"), std::string::npos);
  ASSERT_FALSE(rules.recent().empty());
  EXPECT_EQ(rules.recent().back().key, "mailbox:analyzer-1");
}

} // namespace
} // namespace kis
