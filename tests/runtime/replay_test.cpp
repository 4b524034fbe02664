// Record, replay, check: one short sim run of the real engine is recorded (kis-engine run with
// the recorder on), then replayed through the same actors on the deterministic scheduler. Two
// replays give byte-identical order logs, fills and P&L; a damaged or torn segment is reported
// with its offset while the rest replays; the recording holds no secret.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

#include <gtest/gtest.h>

#include "kis/recording_format.hpp"
#include "kis/kst.hpp"
#include "runtime/backtest_command.hpp"
#include "runtime/engine.hpp"
#include "runtime/recording_index.hpp"
#include "runtime/replay_command.hpp"
#include "runtime/replay_driver.hpp"
#include "sim/market.hpp"
#include "sim/server.hpp"

namespace {

using namespace kis;
using namespace kis::runtime;
namespace fs = std::filesystem;

// Symbols of the simulator's universe: 14 watched, 9 WebSocket slots (one is for notices), so
// some are polled over REST too.
std::vector<std::string> watched() {
  auto all = sim::default_universe();
  return {all.begin(), all.begin() + 14};
}

engine_config recording_config(const fs::path& dir) {
  engine_config cfg;
  cfg.mode = run_mode::sim;
  cfg.duration = std::chrono::seconds{12};
  cfg.data_dir = (dir / "data").string();
  cfg.recorder.enabled = "on";
  cfg.recorder.path = (dir / "recording").string();
  cfg.recorder.flush_interval = std::chrono::milliseconds{200};
  cfg.recorder.chunk_kb = 64; // several chunks, so one can be damaged alone
  cfg.analyzers.symbols = watched();
  cfg.analyzers.count = 2;
  cfg.analyzers.bar_seconds = 1;
  cfg.analyzers.history_days = 20;
  cfg.feed.max_registrations = 10;
  // The first subscribers keep their slots (no re-ranking), so the recording's WebSocket
  // symbols are a fixed nine that the tests below can name.
  cfg.feed.rerank_interval = std::chrono::milliseconds{0};
  cfg.strategies_configured = true;
  auto syms = watched();
  strategy_entry ma;
  ma.name = ma.id = "ma_cross";
  ma.symbols = {syms.begin(), syms.begin() + 6};
  ma.params = {{"fast", std::int64_t{2}}, {"slow", std::int64_t{4}}, {"qty", std::int64_t{1}}};
  strategy_entry orb;
  orb.name = orb.id = "orb";
  orb.symbols = {syms.begin() + 6, syms.begin() + 12};
  orb.params = {{"range_bars", std::int64_t{3}}, {"qty", std::int64_t{1}}};
  cfg.strategies = {ma, orb};
  return cfg;
}

std::string read_file(const fs::path& p) {
  std::ifstream in{p, std::ios::binary};
  return {std::istreambuf_iterator<char>{in}, {}};
}

class Replay : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    dir_ = new fs::path{fs::temp_directory_path() / ("kis-replay-" + std::to_string(::getpid()))};
    fs::remove_all(*dir_);
    fs::create_directories(*dir_);
    cfg_ = new engine_config{recording_config(*dir_)};
    exit_code_ = run_engine(*cfg_, nullptr);
  }
  static void TearDownTestSuite() {
    fs::remove_all(*dir_);
    delete dir_;
    delete cfg_;
  }

  static fs::path recording() { return *dir_ / "recording"; }

  static replay_result replay(const fs::path& rec, const std::string& out, int metrics_port = -1,
                              const engine_config* cfg = nullptr) {
    auto run = read_recorded_run(rec);
    EXPECT_TRUE(run.ok());
    auto setup = replay_setup_for(cfg != nullptr ? *cfg : *cfg_, *run, watched());
    setup.ws_symbols = recorded_ws_symbols(rec);
    setup.out_dir = *dir_ / out;
    setup.metrics_port = metrics_port;
    auto src = open_recording(rec, {});
    EXPECT_TRUE(src.ok());
    return run_replay(setup, **src);
  }

  // A copy of the recording to damage.
  static fs::path copy_recording(const std::string& name) {
    auto to = *dir_ / name;
    fs::remove_all(to);
    fs::copy(recording(), to, fs::copy_options::recursive);
    return to;
  }

  static inline fs::path* dir_ = nullptr;
  static inline engine_config* cfg_ = nullptr;
  static inline int exit_code_ = -1;
};

TEST_F(Replay, ARecordedSimRunReplaysTwiceToTheSameDigest) {
  ASSERT_EQ(exit_code_, 0);
  auto a = replay(recording(), "out-a");
  auto b = replay(recording(), "out-b");
  ASSERT_TRUE(a.ok) << a.error;
  ASSERT_TRUE(b.ok) << b.error;
  EXPECT_TRUE(a.problems.empty());
  // The strategies traded against the fill model: orders, fills and notices went the whole way.
  ASSERT_FALSE(a.orders.empty());
  EXPECT_FALSE(a.fills.empty());
  EXPECT_GT(a.venue.notices_sent, 0u);
  EXPECT_GT(a.venue.frames_delivered, 100u);
  EXPECT_GT(a.venue.answers_recorded, 0u); // history and polls came from the recording
  EXPECT_EQ(a.digest.size(), 64u);
  EXPECT_EQ(a.digest, b.digest);
  EXPECT_EQ(read_file(*dir_ / "out-a" / "orders.csv"), read_file(*dir_ / "out-b" / "orders.csv"));
  EXPECT_EQ(read_file(*dir_ / "out-a" / "fills.csv"), read_file(*dir_ / "out-b" / "fills.csv"));
  EXPECT_EQ(a.realized_pnl, b.realized_pnl);
  EXPECT_EQ(a.messages, b.messages);
  for (const auto& o : a.orders) // every order came from a configured strategy's symbol
    EXPECT_TRUE(o.strategy_id == "ma_cross" || o.strategy_id == "orb") << o.strategy_id;
}

TEST_F(Replay, AWindowAndSomeSymbols) {
  auto run = read_recorded_run(recording());
  ASSERT_TRUE(run.ok());
  const auto day = api::kst::date_of(run->first_ns);
  auto hms = [](std::int64_t ns) {
    auto t = api::kst::time_of(ns);
    return t.substr(0, 2) + ":" + t.substr(2, 2) + ":" + t.substr(4, 2);
  };
  replay_flags f;
  f.recording = recording().string();
  f.from = std::to_string(day) + "-" + hms(run->first_ns + 4'000'000'000);
  f.to = hms(run->first_ns + 9'000'000'000);
  f.symbols = watched()[0] + "," + watched()[6];
  f.out = (*dir_ / "out-window").string();
  auto prepared = prepare_recording_replay(f, *cfg_);
  ASSERT_TRUE(prepared) << prepared.error().message;
  auto& p = *prepared;
  EXPECT_EQ(p.setup.symbols, (std::vector<std::string>{watched()[0], watched()[6]}));
  auto r = run_replay(p.setup, *p.source);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.first_ns, *parse_replay_time(f.from, day));
  EXPECT_GE(r.first_ns, run->first_ns + 4'000'000'000 - 1'000'000'000); // whole seconds
  for (const auto& o : r.orders)
    EXPECT_TRUE(o.symbol == watched()[0] || o.symbol == watched()[6]) << o.symbol;
  // Frames only for the two symbols reached the feed; the others only the fill model's tape.
  EXPECT_GT(r.venue.frames_skipped, 0u);
  // Malformed times are refused with the flag's name.
  f.from = "9am";
  auto bad = prepare_recording_replay(f, *cfg_);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, kis::errc::config);
  EXPECT_NE(bad.error().message.find("--from"), std::string::npos);
  EXPECT_EQ(parse_replay_time("09:30", 20260415), parse_replay_time("20260415-09:30:00", 0));
  EXPECT_FALSE(parse_replay_time("25:00", 20260415).has_value());
}

TEST_F(Replay, ServingMetricsDoesNotChangeTheOutcome) {
  auto plain = replay(recording(), "out-nometrics");
  auto served = replay(recording(), "out-metrics", 0); // metrics actor and /metrics server
  ASSERT_TRUE(served.ok) << served.error;
  EXPECT_EQ(plain.digest, served.digest);
}

TEST_F(Replay, ADamagedChunkIsReportedWithItsOffsetAndTheRestReplays) {
  auto rec = copy_recording("damaged");
  auto idx = recording_index::open(rec, false);
  ASSERT_TRUE(idx.ok());
  auto chunks = idx->chunks({});
  ASSERT_GE(chunks.size(), 3u);
  const auto& victim = chunks[chunks.size() / 2];
  {
    std::fstream f{rec / victim.file, std::ios::in | std::ios::out | std::ios::binary};
    f.seekp(static_cast<std::streamoff>(victim.info.offset + rec::chunk_header_size + 5));
    f.put('\x42');
    f.put('\x24');
  }
  auto full = replay(recording(), "out-full");
  auto r = replay(rec, "out-damaged");
  ASSERT_TRUE(r.ok) << r.error;
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_NE(r.problems[0].find(victim.file + " @ " + std::to_string(victim.info.offset)),
            std::string::npos)
      << r.problems[0];
  EXPECT_EQ(r.records + victim.info.records, full.records); // only that chunk is lost
}

TEST_F(Replay, ATornSegmentTailIsReportedAndTheRestReplays) {
  auto rec = copy_recording("torn");
  auto idx = recording_index::open(rec, false);
  ASSERT_TRUE(idx.ok());
  auto chunks = idx->chunks({});
  ASSERT_FALSE(chunks.empty());
  const auto& last = chunks.back();
  fs::resize_file(rec / last.file, last.info.offset + last.info.length / 2);
  auto r = replay(rec, "out-torn");
  ASSERT_TRUE(r.ok) << r.error;
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_NE(r.problems[0].find("@ " + std::to_string(last.info.offset) + ": truncated"),
            std::string::npos)
      << r.problems[0];
  EXPECT_GT(r.records, 0u);
}

TEST_F(Replay, UnindexedChunksAfterACrashAreStillRead) {
  auto rec = copy_recording("unindexed");
  fs::remove(rec / recording_index::file_name); // no index at all: every segment is scanned
  auto full = replay(recording(), "out-full2");
  auto r = replay(rec, "out-unindexed");
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.records, full.records);
  EXPECT_EQ(r.digest, full.digest);
}

// Every byte of the recording, raw and decompressed.
std::string everything_in(const fs::path& dir) {
  std::string all;
  for (const auto& e : fs::directory_iterator(dir)) {
    all += read_file(e.path());
    if (e.path().extension() != ".krec")
      continue;
    auto r = rec::segment_reader::open(e.path());
    std::vector<rec::record> chunk;
    rec::chunk_info info;
    while (r->next(chunk, info))
      for (const auto& x : chunk) {
        all += x.text + "\n" + x.body + "\n" + x.error + "\n";
        for (const auto& p : x.params)
          all += p.name + "=" + p.value + "\n";
      }
  }
  return all;
}

// What a secret of the simulator looks like: its app key and secret, any JWT (the access
// token's fixed header), any UUID (approval keys), and non-empty notice keys in an ack.
std::vector<std::string> secrets_in(const std::string& text) {
  std::vector<std::string> found;
  for (auto s : {std::string{sim::default_app_key}, std::string{sim::default_app_secret},
                 std::string{"eyJ0eXAiOiJKV1Qi"}})
    if (text.find(s) != std::string::npos)
      found.push_back(s.substr(0, 12) + "...");
  static const std::regex uuid{"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"};
  static const std::regex key{R"re("(key|iv)"\s*:\s*"[^"]+")re"};
  if (std::regex_search(text, uuid))
    found.push_back("a UUID (approval key)");
  if (std::regex_search(text, key))
    found.push_back("an ack's notice key or iv");
  return found;
}

TEST_F(Replay, TheRecordingHoldsNoSecret) {
  ASSERT_EQ(exit_code_, 0);
  auto all = everything_in(recording());
  ASSERT_GT(all.size(), 10'000u);
  // The recording did see the OAuth calls and the notice registration's ack.
  EXPECT_NE(all.find("(redacted)"), std::string::npos);
  EXPECT_NE(all.find("H0STCNI0"), std::string::npos);
  auto found = secrets_in(all);
  EXPECT_TRUE(found.empty()) << found.front();
  // The scan finds them when they are there.
  EXPECT_EQ(secrets_in(R"({"access_token":"eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzUxMiJ9.e30.x"})").size(),
            1u);
  EXPECT_EQ(secrets_in(R"({"approval_key":"0a1b2c3d-1234-4abc-8def-0123456789ab"})").size(), 1u);
  EXPECT_EQ(secrets_in(R"({"output":{"iv":"0123456789abcdef","key":"x"}})").size(), 1u);
  EXPECT_EQ(secrets_in(std::string{"hdr "} + std::string{sim::default_app_secret}).size(), 1u);
}

TEST_F(Replay, TheIndexFindsADayAndASymbolWithoutAScan) {
  auto idx = recording_index::open(recording(), false);
  ASSERT_TRUE(idx.ok());
  auto segs = idx->segments();
  ASSERT_FALSE(segs.empty());
  EXPECT_GT(segs.front().day, 20250101);
  EXPECT_TRUE(segs.back().closed);
  auto all = idx->chunks({});
  chunk_filter one;
  one.symbols = {watched().front()};
  auto some = idx->chunks(one);
  EXPECT_FALSE(some.empty());
  EXPECT_LE(some.size(), all.size());
  chunk_filter none;
  none.symbols = {"999999"};
  EXPECT_TRUE(idx->chunks(none).empty());
  chunk_filter later;
  later.from_ns = segs.back().last_ns + 1;
  EXPECT_TRUE(idx->chunks(later).empty());
  auto ws = idx->ws_symbols();
  EXPECT_FALSE(ws.empty());
  EXPECT_LE(ws.size(), 9u); // nine WebSocket slots for market data
}

// A backtest config with the recorded run's strategies, as C++ or as their Python ports.
std::string backtest_toml(const std::vector<std::string>& w, bool python) {
  auto list = [&](std::size_t from) {
    std::string out;
    for (auto i = from; i < from + 6; ++i)
      out += (out.empty() ? "\"" : ", \"") + w[i] + "\"";
    return out;
  };
  auto file = [&](const char* name) {
    return python ? "file = \"" + std::string{KIS_PYTHON_EXAMPLES} + "/" + name + ".py\"\n"
                  : std::string{};
  };
  return "[analyzers]\ncount = 2\nbar_seconds = 1\nhistory_days = 20\n"
         "[feed]\nmax_registrations = 10\n"
         "[backtest]\nslippage_ticks = 1\nmark_every = \"1s\"\n"
         "[[strategy]]\nname = \"ma_cross\"\n" +
         file("ma_cross") + "symbols = [" + list(0) +
         "]\nparams = { fast = 2, slow = 4, qty = 1 }\n"
         "[[strategy]]\nname = \"orb\"\n" +
         file("orb") + "symbols = [" + list(6) + "]\nparams = { range_bars = 3, qty = 1 }\n";
}

TEST_F(Replay, ABacktestOnTheRecordingWritesItsReport) {
  ASSERT_EQ(exit_code_, 0);
  // The same strategies as the recorded run, from a config file this time.
  auto toml = *dir_ / "bt.toml";
  std::ofstream{toml} << backtest_toml(watched(), false);
  backtest_flags f;
  f.recording = recording().string();
  f.config_path = toml.string();
  f.out = (*dir_ / "bt-rec").string();
  f.quiet = true;
  std::ostringstream out, err;
  ASSERT_EQ(run_backtest_command(f, out, err), 0) << err.str();
  auto summary = read_file(*dir_ / "bt-rec" / "backtest.txt");
  EXPECT_NE(summary.find("slippage"), std::string::npos);
  EXPECT_NE(summary.find("at 1 ticks"), std::string::npos);
  EXPECT_NE(read_file(*dir_ / "bt-rec" / "report.html").find("<polyline"), std::string::npos);
  auto trades = read_file(*dir_ / "bt-rec" / "trades.csv");
  EXPECT_GT(std::count(trades.begin(), trades.end(), '\n'), 1) << trades; // header + trips
  // The same orders as a plain replay with the same strategies: the backtest only adds costs.
  auto plain = replay(recording(), "out-plain");
  EXPECT_NE(out.str().find("digest    " + plain.digest), std::string::npos) << out.str();

  // The Python ports, unchanged, in the same backtest: the same orders, trades and summary.
  auto py_toml = *dir_ / "bt-py.toml";
  std::ofstream{py_toml} << backtest_toml(watched(), true);
  f.config_path = py_toml.string();
  f.out = (*dir_ / "bt-py").string();
  std::ostringstream py_out, py_err;
  ASSERT_EQ(run_backtest_command(f, py_out, py_err), 0) << py_err.str();
  EXPECT_NE(py_out.str().find("digest    " + plain.digest), std::string::npos) << py_out.str();
  EXPECT_EQ(read_file(*dir_ / "bt-py" / "trades.csv"), trades);
  EXPECT_EQ(read_file(*dir_ / "bt-py" / "backtest.txt"), summary);
}

// The Python ports of the examples, hosted in-process on the replay's virtual clock, send the
// very orders of the C++ strategies: the same digest.
TEST_F(Replay, PythonPortsReplayToTheDigestOfTheCppStrategies) {
  ASSERT_EQ(exit_code_, 0);
  auto py = *cfg_;
  for (auto& st : py.strategies)
    st.file = std::string{KIS_PYTHON_EXAMPLES} + "/" + st.name + ".py";
  auto cpp = replay(recording(), "out-cpp");
  auto python = replay(recording(), "out-py", -1, &py);
  ASSERT_TRUE(cpp.ok) << cpp.error;
  ASSERT_TRUE(python.ok) << python.error;
  ASSERT_FALSE(python.orders.empty());
  EXPECT_EQ(python.digest, cpp.digest);
  EXPECT_EQ(read_file(*dir_ / "out-py" / "orders.csv"),
            read_file(*dir_ / "out-cpp" / "orders.csv"));
}

// Daily bars through the embedded simulator's gateway, then from the cache: one fetch only.
TEST(BarBacktest, BarsAreFetchedOnceThenReadFromTheCache) {
  auto dir = fs::temp_directory_path() / ("kis-bars-bt-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::ofstream{dir / "c.toml"} << "data_dir = \"" << (dir / "data").string() << "\"\n";
  const auto today = api::kst::today(*default_wall_clock());
  backtest_flags f;
  f.bars = "D";
  f.config_path = (dir / "c.toml").string();
  f.symbols = "005930,000660,035420";
  f.from = std::to_string(api::kst::add_days(today, -150));
  f.to = std::to_string(api::kst::add_days(today, -10));
  f.out = (dir / "first").string();
  std::ostringstream out1, err1, out2, err2;
  ASSERT_EQ(run_backtest_command(f, out1, err1), 0) << err1.str();
  EXPECT_NE(err1.str().find("bars: 0 symbols from the cache, 3 fetched"), std::string::npos)
      << err1.str();
  f.out = (dir / "second").string();
  ASSERT_EQ(run_backtest_command(f, out2, err2), 0) << err2.str();
  EXPECT_NE(err2.str().find("bars: 3 symbols from the cache, 0 fetched (0 REST calls)"),
            std::string::npos)
      << err2.str();
  // Same bars, same strategies: the same orders, fills and P&L.
  auto digest = [](const std::string& s) { return s.substr(s.find("digest    "), 74); };
  EXPECT_EQ(digest(out1.str()), digest(out2.str()));
  EXPECT_EQ(read_file(dir / "first" / "trades.csv"), read_file(dir / "second" / "trades.csv"));
  EXPECT_NE(read_file(dir / "second" / "report.html").find("aria-label=\"drawdown\""),
            std::string::npos);
  EXPECT_NE(out2.str().find("daily returns"), std::string::npos) << out2.str();
  fs::remove_all(dir);
}

} // namespace
