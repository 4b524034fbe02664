// The strategy API as a user sees it: parameters, registry, and the two example strategies
// driven with synthetic events through a recording context (no actors needed).
#include <gtest/gtest.h>

#include "messages/errors.hpp"
#include "strategies/registry.hpp"
#include "support/strategy_events.hpp"

namespace {

using namespace kis;
using kis::signal; // not ::signal from <csignal>
using kis::test::bar_event;
using kis::test::day0;
using kis::test::minute_ns;
using kis::test::tick;

// Records what a strategy emits; the host's role in these tests.
class recording_context final : public strategy_context {
public:
  std::vector<signal> signals;
  std::string id = "test";
  std::int64_t now = 1'767'225'600'000'000'000;
  void emit(signal s) override {
    s.strategy_id = id;
    signals.push_back(std::move(s));
  }
  std::int64_t now_ns() const override { return now; }
  const std::string& strategy_id() const override { return id; }
};

// A strategy written only against the public API: buys once when a tick crosses a level.
class level_cross final : public strategy {
public:
  void on_start(strategy_params& p) override {
    level_ = p.get<std::int64_t>("level", 100);
    qty_ = p.get<std::int64_t>("qty", 1);
    label_ = p.get<std::string>("label", "cross");
  }
  void on_tick(const market_event& ev) override {
    if (!done_ && ev.price > level_)
      done_ = emit(limit_order(ev.symbol, side::buy, qty_, ev.price, label_));
  }
  void on_order_update(const order_update& up) override { updates.push_back(up); }
  std::vector<order_update> updates;

private:
  std::int64_t level_ = 100, qty_ = 1;
  std::string label_;
  bool done_ = false;
};

KIS_REGISTER_STRATEGY("level_cross_test", level_cross)

order_update fill(const signal& s, std::int64_t qty) {
  order_update up;
  up.client_id = "c1";
  up.strategy_id = s.strategy_id;
  up.symbol = s.symbol;
  up.dir = s.dir;
  up.status = order_status::filled;
  up.qty = s.qty;
  up.filled_qty = qty;
  up.avg_fill_price = s.price;
  up.last_fill_qty = qty;
  up.last_fill_price = s.price;
  return up;
}

// Creates a registered strategy, starts it with params and binds it to ctx.
std::unique_ptr<strategy> start(const char* name, strategy_params params, recording_context& ctx) {
  auto st = strategy_registry::global().make(name);
  EXPECT_NE(st, nullptr) << name;
  if (!st)
    return st;
  st->on_start(params);
  EXPECT_FALSE(params.check(name)) << name;
  st->bind(&ctx);
  return st;
}

TEST(StrategyParams, ReadsTypedValuesWithFallbacks) {
  strategy_params p{{{"fast", std::int64_t{3}}, {"pct", 1.5}, {"on", true}, {"tag", "x"}}};
  EXPECT_EQ(p.get<std::int64_t>("fast", 5), 3);
  EXPECT_DOUBLE_EQ(p.get<double>("pct", 0.0), 1.5);
  EXPECT_TRUE(p.get<bool>("on", false));
  EXPECT_EQ(p.get<std::string>("tag", "y"), "x");
  EXPECT_EQ(p.get<std::int64_t>("absent", 7), 7);
  EXPECT_FALSE(p.check("s"));
}

TEST(StrategyParams, AcceptsAnIntegerWhereANumberIsAsked) {
  strategy_params p{{{"target", std::int64_t{2}}}};
  EXPECT_DOUBLE_EQ(p.get<double>("target", 0.0), 2.0);
  EXPECT_FALSE(p.check("s"));
}

TEST(StrategyParams, WrongTypeIsATypedConfigError) {
  strategy_params p{{{"fast", std::string{"five"}}}};
  EXPECT_EQ(p.get<std::int64_t>("fast", 5), 5);
  auto err = p.check("ma");
  ASSERT_TRUE(err);
  auto v = view(err);
  EXPECT_EQ(v.code, errc::config);
  EXPECT_NE(v.message.find("'fast' must be an integer"), std::string::npos) << v.message;
}

TEST(StrategyParams, UnknownNameIsATypedConfigError) {
  strategy_params p{{{"fsat", std::int64_t{5}}}};
  p.get<std::int64_t>("fast", 5);
  auto v = view(p.check("ma"));
  EXPECT_EQ(v.code, errc::config);
  EXPECT_NE(v.message.find("unknown parameter 'fsat'"), std::string::npos) << v.message;
}

TEST(StrategyRegistry, KnowsTheExamplesAndTheTestStrategy) {
  auto& reg = strategy_registry::global();
  ASSERT_NE(reg.find("ma_cross"), nullptr);
  ASSERT_NE(reg.find("orb"), nullptr);
  EXPECT_TRUE(reg.find("ma_cross")->example);
  EXPECT_TRUE(reg.find("orb")->example);
  ASSERT_NE(reg.find("level_cross_test"), nullptr);
  EXPECT_FALSE(reg.find("level_cross_test")->example);
  EXPECT_EQ(reg.make("no_such_strategy"), nullptr);
  EXPECT_FALSE(reg.add("ma_cross", [] { return std::unique_ptr<strategy>{}; }));
}

TEST(StrategyApi, TestStrategyEmitsThroughItsContext) {
  recording_context ctx;
  auto st = start("level_cross_test", strategy_params{{{"level", std::int64_t{150}}}}, ctx);
  st->on_tick(tick("005930", 140, 1));
  EXPECT_TRUE(ctx.signals.empty());
  st->on_tick(tick("005930", 160, 2));
  st->on_tick(tick("005930", 170, 3));
  ASSERT_EQ(ctx.signals.size(), 1u);
  EXPECT_EQ(ctx.signals[0].strategy_id, "test");
  EXPECT_EQ(ctx.signals[0].symbol, "005930");
  EXPECT_EQ(ctx.signals[0].price, 160);
  EXPECT_EQ(ctx.signals[0].reason, "cross");
}

TEST(StrategyApi, EmitBeforeBindingIsRefused) {
  level_cross st;
  strategy_params p;
  st.on_start(p);
  st.on_tick(tick("005930", 1000, 1)); // not bound: nothing to send to, no crash
  recording_context ctx;
  st.bind(&ctx);
  st.on_tick(tick("005930", 1000, 2));
  EXPECT_EQ(ctx.signals.size(), 1u);
}

TEST(MaCross, BuysOnGoldenCrossAndSellsOnDeathCross) {
  recording_context ctx;
  auto st =
      start("ma_cross",
            strategy_params{
                {{"fast", std::int64_t{2}}, {"slow", std::int64_t{4}}, {"qty", std::int64_t{3}}}},
            ctx);
  std::int64_t t = day0 + 9 * 60 * minute_ns;
  for (std::int64_t px : {10000, 9900, 9800, 9700, 9600}) // falling: fast below slow
    st->on_bar(bar_event("000660", px, t += minute_ns));
  EXPECT_TRUE(ctx.signals.empty());
  for (std::int64_t px : {9800, 10100}) // rising: crosses above
    st->on_bar(bar_event("000660", px, t += minute_ns));
  ASSERT_EQ(ctx.signals.size(), 1u);
  auto buy = ctx.signals[0];
  EXPECT_EQ(buy.dir, side::buy);
  EXPECT_EQ(buy.qty, 3);
  EXPECT_EQ(buy.price, 10110); // one 10 KRW tick through the close
  st->on_bar(bar_event("000660", 10200, t += minute_ns));
  EXPECT_EQ(ctx.signals.size(), 1u); // no second buy while long or pending
  st->on_order_update(fill(buy, 3));
  for (std::int64_t px : {9000, 8500, 8000})
    st->on_bar(bar_event("000660", px, t += minute_ns));
  ASSERT_EQ(ctx.signals.size(), 2u);
  EXPECT_EQ(ctx.signals[1].dir, side::sell);
  EXPECT_EQ(ctx.signals[1].qty, 3);
}

TEST(MaCross, PricesStayOnTheKrxGrid) {
  recording_context ctx;
  auto st = start("ma_cross",
                  strategy_params{{{"fast", std::int64_t{1}}, {"slow", std::int64_t{2}}}}, ctx);
  std::int64_t t = day0;
  for (std::int64_t px : {5100, 5000, 4995})
    st->on_bar(bar_event("A", px, t += minute_ns));
  st->on_bar(bar_event("A", 5000, t += minute_ns)); // crosses up
  ASSERT_EQ(ctx.signals.size(), 1u);
  EXPECT_EQ(ctx.signals[0].price % krx_tick_size(ctx.signals[0].price), 0);
}

TEST(Orb, BuysTheBreakoutAndStopsOutBelowTheRange) {
  recording_context ctx;
  auto st = start(
      "orb", strategy_params{{{"range_bars", std::int64_t{3}}, {"qty", std::int64_t{2}}}}, ctx);
  std::int64_t t = day0 + 9 * 60 * minute_ns;
  st->on_bar(bar_event("005380", 50000, t, 50500, 49800));
  st->on_tick(tick("005380", 60000, t + 1)); // range not complete: no trade
  st->on_bar(bar_event("005380", 50200, t += minute_ns, 50600, 49900));
  st->on_bar(bar_event("005380", 50100, t += minute_ns, 50400, 49700));
  EXPECT_TRUE(ctx.signals.empty());
  st->on_tick(tick("005380", 50500, t + 1)); // inside the range
  EXPECT_TRUE(ctx.signals.empty());
  st->on_tick(tick("005380", 50700, t + 2)); // above 50600
  ASSERT_EQ(ctx.signals.size(), 1u);
  EXPECT_EQ(ctx.signals[0].dir, side::buy);
  EXPECT_EQ(ctx.signals[0].qty, 2);
  EXPECT_EQ(ctx.signals[0].price, 50800);
  st->on_order_update(fill(ctx.signals[0], 2));
  st->on_tick(tick("005380", 50700, t + 3));
  EXPECT_EQ(ctx.signals.size(), 1u);
  st->on_tick(tick("005380", 49600, t + 4)); // below 49700: stop
  ASSERT_EQ(ctx.signals.size(), 2u);
  EXPECT_EQ(ctx.signals[1].dir, side::sell);
  EXPECT_EQ(ctx.signals[1].qty, 2);
}

TEST(Orb, EntersOnceADayAndTakesProfit) {
  recording_context ctx;
  auto st =
      start("orb", strategy_params{{{"range_bars", std::int64_t{1}}, {"target_pct", 1.0}}}, ctx);
  std::int64_t t = day0 + 9 * 60 * minute_ns;
  st->on_bar(bar_event("A", 10000, t, 10000, 9900));
  st->on_tick(tick("A", 10100, t + 1));
  ASSERT_EQ(ctx.signals.size(), 1u);
  auto f = fill(ctx.signals[0], 1);
  f.avg_fill_price = 10100;
  st->on_order_update(f);
  st->on_tick(tick("A", 10250, t + 2)); // +1.5%: take profit
  ASSERT_EQ(ctx.signals.size(), 2u);
  EXPECT_EQ(ctx.signals[1].dir, side::sell);
  auto s = fill(ctx.signals[1], 1);
  st->on_order_update(s);
  st->on_tick(tick("A", 10300, t + 3)); // already entered today
  EXPECT_EQ(ctx.signals.size(), 2u);
}

} // namespace
