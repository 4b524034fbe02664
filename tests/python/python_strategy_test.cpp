// Python strategies through the same API as C++ ones: loading (file, module, class choice and
// every load error typed), params checked like C++ (an unread parameter is an error), emit and
// the position book, the ported examples trading exactly like the C++ originals on the same
// events, and a raising handler counted by the strategy host while the strategy lives on.
#include "support/caf_gtest.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "actors/trading/strategy_host.hpp"
#include "messages/errors.hpp"
#include <pybind11/embed.h>

#include "strategies/position_book.hpp"
#include "strategies/python/interpreter.hpp"
#include "strategies/registry.hpp"
#include "support/metrics_probe.hpp"
#include "support/strategy_events.hpp"
#include "support/temp_path.hpp"

namespace {

using namespace kis;
using kis::signal;
using kis::test::bar_event;
using kis::test::day0;
using kis::test::minute_ns;
using kis::test::tick;
namespace fs = std::filesystem;

class recording_context final : public strategy_context {
public:
  std::vector<signal> signals;
  std::string id = "py";
  void emit(signal s) override {
    s.strategy_id = id;
    signals.push_back(std::move(s));
  }
  std::int64_t now_ns() const override { return 42; }
  const std::string& strategy_id() const override { return id; }
};

// A directory of strategy files for one test.
struct scratch {
  fs::path dir = kis::test::unique_temp_path("kis-py");
  scratch() { fs::create_directories(dir); }
  ~scratch() { fs::remove_all(dir); }
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream{dir / name} << text;
    return (dir / name).string();
  }
};

const char* level_cross_py = R"(
import kis

class LevelCross(kis.Strategy):
    def __init__(self):
        self.book = kis.PositionBook()
        self.updates = []
    def on_start(self, params):
        self.level = params.get("level", 100)
        self.qty = params.get("qty", 1)
        self.label = params.get("label", "cross")
        self.pct = params.get("pct", 0.5)
        self.on = params.get("on", False)
    def on_tick(self, ev):
        if ev.price > self.level and not self.book.pending(ev.symbol):
            if self.emit(self.limit_order(ev.symbol, kis.Side.BUY, self.qty, ev.price, self.label)):
                self.book.sent(ev.symbol)
    def on_order_update(self, up):
        self.book.apply(up)
        self.updates.append((up.status, up.reason, self.now_ns(), self.id))
)";

strategy_config python_config(const std::string& file, strategy_params params = {}) {
  strategy_config c;
  c.name = "py";
  c.id = "py";
  c.file = file;
  c.params = std::move(params);
  return c;
}

std::string config_error_of(const caf::expected<std::shared_ptr<strategy>>& r) {
  EXPECT_FALSE(r);
  if (r)
    return {};
  auto v = view(r.error());
  EXPECT_EQ(v.code, errc::config) << v.message;
  return v.message;
}

TEST(PythonStrategy, LoadsAFileReadsParamsAndEmitsThroughItsContext) {
  scratch s;
  auto file = s.write("level.py", level_cross_py);
  auto st = make_strategy(python_config(file, strategy_params{{{"level", std::int64_t{150}},
                                                               {"label", std::string{"up"}},
                                                               {"pct", std::int64_t{2}},
                                                               {"on", true}}}));
  ASSERT_TRUE(st) << to_string(st.error());
  recording_context ctx;
  (*st)->bind(&ctx);
  (*st)->on_tick(tick("005930", 140));
  EXPECT_TRUE(ctx.signals.empty());
  (*st)->on_tick(tick("005930", 160));
  (*st)->on_tick(tick("005930", 170)); // pending: the position book holds it back
  ASSERT_EQ(ctx.signals.size(), 1u);
  EXPECT_EQ(ctx.signals[0].symbol, "005930");
  EXPECT_EQ(ctx.signals[0].dir, side::buy);
  EXPECT_EQ(ctx.signals[0].price, 160);
  EXPECT_EQ(ctx.signals[0].reason, "up");
  EXPECT_EQ(ctx.signals[0].kind, order_kind::limit);
  order_update up;
  up.symbol = "005930";
  up.status = order_status::rejected;
  up.reason = "risk";
  (*st)->on_order_update(up); // ends the order: the next tick may buy again
  (*st)->on_tick(tick("005930", 180));
  EXPECT_EQ(ctx.signals.size(), 2u);
}

// on_session gets the venue's new phase; this one sells nothing in the regular session and
// buys once the after-market opens, if the venue takes limit orders then.
TEST(PythonStrategy, OnSessionSeesTheVenuesPhase) {
  scratch s;
  auto file = s.write("sessions.py", R"(
import kis

class AfterHours(kis.Strategy):
    def on_session(self, ev):
        if ev.now.phase == kis.SessionKind.AFTER_MARKET and ev.now.takes(kis.OrderKind.LIMIT):
            self.emit(kis.limit_order("005930", kis.Side.BUY, 1, 70000,
                                      f"{ev.previous.name}->{ev.now.venue.name}"))
)");
  auto st = make_strategy(python_config(file));
  ASSERT_TRUE(st) << to_string(st.error());
  recording_context ctx;
  (*st)->bind(&ctx);
  session_change ev;
  ev.previous = session_kind::closing_auction;
  ev.now.where = venue::nxt;
  ev.now.phase = session_kind::regular;
  ev.now.order_kinds = mask_of(order_kind::limit);
  (*st)->on_session(ev);
  EXPECT_TRUE(ctx.signals.empty());
  ev.previous = session_kind::regular;
  ev.now.phase = session_kind::after_market;
  (*st)->on_session(ev);
  ASSERT_EQ(ctx.signals.size(), 1u);
  EXPECT_EQ(ctx.signals[0].reason, "REGULAR->NXT");
}

TEST(PythonStrategy, AnUnreadParameterIsAConfigErrorLikeCpp) {
  scratch s;
  auto file = s.write("level.py", level_cross_py);
  auto msg = config_error_of(make_strategy(python_config(
      file, strategy_params{{{"levle", std::int64_t{150}}, {"qty", std::int64_t{2}}}})));
  EXPECT_NE(msg.find("strategy 'py'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("unknown parameter 'levle'"), std::string::npos) << msg;
}

TEST(PythonStrategy, AWrongParameterTypeIsAConfigError) {
  scratch s;
  auto file = s.write("level.py", level_cross_py);
  auto msg = config_error_of(
      make_strategy(python_config(file, strategy_params{{{"level", std::string{"high"}}}})));
  EXPECT_NE(msg.find("'level' must be an integer"), std::string::npos) << msg;
  // A float default takes an integer, as get<double> does in C++.
  EXPECT_TRUE(make_strategy(python_config(file, strategy_params{{{"pct", std::int64_t{1}}}})));
}

TEST(PythonStrategy, LoadErrorsAreTypedConfigErrors) {
  scratch s;
  EXPECT_NE(config_error_of(make_strategy(python_config((s.dir / "absent.py").string())))
                .find("no such file"),
            std::string::npos);
  auto syntax = s.write("syntax.py", "import kis\nclass A(kis.Strategy)\n    pass\n");
  EXPECT_NE(config_error_of(make_strategy(python_config(syntax))).find("SyntaxError"),
            std::string::npos);
  auto none = s.write("none.py", "import kis\nclass A:\n    pass\n");
  EXPECT_NE(config_error_of(make_strategy(python_config(none))).find("no subclass of kis.Strategy"),
            std::string::npos);
  auto two = s.write("two.py", "import kis\nclass A(kis.Strategy): pass\n"
                               "class B(kis.Strategy): pass\n");
  auto msg = config_error_of(make_strategy(python_config(two)));
  EXPECT_NE(msg.find("several kis.Strategy subclasses (A, B)"), std::string::npos) << msg;
  auto pick = python_config(two);
  pick.class_name = "B";
  EXPECT_TRUE(make_strategy(pick));
  pick.class_name = "C";
  EXPECT_NE(config_error_of(make_strategy(pick)).find("no class 'C'"), std::string::npos);
  auto raising = s.write("raising.py", "import kis\nclass A(kis.Strategy):\n"
                                       "    def on_start(self, params):\n"
                                       "        raise ValueError('bad start')\n");
  msg = config_error_of(make_strategy(python_config(raising)));
  EXPECT_NE(msg.find("on_start failed: ValueError: bad start"), std::string::npos) << msg;
}

TEST(PythonStrategy, AModuleNameIsImportedFromThePythonPath) {
  // The test's own folder has no such module: the import error names the module.
  auto msg = config_error_of(make_strategy(python_config("kis_no_such_module")));
  EXPECT_NE(msg.find("ModuleNotFoundError"), std::string::npos) << msg;
  // A module of the standard library imports, but defines no strategy.
  msg = config_error_of(make_strategy(python_config("json")));
  EXPECT_NE(msg.find("no subclass of kis.Strategy"), std::string::npos) << msg;
}

TEST(PythonStrategy, TheApiHelpersMatchCpp) {
  scratch s;
  auto file = s.write("grid.py", R"(
import kis
class Grid(kis.Strategy):
    def on_tick(self, ev):
        for px in (1999, 2000, 4995, 19990, 49950, 199900, 499500, 500000):
            assert kis.krx_tick_size(px) == ev.qty * 0 + {1999: 1, 2000: 5, 4995: 5, 19990: 10,
                49950: 50, 199900: 100, 499500: 500, 500000: 1000}[px], px
        self.emit(kis.limit_order(ev.symbol, kis.Side.BUY, 1,
                                  kis.marketable_price(ev.price, kis.Side.BUY, 2), "b"))
        self.emit(kis.limit_order(ev.symbol, kis.Side.SELL, 1,
                                  kis.marketable_price(ev.price, kis.Side.SELL, 2), "s"))
)");
  auto st = make_strategy(python_config(file));
  ASSERT_TRUE(st);
  recording_context ctx;
  (*st)->bind(&ctx);
  (*st)->on_tick(tick("A", 2000));
  ASSERT_EQ(ctx.signals.size(), 2u);
  EXPECT_EQ(ctx.signals[0].price, marketable_price(2000, side::buy, 2));
  EXPECT_EQ(ctx.signals[1].price, marketable_price(2000, side::sell, 2));
}

// --- the ported examples trade like the C++ originals -------------------------------------

// Drives a strategy with a deterministic random walk of bars and ticks over three days, filling
// every signal at its price, and returns what it emitted.
std::vector<signal> drive(strategy& st) {
  recording_context ctx;
  st.bind(&ctx);
  std::uint64_t state = 12345;
  auto next = [&] {
    return (state = state * 6364136223846793005ULL + 1442695040888963407ULL) >> 33;
  };
  std::int64_t px = 10'000;
  std::size_t answered = 0;
  for (int day = 0; day < 3; ++day) {
    std::int64_t t = day0 + day * 24 * 60 * minute_ns + 9 * 60 * minute_ns;
    for (int minute = 0; minute < 120; ++minute) {
      std::int64_t hi = px, lo = px;
      for (int k = 0; k < 4; ++k) {
        px += (static_cast<std::int64_t>(next() % 5) - 2) * krx_tick_size(px);
        hi = std::max(hi, px);
        lo = std::min(lo, px);
        st.on_tick(tick("000660", px, t + k));
      }
      st.on_bar(bar_event("000660", px, t, hi, lo));
      for (; answered < ctx.signals.size(); ++answered) { // every order fills at its price
        const auto& s = ctx.signals[answered];
        order_update up;
        up.symbol = s.symbol;
        up.dir = s.dir;
        up.status = order_status::filled;
        up.qty = up.filled_qty = up.last_fill_qty = s.qty;
        up.avg_fill_price = up.last_fill_price = s.price;
        st.on_order_update(up);
      }
      t += minute_ns;
    }
  }
  return ctx.signals;
}

void expect_same_trades(const char* cpp_name, const std::string& py_file, strategy_params params) {
  strategy_config cpp;
  cpp.name = cpp.id = cpp_name;
  cpp.params = params;
  auto a = make_strategy(cpp);
  ASSERT_TRUE(a);
  auto b = make_strategy(python_config(py_file, params));
  ASSERT_TRUE(b) << to_string(b.error());
  auto want = drive(**a);
  auto got = drive(**b);
  ASSERT_GE(want.size(), 4u) << "the walk must make the strategy trade";
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(got[i].symbol, want[i].symbol) << i;
    EXPECT_EQ(got[i].dir, want[i].dir) << i;
    EXPECT_EQ(got[i].qty, want[i].qty) << i;
    EXPECT_EQ(got[i].price, want[i].price) << i;
    EXPECT_EQ(got[i].reason, want[i].reason) << i;
  }
}

const std::string examples = KIS_PYTHON_EXAMPLES;

TEST(PythonExamples, MaCrossTradesLikeTheCppOne) {
  expect_same_trades(
      "ma_cross", examples + "/ma_cross.py",
      strategy_params{
          {{"fast", std::int64_t{3}}, {"slow", std::int64_t{8}}, {"qty", std::int64_t{2}}}});
}

TEST(PythonExamples, OrbTradesLikeTheCppOne) {
  expect_same_trades(
      "orb", examples + "/orb.py",
      strategy_params{
          {{"range_bars", std::int64_t{5}}, {"target_pct", 0.3}, {"qty", std::int64_t{3}}}});
}

// --- hosted: a raising handler is counted, the strategy lives on ----------------------------

struct PythonHostTest : ::testing::Test, test_coordinator_fixture<> {};

TEST_F(PythonHostTest, ARaisingHandlerIsCountedAndTheStrategyKeepsRunning) {
  using kis::test::find_value;
  scratch s;
  auto file = s.write("flaky.py", R"(
import kis
class Flaky(kis.Strategy):
    seen = 0
    def on_tick(self, ev):
        type(self).seen += 1
        if ev.price % 2:
            raise ValueError("odd price %d" % ev.price)
        self.emit(kis.limit_order(ev.symbol, kis.Side.BUY, 1, ev.price, "even"))
    def on_order_update(self, up):
        type(self).last_reason = up.reason
)");
  auto st = make_strategy(python_config(file));
  ASSERT_TRUE(st);
  kis::test::metrics_probe probe{sys};
  strategy_host_config hc;
  hc.id = "py";
  hc.trade = false; // no executor: every signal comes back "watch only" through the strategy
  auto host = spawn_strategy_host(sys, *st, hc, order_executor_actor{});
  sched.run();
  for (std::int64_t px : {1001, 1002, 1003, 1004, 1005}) {
    self->send(host, tick("A", px));
    sched.run();
  }
  sched.advance_time(std::chrono::seconds{1});
  auto h = self->request(host, caf::infinite, status_atom_v);
  sched.run();
  h.receive([](std::vector<metric_point>&) {}, [](caf::error&) { ADD_FAILURE(); });
  auto sample = probe.sample_of(self, sched, "strategy-py");
  EXPECT_EQ(find_value(sample, "strategy_events_total", {{"strategy", "py"}}), 5.0);
  EXPECT_EQ(find_value(sample, "strategy_errors_total", {{"strategy", "py"}}), 3.0);
  EXPECT_EQ(find_value(sample, "strategy_signals_total", {{"strategy", "py"}}), 2.0);
  EXPECT_EQ(sample.errors, 3u);
  // Every tick reached Python, the raising ones included, and the refusals came back.
  python::gil_hold gil;
  auto flaky = pybind11::module_::import("sys").attr("modules")["kis_strategy_py"].attr("Flaky");
  EXPECT_EQ(flaky.attr("seen").cast<int>(), 5);
  EXPECT_NE(flaky.attr("last_reason").cast<std::string>().find("watch only"), std::string::npos);
  caf::anon_send_exit(host, caf::exit_reason::user_shutdown);
}

} // namespace
