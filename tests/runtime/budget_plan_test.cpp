// The budget plan without an engine: what a paper account (1 call/s) and a real one (18/s) get
// from the same defaults, and the start log's one line.
#include "runtime/budget_plan.hpp"

#include <gtest/gtest.h>

namespace kis::runtime {
namespace {

engine_config with_rate(int rate) {
  engine_config cfg;
  cfg.budget.rate_limit = rate;
  return cfg;
}

TEST(BudgetPlan, PaperGetsOneHistoryCallASymbolAndPollsInsideItsShare) {
  auto p = plan_budget(with_rate(1), 60, 10, true);
  EXPECT_EQ(p.rate, 1);
  EXPECT_EQ(p.on_websocket, 40u); // 41 registrations, one for execution notices
  EXPECT_EQ(p.polled, 20u);
  // 20 symbols inside half of 1 call/s: each at most every 40 s.
  EXPECT_GE(p.poll_interval, std::chrono::seconds{40});
  EXPECT_EQ(p.history_days, 90); // ~97 trading days of calendar range: one 100-row page
  EXPECT_EQ(p.governor.limit, 1u);
  EXPECT_GT(p.governor.floor_every, 0u) << "polling must not starve history at 1/s";
  EXPECT_GE(p.governor.max_in_flight, p.governor.order_lanes + 1);
  auto line = p.describe();
  EXPECT_NE(line.find("budget 1/s: orders first"), std::string::npos) << line;
  EXPECT_NE(line.find("40 symbols on WebSocket, 20 polled every 40s"), std::string::npos) << line;
  EXPECT_NE(line.find("history 90 days for 10 strategy symbols"), std::string::npos) << line;
}

TEST(BudgetPlan, RealGetsLongerHistoryAndFasterPolls) {
  auto p = plan_budget(with_rate(18), 60, 10, true);
  EXPECT_EQ(p.history_days, 120);
  EXPECT_LT(p.poll_interval, std::chrono::seconds{40});
  EXPECT_EQ(p.governor.limit, 18u);
  auto cfg = with_rate(18);
  cfg.analyzers.history_days = 0;
  EXPECT_NE(plan_budget(cfg, 60, 10, true).describe().find("history off"), std::string::npos);
}

} // namespace
} // namespace kis::runtime
