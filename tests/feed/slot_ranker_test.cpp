// The slot ranker on a manual clock: a symbol that becomes active gets a slot at the next
// re-rank, slots do not flap, orders and positions are pinned, costs count registrations.
#include "actors/feed/slot_ranker.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace kis {
namespace {

using namespace std::chrono_literals;

// The feed's side of the ranker: applies each plan to the set of holders.
struct ranked_feed {
  explicit ranked_feed(slot_ranker_config cfg = {})
      : ranker(cfg, [this] { return now; }) {}

  slot_ranker::time_point now{};
  slot_ranker ranker;
  std::set<std::string> holders;
  std::size_t capacity = 3;
  std::size_t moves = 0;

  void want(std::initializer_list<const char*> syms, std::uint32_t cost = 1) {
    for (auto* s : syms)
      ranker.want(s, cost);
  }
  slot_ranker::plan rerank() {
    auto p = ranker.rerank(holders, capacity);
    for (const auto& s : p.release)
      holders.erase(s);
    for (const auto& s : p.grant)
      holders.insert(s);
    moves += p.release.size();
    return p;
  }
  bool holds(const std::string& s) const { return holders.count(s) != 0; }
};

symbol_interest active(const std::string& sym, double turnover, double range = 0) {
  symbol_interest i;
  i.symbol = sym;
  i.followed = true;
  i.turnover = turnover;
  i.range_pct = range;
  return i;
}

symbol_interest followed(const std::string& sym) {
  return active(sym, 0);
}

TEST(SlotRanker, FillsFreeRoomAtOnceAndSaysWhoWaits) {
  ranked_feed f;
  f.want({"A", "B", "C", "D", "E"});
  auto p = f.rerank();
  EXPECT_EQ(p.grant.size(), 3u);
  EXPECT_TRUE(p.release.empty());
  EXPECT_EQ(f.holders, (std::set<std::string>{"A", "B", "C"})); // equal scores: by code
}

TEST(SlotRanker, ASymbolThatBecomesActiveGetsASlotAtTheNextRerank) {
  const auto period = 10s;
  ranked_feed f;
  f.want({"A", "B", "C", "D", "E"});
  f.ranker.report(
      {"analyzer-1", {followed("A"), followed("B"), followed("C"), followed("D"), followed("E")}});
  f.rerank();
  f.now += 5 * period; // the first holders are settled
  ASSERT_FALSE(f.holds("E"));
  // E starts trading between two re-ranks; the analyzer's report says so.
  f.now += period / 2;
  f.ranker.report(
      {"analyzer-1",
       {followed("A"), followed("B"), followed("C"), followed("D"), active("E", 5e9, 2.5)}});
  f.now += period / 2;
  auto p = f.rerank();
  EXPECT_TRUE(f.holds("E"));
  EXPECT_EQ(p.grant, std::vector<std::string>{"E"});
  EXPECT_EQ(p.release, std::vector<std::string>{"C"}); // the weakest holder (ties: by code)
}

TEST(SlotRanker, CloseScoresDoNotFlap) {
  slot_ranker_config cfg;
  cfg.min_hold = 0s; // the margin alone
  ranked_feed f{cfg};
  f.capacity = 2;
  f.want({"A", "B", "C"});
  for (int round = 0; round < 50; ++round) {
    // Turnover jitters by less than the margin (about 3x): the order flips every round.
    const bool odd = round % 2 != 0;
    f.ranker.report(
        {"analyzer-1",
         {active("A", odd ? 2e8 : 3e8), active("B", 2.5e8), active("C", odd ? 3e8 : 2e8)}});
    f.rerank();
    f.now += 10s;
  }
  EXPECT_EQ(f.moves, 0u);
}

TEST(SlotRanker, SwingingActivityMovesASlotAtMostOncePerMinHold) {
  slot_ranker_config cfg;
  cfg.min_hold = 30s;
  ranked_feed f{cfg};
  f.capacity = 1;
  f.want({"A", "B"});
  std::vector<slot_ranker::time_point> moved_at;
  for (int round = 0; round < 60; ++round) {
    // A and B take turns being far more active than the other, every 10 s re-rank.
    const bool a_turn = round % 2 == 0;
    f.ranker.report(
        {"analyzer-1", {active("A", a_turn ? 1e10 : 0), active("B", a_turn ? 0 : 1e10)}});
    if (!f.rerank().release.empty())
      moved_at.push_back(f.now);
    f.now += 10s;
  }
  ASSERT_FALSE(moved_at.empty());
  for (std::size_t i = 1; i < moved_at.size(); ++i)
    EXPECT_GE(moved_at[i] - moved_at[i - 1], cfg.min_hold);
}

TEST(SlotRanker, OpenOrdersAndPositionsArePinned) {
  slot_ranker_config cfg;
  cfg.max_moves = 1;
  ranked_feed f{cfg};
  f.capacity = 2;
  f.want({"A", "B", "P", "Q"});
  f.ranker.report(
      {"analyzer-1", {active("A", 1e11, 10), active("B", 1e11, 10), followed("P"), followed("Q")}});
  f.rerank();
  ASSERT_EQ(f.holders, (std::set<std::string>{"A", "B"}));
  // The executor opens orders in P and Q: both get in at once, whatever max_moves and min_hold.
  symbol_interest p{"P", true}, q{"Q", true};
  f.ranker.report({"executor", {p, q}});
  f.now += 1s;
  f.rerank();
  EXPECT_EQ(f.holders, (std::set<std::string>{"P", "Q"}));
  // However active the others become, pinned slots stay.
  for (int round = 0; round < 10; ++round) {
    f.now += 60s;
    f.ranker.report({"analyzer-1",
                     {active("A", 1e12, 30), active("B", 1e12, 30), followed("P"), followed("Q")}});
    f.rerank();
    EXPECT_EQ(f.holders, (std::set<std::string>{"P", "Q"}));
  }
  // The position in P closes: its slot goes back to the most active symbol.
  f.ranker.report({"executor", {q}});
  f.now += 60s;
  f.rerank();
  EXPECT_TRUE(f.holds("Q"));
  EXPECT_EQ(f.holders.size(), 2u);
  EXPECT_FALSE(f.holds("P"));
}

TEST(SlotRanker, FollowedSymbolsComeBeforeMerelyWatchedOnes) {
  ranked_feed f;
  f.capacity = 1;
  f.want({"W", "S"});
  symbol_interest watched_only{"W"};
  watched_only.turnover = 1e12;
  f.ranker.report({"analyzer-1", {watched_only, followed("S")}});
  f.rerank();
  EXPECT_TRUE(f.holds("S"));
}

TEST(SlotRanker, TradeAndBookRegistrationsBothCount) {
  ranked_feed f;
  f.capacity = 3;
  f.ranker.want("A", 2); // trades and book
  f.ranker.want("B", 2);
  f.ranker.want("C", 1);
  f.rerank();
  EXPECT_EQ(f.holders, (std::set<std::string>{"A", "C"})); // 2 + 1 registrations
}

TEST(SlotRanker, StaleActivityCountsNothingAndSignalsCountOnce) {
  slot_ranker_config cfg;
  cfg.stale_after = 60s;
  ranked_feed f{cfg};
  f.ranker.want("A", 1);
  f.ranker.report({"analyzer-1", {active("A", 1e9, 3)}});
  EXPECT_NEAR(f.ranker.score_of("A"), 3 + 3.0, 0.01); // log10(1 + 1000) + 3 % range
  f.now += 61s;
  EXPECT_DOUBLE_EQ(f.ranker.score_of("A"), 0);
  symbol_interest sig{"A", false, true, 0, 0, 4};
  f.ranker.report({"executor", {sig}});
  EXPECT_DOUBLE_EQ(f.ranker.score_of("A"), 4);
  EXPECT_EQ(f.ranker.tier_of("A"), slot_ranker::followed);
  f.rerank(); // the four signals are seen; only new ones count from now on
  EXPECT_DOUBLE_EQ(f.ranker.score_of("A"), 0);
  sig.signals = 5;
  f.ranker.report({"executor", {sig}});
  EXPECT_DOUBLE_EQ(f.ranker.score_of("A"), 1);
}

TEST(SlotRanker, ASymbolNobodyWantsLeavesTheRanking) {
  ranked_feed f;
  f.want({"A", "B"});
  f.rerank();
  f.ranker.unwant("A");
  EXPECT_FALSE(f.ranker.wanted("A"));
  f.holders.erase("A");
  f.ranker.want("C", 1);
  auto p = f.rerank();
  EXPECT_EQ(p.grant, std::vector<std::string>{"C"});
}

} // namespace
} // namespace kis
