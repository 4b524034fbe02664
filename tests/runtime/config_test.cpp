// The config file: every documented key parses, and each kind of mistake is refused with a
// message that names the key.
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <map>
#include <string_view>

#include <unistd.h>

#include <gtest/gtest.h>

#include "runtime/config.hpp"
#include "runtime/duration.hpp"

using namespace kis::runtime;
using kis::run_mode;
using namespace std::chrono_literals;

namespace {

engine_config parse_ok(std::string_view text) {
  auto r = parse_config(text, "test.toml");
  if (auto* e = std::get_if<config_error>(&r)) {
    ADD_FAILURE() << e->to_string();
    return {};
  }
  return std::get<engine_config>(r);
}

config_error parse_bad(std::string_view text) {
  auto r = parse_config(text, "test.toml");
  if (auto* e = std::get_if<config_error>(&r))
    return *e;
  ADD_FAILURE() << "config was accepted: " << text;
  return {};
}

// A config text and the key its refusal must name.
struct refusal {
  std::string_view text;
  std::string_view key;
};

void expect_refused(std::initializer_list<refusal> cases) {
  for (const auto& c : cases)
    EXPECT_EQ(parse_bad(c.text).key, c.key) << c.text;
}

env_lookup fake_env(std::map<std::string, std::string> vars) {
  return [vars](const char* name) -> std::optional<std::string> {
    if (auto i = vars.find(name); i != vars.end())
      return i->second;
    return std::nullopt;
  };
}

} // namespace

TEST(Duration, ParsesUnitsAndRefusesGarbage) {
  EXPECT_EQ(parse_duration("30s"), 30s);
  EXPECT_EQ(parse_duration("5m"), 5min);
  EXPECT_EQ(parse_duration("250ms"), 250ms);
  EXPECT_EQ(parse_duration("1h30m"), 90min);
  EXPECT_EQ(parse_duration("0"), 0ms);
  for (auto bad : {"", "30", "s", "-5s", "5x", "5 s", "1.5s", "99999999h"})
    EXPECT_FALSE(parse_duration(bad)) << bad;
  EXPECT_EQ(format_duration(90s), "90s");
  EXPECT_EQ(format_duration(5min), "5m");
}

TEST(Config, DefaultsAreSimWithoutCredentials) {
  auto cfg = parse_ok("");
  EXPECT_EQ(cfg.mode, run_mode::sim);
  EXPECT_EQ(cfg.duration, 60s);
  EXPECT_FALSE(validate(cfg));
}

TEST(Config, ExampleFileParses) {
  auto r = load_config_file(KIS_EXAMPLE_CONFIG);
  ASSERT_TRUE(std::holds_alternative<engine_config>(r)) << std::get<config_error>(r).to_string();
  const auto& cfg = std::get<engine_config>(r);
  EXPECT_EQ(cfg.mode, run_mode::sim);
  EXPECT_FALSE(cfg.strategies.empty());
}

TEST(Config, ReadsEverySection) {
  auto cfg = parse_ok(R"(
mode = "paper"
duration = "5m"
[kis]
app_key = "k"
account = "12345678-01"
hts_id = "trader1"
[budget]
rate_limit = 2
safety_margin = "15ms"
[feed]
max_registrations = 20
[analyzers]
count = 3
symbols = ["005930", "000660"]
poll_interval = "1s"
[executor]
queue_capacity = 10
drain = "finish"
[metrics]
port = 0
[[strategy]]
name = "ma_cross"
symbols = ["005930"]
params = { fast = 5, slow = 20, qty = 1, ratio = 0.5, note = "x", live = false }
)");
  EXPECT_EQ(cfg.mode, run_mode::paper);
  EXPECT_EQ(cfg.duration, 5min);
  EXPECT_EQ(cfg.cred.account_no, "12345678");
  EXPECT_EQ(cfg.cred.account_product, "01");
  EXPECT_EQ(cfg.budget.safety_margin, 15ms);
  EXPECT_EQ(cfg.feed.max_registrations, 20);
  EXPECT_EQ(cfg.analyzers.symbols.size(), 2u);
  EXPECT_EQ(cfg.executor.drain, "finish");
  EXPECT_EQ(cfg.metrics.port, 0);
  ASSERT_EQ(cfg.strategies.size(), 1u);
  EXPECT_EQ(cfg.strategies[0].id, "ma_cross");
  EXPECT_EQ(std::get<std::int64_t>(cfg.strategies[0].params.at("slow")), 20);
  EXPECT_EQ(std::get<double>(cfg.strategies[0].params.at("ratio")), 0.5);
  EXPECT_TRUE(cfg.strategies_configured);
}

TEST(Config, MisspeltKeyIsNamed) {
  expect_refused({
      {"[executor]\nqueue_capacty = 5\n", "executor.queue_capacty"},
      {"durration = \"5s\"\n", "durration"},
      {"[[strategy]]\nname = \"x\"\nsymbol = []\n", "strategy[0].symbol"},
      {"[budgett]\n", "budgett"},
  });
}

TEST(Config, WrongTypesAndValuesAreNamed) {
  expect_refused({
      {"[analyzers]\ncount = \"five\"\n", "analyzers.count"},
      {"duration = \"5 minutes\"\n", "duration"},
      {"duration = 5\n", "duration"},
      {"mode = \"demo\"\n", "mode"},
      {"[feed]\nmax_registrations = 42\n", "feed.max_registrations"},
      {"[kis]\naccount = \"1234-01\"\n", "kis.account"},
      {"[executor]\nqueue_capacity = -1\n", "executor.queue_capacity"},
      {"kis = 3\n", "kis"},
  });
  auto syntax = parse_bad("[kis\n");
  EXPECT_NE(syntax.message.find("line 1"), std::string::npos) << syntax.message;
}

TEST(Config, ClusterSection) {
  auto cfg = parse_ok("[cluster]\nserve_port = 0\nbind = \"0.0.0.0\"\n");
  EXPECT_EQ(cfg.cluster.serve_port, 0);
  EXPECT_EQ(cfg.cluster.bind, "0.0.0.0");
  EXPECT_EQ(parse_ok("").cluster.serve_port, -1);
  EXPECT_EQ(parse_ok("").cluster.bind, "127.0.0.1");
  auto wrong = parse_bad("[cluster]\nserve_port = \"4242\"\n");
  EXPECT_EQ(wrong.key, "cluster.serve_port");
  EXPECT_EQ(wrong.message, "expected an integer");
  expect_refused({
      {"[cluster]\nserve_prt = 1\n", "cluster.serve_prt"},
      {"[cluster]\nserve_port = 70000\n", "cluster.serve_port"},
      {"[cluster]\nbind = 1\n", "cluster.bind"},
  });
}

TEST(Config, EnvironmentOverridesAndCredentialChecks) {
  auto cfg = parse_ok("mode = \"paper\"\n");
  auto e = validate(cfg);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->key, "kis.app_key");
  EXPECT_FALSE(apply_env(cfg, fake_env({{"KIS_APP_KEY", "PSabcdef"},
                                        {"KIS_APP_SECRET", "secret-value"},
                                        {"KIS_ACCOUNT", "50000000-01"},
                                        {"KIS_HTS_ID", "trader"},
                                        {"KIS_REST_URL", "http://127.0.0.1:1"}})));
  EXPECT_EQ(cfg.cred.app_key, "PSabcdef");
  EXPECT_EQ(cfg.cred.account_no, "50000000");
  EXPECT_EQ(cfg.rest_url, "http://127.0.0.1:1");
  EXPECT_FALSE(validate(cfg));
  auto bad = apply_env(cfg, fake_env({{"KIS_ACCOUNT", "5000000001"}}));
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->key, "KIS_ACCOUNT");
}

TEST(Config, LiveNeedsConfirmation) {
  auto cfg = parse_ok(
      "mode = \"live\"\n[kis]\napp_key=\"k\"\napp_secret=\"s\"\naccount=\"12345678-01\"\n");
  auto e = validate(cfg);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->key, "--confirm-live");
  cfg.confirm_live = true;
  EXPECT_FALSE(validate(cfg));
}

TEST(Config, RecorderAndBacktestSections) {
  auto d = parse_ok("");
  EXPECT_EQ(d.recorder.enabled, "auto");
  EXPECT_DOUBLE_EQ(d.backtest.commission_pct, 0.0140527);
  EXPECT_DOUBLE_EQ(d.backtest.sell_tax_pct, 0.20);
  auto cfg = parse_ok(R"(
[recorder]
enabled = "on"
path = "/var/rec"
segment_mb = 64
chunk_kb = 256
flush_interval = "500ms"
zstd_level = 9
queue_limit = 5000
max_total_mb = 2048
[backtest]
commission_pct = 0.015
sell_tax_pct = 0.18
slippage_ticks = 2
initial_cash = 5000000
session_rules = "none"
mark_every = "5m"
)");
  EXPECT_EQ(cfg.recorder.enabled, "on");
  EXPECT_EQ(cfg.recorder.path, "/var/rec");
  EXPECT_EQ(cfg.recorder.segment_mb, 64);
  EXPECT_EQ(cfg.recorder.chunk_kb, 256);
  EXPECT_EQ(cfg.recorder.flush_interval, 500ms);
  EXPECT_EQ(cfg.recorder.zstd_level, 9);
  EXPECT_EQ(cfg.recorder.queue_limit, 5000);
  EXPECT_EQ(cfg.recorder.max_total_mb, 2048);
  EXPECT_DOUBLE_EQ(cfg.backtest.commission_pct, 0.015);
  EXPECT_DOUBLE_EQ(cfg.backtest.sell_tax_pct, 0.18);
  EXPECT_EQ(cfg.backtest.slippage_ticks, 2);
  EXPECT_EQ(cfg.backtest.initial_cash, 5'000'000);
  EXPECT_EQ(cfg.backtest.session_rules, "none");
  EXPECT_EQ(cfg.backtest.mark_every, 5min);
  expect_refused({
      {"[recorder]\nenabled = \"yes\"\n", "recorder.enabled"},
      {"[recorder]\nsegment_mb = 0\n", "recorder"},
      {"[recorder]\nsegmnt_mb = 1\n", "recorder.segmnt_mb"},
      {"[backtest]\nsession_rules = \"nyse\"\n", "backtest.session_rules"},
      {"[backtest]\nslippage_ticks = -1\n", "backtest"},
      {"[backtest]\ncommission_pct = \"0.01\"\n", "backtest.commission_pct"},
      {"[executor]\ndrain = \"abort\"\n", "executor.drain"},
  });
  // A word outside its list names every word it may be.
  EXPECT_EQ(parse_bad("[recorder]\nenabled = \"yes\"\n").message,
            "expected \"auto\", \"on\" or \"off\"");
  EXPECT_EQ(parse_bad("[executor]\ndrain = \"abort\"\n").message,
            "expected \"cancel\" or \"finish\"");
}

namespace {

TEST(Config, PythonStrategyTables) {
  auto cfg = parse_ok("[[strategy]]\nfile = \"strategies/gap_fade.py\"\nsymbols = [\"005930\"]\n"
                      "[[strategy]]\nfile = \"team.signals.momentum\"\nclass = \"Fast\"\n"
                      "id = \"mom\"\n");
  ASSERT_EQ(cfg.strategies.size(), 2u);
  EXPECT_EQ(cfg.strategies[0].name, "gap_fade"); // the file's stem
  EXPECT_EQ(cfg.strategies[0].id, "gap_fade");
  EXPECT_EQ(cfg.strategies[0].file, "strategies/gap_fade.py");
  EXPECT_EQ(cfg.strategies[1].name, "momentum"); // a module's last part
  EXPECT_EQ(cfg.strategies[1].id, "mom");
  EXPECT_EQ(cfg.strategies[1].class_name, "Fast");
  expect_refused({
      {"[[strategy]]\nname = \"ma_cross\"\nclass = \"X\"\n", "strategy[0].class"},
      {"[[strategy]]\nsymbols = []\n", "strategy[0].name"},
  });
}

TEST(Config, APythonFileIsFoundNextToTheConfigFile) {
  auto dir =
      std::filesystem::temp_directory_path() / ("kis-config-py-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir / "conf");
  std::ofstream{dir / "conf" / "engine.toml"}
      << "[[strategy]]\nfile = \"mine.py\"\n[[strategy]]\nfile = \"/abs/other.py\"\n"
         "[[strategy]]\nfile = \"a.module\"\n";
  auto r = load_config_file((dir / "conf" / "engine.toml").string());
  ASSERT_TRUE(std::holds_alternative<engine_config>(r));
  const auto& cfg = std::get<engine_config>(r);
  EXPECT_EQ(cfg.strategies[0].file, (dir / "conf" / "mine.py").string());
  EXPECT_EQ(cfg.strategies[1].file, "/abs/other.py");
  EXPECT_EQ(cfg.strategies[2].file, "a.module");
  EXPECT_EQ(cfg.source_path, (dir / "conf" / "engine.toml").string());
  std::filesystem::remove_all(dir);
}

} // namespace

TEST(Config, SessionsAndStrategyVenues) {
  auto cfg = parse_ok(R"(
mode = "paper"
[sessions]
extra_holidays = ["20261119"]
[sessions.nxt.regular]
hours = "09:00:30-15:20"
[[strategy]]
name = "ma_cross"
venue = "NXT"
[[strategy]]
name = "orb"
)");
  ASSERT_EQ(cfg.strategies.size(), 2u);
  EXPECT_EQ(cfg.strategies[0].default_venue, kis::venue::nxt);
  EXPECT_EQ(cfg.strategies[1].default_venue, kis::venue::unset);
  EXPECT_EQ(cfg.sessions.settings.size(), 2u);
  EXPECT_EQ(run_environment(cfg), kis::api::environment::paper);
  // Enforced in paper and live by default, not in sim unless asked.
  auto cal = run_calendar(cfg.sessions, false);
  ASSERT_NE(cal, nullptr);
  EXPECT_TRUE(cal->holidays().count(20261119));
  EXPECT_EQ(run_calendar(cfg.sessions, true), nullptr);
  auto sim = parse_ok("[sessions]\nenforce = true\n");
  EXPECT_NE(run_calendar(sim.sessions, true), nullptr);
  auto off = parse_ok("mode = \"paper\"\n[sessions]\nenforce = false\n");
  EXPECT_EQ(run_calendar(off.sessions, false), nullptr);
}

TEST(Config, BadSessionsAndVenuesAreNamed) {
  expect_refused({
      {"[[strategy]]\nname = \"x\"\nvenue = \"nyse\"\n", "strategy[0].venue"},
      {"[sessions]\nenforce = \"yes\"\n", "sessions.enforce"},
      {"[analyzers]\nmarket = \"KRX\"\n", "analyzers.market"},
      {"[sessions]\nholidays = 3\n", "sessions.holidays"},
  });
  EXPECT_EQ(parse_ok("[analyzers]\nmarket = \"UN\"\n").analyzers.market, "UN");
  auto hours = parse_bad("[sessions.nxt.regular]\nhours = \"9 to 5\"\n");
  EXPECT_EQ(hours.key, "sessions");
  EXPECT_NE(hours.message.find("nxt.regular"), std::string::npos) << hours.message;
}

TEST(Config, MarketsPerSymbolAndTheSimulatorsClock) {
  auto c = parse_ok(R"([analyzers]
market = "J"
[analyzers.markets]
"005930" = "UN"
"000660" = "NX"
[sim]
start = "2026-03-10 19:30"
speed = 60
)");
  EXPECT_EQ(c.analyzers.markets.at("005930"), "UN");
  EXPECT_EQ(c.analyzers.markets.at("000660"), "NX");
  EXPECT_EQ(c.sim.start, "2026-03-10 19:30");
  EXPECT_DOUBLE_EQ(c.sim.speed, 60.0);
  expect_refused({
      {"[analyzers.markets]\n\"005930\" = \"KRX\"\n", "analyzers.markets.005930"},
      {"[analyzers.markets]\n\"005930\" = 1\n", "analyzers.markets.005930"},
      {"[analyzers]\nmarkets = 3\n", "analyzers.markets"},
      {"[sim]\nstart = \"19:30\"\n", "sim.start"},
      {"[sim]\nstart = \"2026-02-30 19:30\"\n", "sim.start"},
      {"[sim]\nspeed = 0\n", "sim.speed"},
      {"[sim]\nspeed = 100000\n", "sim.speed"},
  });
}
