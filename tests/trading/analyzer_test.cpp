// Analyzers and strategy hosts under the test coordinator: bars and indicators from ticks,
// the WebSocket cap falling back to REST polling that never has two polls in flight and backs
// off while rate-limited, history on start; a hosted strategy's signals reaching the executor
// and refusals coming back as rejected order updates.
#include "support/caf_gtest.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "actors/trading/analyzer.hpp"
#include "actors/trading/order_executor.hpp"
#include "runtime/trading_actors.hpp"
#include "actors/trading/strategy_host.hpp"
#include "strategies/registry.hpp"
#include "support/metrics_probe.hpp"
#include "support/temp_path.hpp"
#include "tests/trading/fakes.hpp"

using namespace std::chrono_literals;

namespace {

constexpr std::int64_t s_ns = 1'000'000'000;
constexpr std::int64_t t0 = 1'767'225'600 * s_ns; // 2026-01-01 09:00:00 KST

kis::trade_tick trade(std::string sym, std::int64_t px, std::int64_t qty, std::int64_t at) {
  kis::trade_tick t;
  t.symbol = std::move(sym);
  t.price = px;
  t.qty = qty;
  t.exchange_ns = at;
  t.received_ns = at;
  return t;
}

struct AnalyzerTest : ::testing::Test, test_coordinator_fixture<> {
  std::shared_ptr<kis::test::gateway_record> gw = std::make_shared<kis::test::gateway_record>();
  std::shared_ptr<kis::test::feed_record> fd = std::make_shared<kis::test::feed_record>();
  std::shared_ptr<kis::test::strategy_record> st = std::make_shared<kis::test::strategy_record>();
  kis::rest_gateway_impl_actor gateway;
  kis::ws_feed_actor feed;
  kis::strategy_actor strategy;
  kis::analyzer_actor an;
  kis::analyzer_config cfg;

  void SetUp() override {
    gateway = kis::test::spawn_fake_gateway(sys, gw);
    feed = kis::test::spawn_fake_feed(sys, fd);
    strategy = kis::test::spawn_fake_strategy(sys, st);
    cfg.name = "a0";
    cfg.history_days = 0;
    cfg.sma_fast = 2;
    cfg.sma_slow = 3;
    cfg.ema_period = 3;
    cfg.poll_interval = 1000ms;
    cfg.poll_max_interval = 8000ms;
    cfg.clock = std::make_shared<kis::manual_wall_clock>();
  }

  void start(bool with_feed = true) {
    an = kis::spawn_analyzer(sys, cfg, gateway, with_feed ? feed : kis::ws_feed_actor{});
    sched.run();
    for (const auto& sym : cfg.symbols)
      self->send(an, kis::follow_atom_v, sym, strategy);
    sched.run();
  }

  // A real executor on the fake gateway, its journal in a fresh file, for the hosted strategies.
  kis::order_executor_impl_actor spawn_executor(const char* journal_stem) {
    kis::executor_config ec;
    ec.journal_detached = false;
    ec.journal_path = kis::test::unique_temp_path(journal_stem, ".sqlite").string();
    ec.check_buyable = false;
    ec.clock = cfg.clock;
    auto exec = kis::spawn_order_executor(sys, ec, gateway, kis::ws_feed_actor{});
    EXPECT_TRUE(exec);
    return exec ? *exec : kis::order_executor_impl_actor{};
  }

  // A strategy host named "bt" on the fixture's clock, trading through `executor` or watching.
  kis::strategy_actor spawn_host(std::shared_ptr<kis::strategy> strat, bool trade,
                                 kis::order_executor_actor executor) {
    kis::strategy_host_config hc;
    hc.id = "bt";
    hc.trade = trade;
    hc.clock = cfg.clock;
    return kis::spawn_strategy_host(sys, std::move(strat), hc, std::move(executor));
  }

  // The tick the host tests send: symbol A at 10,000.
  static kis::market_event tick_a() {
    kis::market_event ev;
    ev.symbol = "A";
    ev.price = 10000;
    return ev;
  }

  void TearDown() override {
    for (auto a : {caf::actor_cast<caf::actor>(an), caf::actor_cast<caf::actor>(gateway),
                   caf::actor_cast<caf::actor>(feed), caf::actor_cast<caf::actor>(strategy)})
      if (a)
        caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
    sched.run();
  }

  double metric(const std::string& name, const std::string& src = "") {
    double out = -1;
    auto h = self->request(an, caf::infinite, kis::status_atom_v);
    sched.run();
    h.receive(
        [&](std::vector<kis::metric_point>& ms) {
          for (const auto& m : ms) {
            bool match = m.name == name;
            if (!src.empty())
              match = match && std::any_of(m.labels.begin(), m.labels.end(),
                                           [&](const auto& l) { return l.value == src; });
            if (match)
              out = m.value;
          }
        },
        [](caf::error&) {});
    return out;
  }

  std::vector<kis::market_event> events(kis::event_kind k) const {
    std::vector<kis::market_event> out;
    for (const auto& e : st->events)
      if (e.kind == k)
        out.push_back(e);
    return out;
  }

  int quote_calls(const std::string& sym) const {
    return static_cast<int>(std::count(gw->calls.begin(), gw->calls.end(), "quote:" + sym));
  }
};

TEST_F(AnalyzerTest, BuildsBarsAndIndicatorsFromTicks) {
  cfg.symbols = {"A"};
  start();
  EXPECT_EQ(fd->trades.size(), 1u);
  struct row {
    std::int64_t px, qty, at_s;
  };
  for (auto r : std::vector<row>{{100, 10, 0},
                                 {105, 10, 30},
                                 {95, 20, 59},    // bar 1: 100/105/95/95
                                 {110, 10, 60},   // bar 2: close 110
                                 {120, 10, 120},  // bar 3: close 120
                                 {130, 10, 180}}) // opens bar 4
    self->send(an, trade("A", r.px, r.qty, t0 + r.at_s * s_ns));
  sched.run();
  auto ticks = events(kis::event_kind::tick);
  auto bars = events(kis::event_kind::bar_closed);
  EXPECT_EQ(ticks.size(), 6u);
  ASSERT_EQ(bars.size(), 3u);
  const auto& b1 = bars[0].last_bar;
  EXPECT_EQ(b1.start_ns, t0);
  EXPECT_EQ(b1.open, 100);
  EXPECT_EQ(b1.high, 105);
  EXPECT_EQ(b1.low, 95);
  EXPECT_EQ(b1.close, 95);
  EXPECT_EQ(b1.volume, 40);
  EXPECT_DOUBLE_EQ(bars[1].ind.sma_fast, (95 + 110) / 2.0);
  EXPECT_DOUBLE_EQ(bars[1].ind.sma_slow, 0); // not enough bars yet
  EXPECT_DOUBLE_EQ(bars[2].ind.sma_slow, (95 + 110 + 120) / 3.0);
  EXPECT_DOUBLE_EQ(bars[2].ind.ema, 95 + 0.5 * (110 - 95) + 0.5 * (120 - (95 + 0.5 * 15)));
  EXPECT_EQ(bars[2].ind.bars, 3);
  const auto& last = ticks.back().ind;
  EXPECT_EQ(last.day_high, 130);
  EXPECT_EQ(last.day_low, 95);
  EXPECT_EQ(last.day_volume, 70);
  EXPECT_DOUBLE_EQ(last.vwap, (1000 + 1050 + 1900 + 1100 + 1200 + 1300) / 70.0);
}

// The executor's market view: a followed symbol's first price goes to it at once (before the
// strategy's event, so a signal on that tick needs no REST quote); later ticks, and symbols no
// strategy follows, are conflated into one update per price_flush.
TEST_F(AnalyzerTest, AFollowedSymbolsPriceReachesTheExecutorBeforeTheConflationPeriod) {
  auto got = std::make_shared<std::vector<kis::price_update>>();
  cfg.price_sink = sys.spawn([got]() -> kis::price_sink_actor::behavior_type {
    return {[got](const std::vector<kis::price_update>& us) {
      got->insert(got->end(), us.begin(), us.end());
    }};
  });
  cfg.price_flush = 100ms;
  cfg.symbols = {"A", "B"};
  an = kis::spawn_analyzer(sys, cfg, gateway, feed);
  sched.run();
  self->send(an, kis::follow_atom_v, std::string{"A"}, strategy); // B: watched, not followed
  sched.run();
  self->send(an, trade("A", 100, 1, t0));
  self->send(an, trade("B", 200, 1, t0));
  sched.run();
  ASSERT_EQ(got->size(), 1u) << "A at once, B waits for the flush";
  EXPECT_EQ(got->at(0).q.symbol, "A");
  EXPECT_EQ(got->at(0).q.price, 100);
  EXPECT_EQ(got->at(0).valid_for_ns, std::chrono::nanoseconds{cfg.ws_price_valid}.count());
  self->send(an, trade("A", 101, 1, t0 + s_ns)); // fresh at the executor: conflated
  sched.run();
  EXPECT_EQ(got->size(), 1u);
  sched.advance_time(cfg.price_flush);
  sched.run();
  ASSERT_EQ(got->size(), 3u);
  std::map<std::string, std::int64_t> last;
  for (const auto& u : *got)
    last[u.q.symbol] = u.q.price;
  EXPECT_EQ(last["A"], 101);
  EXPECT_EQ(last["B"], 200);
  caf::anon_send_exit(cfg.price_sink, caf::exit_reason::user_shutdown);
}

TEST_F(AnalyzerTest, FallsBackToPollingWhenTheFeedIsFull) {
  fd->cap = 1;
  cfg.symbols = {"A", "B"};
  start();
  EXPECT_EQ(metric("analyzer_symbols", "ws"), 1);
  EXPECT_EQ(metric("analyzer_symbols", "poll"), 1);
  EXPECT_EQ(metric("analyzer_ws_cap_fallbacks_total"), 1);
  EXPECT_EQ(quote_calls("A"), 0);
  EXPECT_EQ(quote_calls("B"), 1);
  sched.advance_time(1000ms);
  sched.run();
  EXPECT_EQ(quote_calls("B"), 2);
  ASSERT_FALSE(events(kis::event_kind::quote).empty()); // polled quotes reach followers
  EXPECT_EQ(events(kis::event_kind::quote).back().symbol, "B");
}

// The feed re-ranked: a symbol that gains a slot stops being polled, one that loses it is
// polled from then on; every interest_interval the feed hears how active each symbol was.
TEST_F(AnalyzerTest, FollowsTheFeedsSlotChangesAndReportsActivity) {
  fd->cap = 1;
  cfg.symbols = {"A", "B"};
  cfg.interest_interval = 5000ms;
  start();
  ASSERT_EQ(quote_calls("B"), 1);
  caf::anon_send(an, kis::slot_atom_v, std::string{"B"}, true);
  caf::anon_send(an, kis::slot_atom_v, std::string{"A"}, false);
  sched.run();
  EXPECT_EQ(quote_calls("A"), 1); // polled at once
  EXPECT_EQ(metric("analyzer_symbols", "ws"), 1);
  EXPECT_EQ(metric("analyzer_symbols", "poll"), 1);
  for (int i = 0; i < 5; ++i) {
    sched.advance_time(1000ms);
    sched.run();
  }
  EXPECT_EQ(quote_calls("B"), 1); // streamed now: no more polls
  EXPECT_GE(quote_calls("A"), 4);
  ASSERT_FALSE(fd->reports.empty());
  const auto& r = fd->reports.back();
  EXPECT_EQ(r.source, "a0");
  ASSERT_EQ(r.symbols.size(), 2u);
  EXPECT_TRUE(r.symbols[0].followed);
  EXPECT_EQ(r.symbols[0].symbol, "A");
}

TEST_F(AnalyzerTest, PollsOneAtATimePerSymbolAndWaitsForTheAnswer) {
  cfg.symbols = {"A", "B"};
  gw->hold_quotes = true; // the governor is slow to grant
  start(false);
  EXPECT_EQ(gw->price_queries, 2);
  for (int i = 0; i < 5; ++i) {
    sched.advance_time(1000ms);
    sched.run();
  }
  EXPECT_EQ(gw->price_queries, 2); // nothing new while the answers are outstanding
  EXPECT_EQ(gw->max_parked, 2);
  self->send(gateway, kis::done_atom_v, kis::http_exchange{});
  sched.run();
  EXPECT_EQ(gw->price_queries, 2); // next poll only one interval after the answer
  sched.advance_time(1000ms);
  sched.run();
  EXPECT_EQ(gw->price_queries, 4);
}

// At paper's 1 call/s a poll can wait minutes for its permit. The analyzer must not give up on
// it: the gateway would still make the call (its answer lost) and a second poll would queue.
TEST_F(AnalyzerTest, APollWaitsAsLongAsTheGovernorsLine) {
  cfg.symbols = {"A"};
  gw->hold_quotes = true;
  start(false);
  EXPECT_EQ(gw->price_queries, 1);
  for (int i = 0; i < 30; ++i) { // five minutes in the line
    sched.advance_time(10s);
    sched.run();
  }
  EXPECT_EQ(gw->price_queries, 1) << "the poll was given up and asked again";
  EXPECT_EQ(metric("analyzer_poll_errors_total"), 0);
  self->send(gateway, kis::done_atom_v, kis::http_exchange{});
  sched.run();
  EXPECT_EQ(metric("analyzer_polls_total"), 1);
  EXPECT_EQ(metric("analyzer_quotes_total"), 1) << "the late answer was dropped";
}

TEST_F(AnalyzerTest, BacksOffWhileRateLimited) {
  cfg.symbols = {"A"};
  gw->quote_error = true;
  start(false);
  std::vector<int> calls_at;
  for (int s = 1; s <= 16; ++s) {
    sched.advance_time(1000ms);
    sched.run();
    calls_at.push_back(quote_calls("A"));
  }
  // intervals 2 s, 4 s, 8 s, 8 s: first call at 0, then at 2, 6, 14
  EXPECT_EQ(calls_at[0], 1);
  EXPECT_EQ(calls_at[1], 2);
  EXPECT_EQ(calls_at[5], 3);
  EXPECT_EQ(calls_at[13], 4);
  EXPECT_EQ(calls_at[15], 4);
  EXPECT_EQ(metric("analyzer_poll_errors_total"), 4);
}

TEST_F(AnalyzerTest, LoadsDailyHistoryAndHandsItToFollowers) {
  cfg.symbols = {"A"};
  cfg.history_days = 2;
  gw->history = {{"A", 20251230, 1, 2, 1, 2, 10, 0},
                 {"A", 20251231, 2, 3, 2, 3, 10, 0},
                 {"A", 20251229, 1, 1, 1, 1, 10, 0}};
  start();
  ASSERT_EQ(gw->charts.size(), 1u);
  EXPECT_EQ(gw->charts[0].to_date, 20260101);
  EXPECT_LT(gw->charts[0].from_date, 20251231);
  auto h = events(kis::event_kind::history);
  ASSERT_EQ(h.size(), 1u);
  ASSERT_EQ(h[0].history.size(), 2u); // the newest two, oldest first
  EXPECT_EQ(h[0].history[0].close, 2);
  EXPECT_EQ(h[0].history[1].close, 3);
  EXPECT_EQ(h[0].price, 3);
}

// A failed history call is asked again after history_retry (no new follower needed), and its
// followers get the history then.
TEST_F(AnalyzerTest, AFailedHistoryCallIsAskedAgainLater) {
  cfg.symbols = {"A"};
  cfg.history_days = 2;
  cfg.history_retry = 30s;
  gw->history = {{"A", 20251231, 2, 3, 2, 3, 10, 0}};
  gw->chart_failures = 1;
  start();
  ASSERT_EQ(gw->charts.size(), 1u);
  EXPECT_TRUE(events(kis::event_kind::history).empty());
  sched.advance_time(29s);
  sched.run();
  EXPECT_EQ(gw->charts.size(), 1u) << "not before history_retry";
  sched.advance_time(1s);
  sched.run();
  ASSERT_EQ(gw->charts.size(), 2u);
  auto h = events(kis::event_kind::history);
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h[0].history.size(), 1u);
}

// A strategy that buys on every tick it sees, for the host tests.
class buy_every_tick final : public kis::strategy {
public:
  static inline std::vector<kis::order_update> updates;
  void on_tick(const kis::market_event& ev) override {
    emit(limit_order(ev.symbol, kis::side::buy, 1, ev.price, "tick"));
  }
  void on_order_update(const kis::order_update& up) override { updates.push_back(up); }
};

TEST_F(AnalyzerTest, HostedStrategySignalsReachTheExecutorAndRefusalsComeBack) {
  buy_every_tick::updates.clear();
  auto exec = spawn_executor("kis-host-test");
  ASSERT_TRUE(exec);
  auto host = spawn_host(std::make_shared<buy_every_tick>(), true, exec);
  sched.run();
  const auto ev = tick_a();
  self->send(host, ev);
  sched.run();
  ASSERT_EQ(gw->orders.size(), 1u);
  self->send(host, ev); // the same signal again: duplicate, refused by the executor
  sched.run();
  EXPECT_EQ(gw->orders.size(), 1u);
  ASSERT_FALSE(buy_every_tick::updates.empty());
  const auto& last = buy_every_tick::updates.back();
  EXPECT_EQ(last.status, kis::order_status::rejected);
  EXPECT_NE(last.reason.find("duplicate"), std::string::npos) << last.reason;
  auto sent = std::count_if(buy_every_tick::updates.begin(), buy_every_tick::updates.end(),
                            [](const auto& u) { return u.status == kis::order_status::sent; });
  EXPECT_EQ(sent, 1);
  for (auto a : {caf::actor_cast<caf::actor>(host), caf::actor_cast<caf::actor>(exec)})
    caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
}

TEST_F(AnalyzerTest, WatchOnlyHostSendsNothing) {
  buy_every_tick::updates.clear();
  auto host = spawn_host(std::make_shared<buy_every_tick>(), false, kis::order_executor_actor{});
  self->send(host, tick_a());
  sched.run();
  EXPECT_TRUE(gw->orders.empty());
  ASSERT_EQ(buy_every_tick::updates.size(), 1u);
  EXPECT_NE(buy_every_tick::updates[0].reason.find("watch only"), std::string::npos);
  caf::anon_send_exit(host, caf::exit_reason::user_shutdown);
}

TEST_F(AnalyzerTest, TradingActorsSplitSymbolsAndGateExamplesByMode) {
  kis::trading_config pc;
  pc.mode = kis::run_mode::paper;
  pc.analyzers = 2;
  pc.symbols = {"A", "B", "C"};
  pc.analyzer = cfg;
  pc.executor.journal_detached = false;
  pc.executor.journal_path = kis::test::unique_temp_path("kis-trading-test", ".sqlite").string();
  pc.executor.clock = cfg.clock;
  kis::strategy_config ma;
  ma.name = "ma_cross";
  ma.symbols = {"C", "D"};
  kis::strategy_config orb = ma;
  orb.name = "orb";
  orb.trade = true; // named explicitly for paper
  pc.strategies = {ma, orb};
  auto p = kis::spawn_trading_actors(sys, pc, gateway, feed);
  ASSERT_TRUE(p) << sys.render(p.error());
  sched.run();
  EXPECT_EQ(p->analyzers.size(), 2u);
  EXPECT_EQ(p->owner_of.size(), 4u);
  EXPECT_EQ(p->owner_of.at("A"), 0u);
  EXPECT_EQ(p->owner_of.at("B"), 1u);
  EXPECT_EQ(p->strategy_ids, (std::vector<std::string>{"ma_cross", "orb"}));
  EXPECT_EQ(p->trading, (std::vector<bool>{false, true}));
  EXPECT_EQ(fd->trades.size(), 4u); // every symbol asked the feed once
  {
    kis::runtime::actor_owner owner;
    kis::own_trading_actors(owner, *p);
  }
  sched.run();
  pc.strategies.push_back(ma); // same id twice
  auto dup = kis::spawn_trading_actors(sys, pc, gateway, feed);
  ASSERT_FALSE(dup);
  EXPECT_EQ(kis::view(dup.error()).code, kis::errc::config);
}

TEST_F(AnalyzerTest, TradingActorsAroundAnExistingExecutorLeaveItRunning) {
  kis::trading_config pc;
  pc.mode = kis::run_mode::sim;
  pc.analyzers = 1;
  pc.symbols = {"A"};
  pc.analyzer = cfg;
  pc.executor.journal_detached = false;
  pc.executor.journal_path =
      kis::test::unique_temp_path("kis-trading-core-test", ".sqlite").string();
  pc.executor.clock = cfg.clock;
  auto core = kis::spawn_trading_actors(sys, pc, gateway, feed);
  ASSERT_TRUE(core) << sys.render(core.error());
  EXPECT_TRUE(core->owned_executor);
  kis::trading_config nc = pc; // a node: its own analyzers and strategy, the core's executor
  nc.symbols = {"B"};
  kis::strategy_config ma;
  ma.name = "ma_cross";
  ma.id = "node_ma";
  ma.symbols = {"B"};
  nc.strategies = {ma};
  auto node = kis::spawn_trading_actors(sys, nc, gateway, feed, core->executor);
  ASSERT_TRUE(node) << sys.render(node.error());
  sched.run();
  EXPECT_FALSE(node->owned_executor);
  EXPECT_EQ(node->executor, core->executor);
  {
    kis::runtime::actor_owner owner;
    kis::own_trading_actors(owner, *node);
  }
  sched.run();
  // The executor still answers after the node's trading actors stopped.
  bool answered = false;
  auto h = self->request(core->executor, caf::infinite, kis::status_atom_v);
  sched.run();
  h.receive([&](kis::executor_summary&) { answered = true; }, [](caf::error&) {});
  EXPECT_TRUE(answered);
  {
    kis::runtime::actor_owner owner;
    kis::own_trading_actors(owner, *core);
  }
  sched.run();
  auto none = kis::spawn_trading_actors(sys, nc, gateway, feed, kis::order_executor_actor{});
  ASSERT_FALSE(none);
  EXPECT_EQ(kis::view(none.error()).code, kis::errc::config);
}

TEST(StrategyFactory, UnknownNamesAndBadParamsAreConfigErrors) {
  kis::strategy_config c;
  c.name = "nope";
  auto r = kis::make_strategy(c);
  ASSERT_FALSE(r);
  EXPECT_EQ(kis::view(r.error()).code, kis::errc::config);
  c.name = "ma_cross";
  c.params.set("fast", std::string{"x"});
  r = kis::make_strategy(c);
  ASSERT_FALSE(r);
  EXPECT_NE(kis::view(r.error()).message.find("'fast' must be an integer"), std::string::npos);
  c.params = kis::strategy_params{{{"fast", std::int64_t{3}}}};
  EXPECT_TRUE(kis::make_strategy(c));
}

TEST(ModeSafety, ExamplesTradeByDefaultOnlyInSim) {
  using kis::run_mode;
  EXPECT_TRUE(kis::may_trade(run_mode::sim, true, std::nullopt));
  EXPECT_FALSE(kis::may_trade(run_mode::paper, true, std::nullopt));
  EXPECT_FALSE(kis::may_trade(run_mode::live, true, std::nullopt));
  EXPECT_TRUE(kis::may_trade(run_mode::live, true, true));
  EXPECT_TRUE(kis::may_trade(run_mode::live, false, std::nullopt));
  EXPECT_FALSE(kis::may_trade(run_mode::sim, false, false));
}

} // namespace

namespace {

TEST_F(AnalyzerTest, ReportsSymbolsTicksPollsAndBarsToTheMetricsActor) {
  using kis::test::find_value;
  kis::test::metrics_probe probe{sys};
  fd->cap = 1;
  cfg.symbols = {"A", "B"}; // A on the feed, B polled
  cfg.poll_interval = 5000ms;
  start();
  for (auto at_s : {0, 30, 60}) // the third tick closes the first bar
    self->send(an, trade("A", 100, 1, t0 + at_s * s_ns));
  sched.run();
  sched.advance_time(1000ms); // quiet since: the trailing publish reports the last work
  sched.run();
  auto s = probe.sample_of(self, sched, "a0");
  EXPECT_EQ(s.role, "analyzer");
  EXPECT_EQ(find_value(s, "analyzer_symbols", {{"analyzer", "a0"}, {"source", "ws"}}), 1.0);
  EXPECT_EQ(find_value(s, "analyzer_symbols", {{"analyzer", "a0"}, {"source", "poll"}}), 1.0);
  EXPECT_EQ(find_value(s, "analyzer_ticks_total", {{"analyzer", "a0"}}), 3.0);
  EXPECT_EQ(find_value(s, "analyzer_polls_total", {{"analyzer", "a0"}}), 1.0);
  EXPECT_EQ(find_value(s, "analyzer_quotes_total", {{"analyzer", "a0"}}), 1.0);
  EXPECT_EQ(find_value(s, "analyzer_bars_total", {{"analyzer", "a0"}}), 1.0);
  EXPECT_EQ(find_value(s, "analyzer_ws_cap_fallbacks_total", {{"analyzer", "a0"}}), 1.0);
  EXPECT_EQ(s.processed, 8u); // follows, subscription answers, ticks, the poll's answer
  EXPECT_EQ(s.errors, 0u);
}

// Throws on its second tick: the host counts it and lives on.
class buy_then_throw final : public kis::strategy {
public:
  int seen = 0;
  void on_tick(const kis::market_event& ev) override {
    if (++seen == 2)
      throw std::runtime_error{"strategy bug"};
    emit(limit_order(ev.symbol, kis::side::buy, 1, ev.price, "tick"));
  }
};

TEST_F(AnalyzerTest, StrategyHostReportsEventsSignalsRefusalsAndErrorsToTheMetricsActor) {
  using kis::test::find_value;
  kis::test::metrics_probe probe{sys};
  auto exec = spawn_executor("kis-host-metrics");
  ASSERT_TRUE(exec);
  auto host = spawn_host(std::make_shared<buy_then_throw>(), true, exec);
  sched.run();
  const auto ev = tick_a();
  for (int i = 0; i < 3; ++i) { // a signal, a throw, the same signal again (a duplicate)
    self->send(host, ev);
    sched.run();
  }
  sched.advance_time(1s); // the next message publishes
  auto h = self->request(host, caf::infinite, kis::status_atom_v);
  sched.run();
  h.receive([](std::vector<kis::metric_point>&) {}, [](caf::error&) { ADD_FAILURE(); });
  auto s = probe.sample_of(self, sched, "strategy-bt");
  EXPECT_EQ(s.role, "strategy_host");
  EXPECT_EQ(find_value(s, "strategy_events_total", {{"strategy", "bt"}}), 3.0);
  EXPECT_EQ(find_value(s, "strategy_signals_total", {{"strategy", "bt"}}), 2.0);
  EXPECT_EQ(find_value(s, "strategy_signals_accepted_total", {{"strategy", "bt"}}), 1.0);
  EXPECT_EQ(find_value(s, "strategy_signals_refused_total", {{"strategy", "bt"}}), 1.0);
  EXPECT_EQ(find_value(s, "strategy_errors_total", {{"strategy", "bt"}}), 1.0);
  EXPECT_EQ(s.errors, 1u); // the message whose handler threw
  // Signals out are the host's own series: the engine's signals_total is the executor's.
  EXPECT_FALSE(kis::find_total(s, kis::metric_names::signals_total).has_value());
  for (auto a : {caf::actor_cast<caf::actor>(host), caf::actor_cast<caf::actor>(exec)})
    caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
}

} // namespace
