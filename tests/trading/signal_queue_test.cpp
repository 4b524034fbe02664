// The executor's signal queue on its own: priority then arrival order, the bound the executor
// refuses on (back-pressure), emptying for the kill switch, and staged exposure.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "actors/trading/signal_queue.hpp"

namespace {

using kis::side;

kis::queued_signal queued(const std::string& reason, std::int32_t priority,
                          const std::string& symbol = "005930", side dir = side::buy,
                          std::int64_t qty = 1) {
  kis::signal s;
  s.strategy_id = "s";
  s.symbol = symbol;
  s.dir = dir;
  s.qty = qty;
  s.priority = priority;
  s.reason = reason;
  return {s, {}};
}

std::vector<std::string> drain(kis::signal_queue& q) {
  std::vector<std::string> out;
  while (!q.empty())
    out.push_back(q.pop().sig.reason);
  return out;
}

TEST(SignalQueue, HigherPriorityFirstThenArrivalOrder) {
  kis::signal_queue q{10};
  q.push(queued("low-1", 0));
  q.push(queued("high-1", 5));
  q.push(queued("low-2", 0));
  q.push(queued("high-2", 5));
  q.push(queued("neg", -3));
  q.push(queued("mid", 1));
  EXPECT_EQ(drain(q),
            (std::vector<std::string>{"high-1", "high-2", "mid", "low-1", "low-2", "neg"}));
}

TEST(SignalQueue, ArrivalOrderHoldsAcrossPops) {
  kis::signal_queue q{10};
  q.push(queued("a", 1));
  q.push(queued("b", 1));
  EXPECT_EQ(q.pop().sig.reason, "a");
  q.push(queued("c", 1)); // later than b although pushed after a pop
  q.push(queued("d", 2));
  EXPECT_EQ(drain(q), (std::vector<std::string>{"d", "b", "c"}));
}

TEST(SignalQueue, FullAtCapacityAndFreeAgainAfterPop) {
  kis::signal_queue q{2};
  EXPECT_EQ(q.capacity(), 2u);
  EXPECT_TRUE(q.empty());
  EXPECT_FALSE(q.full());
  q.push(queued("a", 0));
  EXPECT_FALSE(q.full());
  q.push(queued("b", 0));
  EXPECT_TRUE(q.full()); // the executor refuses with queue_full from here
  EXPECT_EQ(q.size(), 2u);
  q.pop();
  EXPECT_FALSE(q.full());
  EXPECT_EQ(q.size(), 1u);
}

TEST(SignalQueue, TakeAllEmptiesInQueueOrder) {
  kis::signal_queue q{5};
  q.push(queued("a", 0));
  q.push(queued("b", 9));
  q.push(queued("c", 0));
  auto all = q.take_all();
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].sig.reason, "b");
  EXPECT_EQ(all[1].sig.reason, "a");
  EXPECT_EQ(all[2].sig.reason, "c");
  EXPECT_TRUE(q.empty());
  EXPECT_FALSE(q.full());
  EXPECT_TRUE(q.take_all().empty());
}

TEST(SignalQueue, StagedExposurePerSymbolAndSide) {
  kis::signal_queue q{5};
  auto buy = queued("b", 0, "005930", side::buy, 10).sig;
  auto sell = queued("s", 0, "005930", side::sell, 4).sig;
  auto other = queued("o", 0, "000660", side::buy, 7).sig;
  q.stage(buy, +1);
  q.stage(buy, +1);
  q.stage(sell, +1);
  q.stage(other, +1);
  auto x = q.staged("005930");
  EXPECT_EQ(x.pending_buy, 20);
  EXPECT_EQ(x.pending_sell, 4);
  EXPECT_EQ(x.position, 0);
  EXPECT_EQ(q.staged("000660").pending_buy, 7);
  q.stage(buy, -1);
  q.stage(sell, -1);
  x = q.staged("005930");
  EXPECT_EQ(x.pending_buy, 10);
  EXPECT_EQ(x.pending_sell, 0);
  auto none = q.staged("035720");
  EXPECT_EQ(none.pending_buy, 0);
  EXPECT_EQ(none.pending_sell, 0);
}

} // namespace
