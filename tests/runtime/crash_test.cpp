// kill -9 during a burst of orders, restart, reconcile: the journal and the exchange agree.
// kis-engine runs (live mode, 18 calls/s) against a kis-sim in this process, whose own list of
// the orders it received is the proof. Each run's exec_tester strategy sends a burst of 200
// limit buys that rest on the book (quantity = 1 + n, so every order of a run is distinct);
// the engine is killed with SIGKILL at a seeded random moment of the burst, 24 times, restarted
// on the same data_dir at once, and finally left to run, reconcile and exit. Then:
// - every order the simulator accepted is in the journal with its order number, exactly once
//   (an order sent twice would leave a second number nobody journaled);
// - no journaled order is left unsettled (journaled or unknown);
// - the simulator never answered EGW00201 (the spent ledger carries the window over restarts).
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "sim/server.hpp"
#include "support/engine_process.hpp"
#include "support/order_audit.hpp"
#include "support/sim_engine_env.hpp"
#include "support/temp_path.hpp"

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::int64_t wall_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Where the server saw more than 18 calls in a sliding second, and how long after the latest
// process start: tells a restart's leftover calls from a crowded machine's late deliveries.
std::string crowded_seconds(const std::vector<std::int64_t>& arrivals,
                            const std::vector<std::int64_t>& starts) {
  std::string out;
  for (std::size_t i = 18; i < arrivals.size(); ++i) {
    if (arrivals[i] - arrivals[i - 18] >= 1'000'000'000)
      continue;
    auto after = std::upper_bound(starts.begin(), starts.end(), arrivals[i]);
    auto since = after == starts.begin() ? -1 : (arrivals[i] - *(after - 1)) / 1'000'000;
    out += "19 calls within " + std::to_string((arrivals[i] - arrivals[i - 18]) / 1'000'000) +
           " ms, " + std::to_string(since) + " ms after a start\n";
  }
  return out;
}

class CrashDuringBurst : public ::testing::Test {
protected:
  void SetUp() override {
    kis::sim::options so;
    so.env = kis::api::environment::real;
    so.rate_limit = 18;
    so.initial_cash = 1'000'000'000'000;
    sim_ = std::make_unique<kis::sim::server>(so);
    sim_->start();
    dir_ = kis::test::unique_temp_path("kis-crash");
    fs::create_directories(dir_);
    const auto list = kis::test::toml_symbols(*sim_, 8);
    std::ofstream{dir_ / "engine.toml"}
        << "mode = \"live\"\ndata_dir = \"" << (dir_ / "data").string()
        << "\"\n"
        // On a shared 2-core box a request can wait tens of ms between leaving and the in-process
        // server stamping it: a margin of that size (a network path needs the default's 10 ms;
        // an EGW00201 would widen it on its own, see permit_scheduler).
        << "[budget]\nrate_limit = 18\nsafety_margin = \"60ms\"\n"
        << "[analyzers]\ncount = 2\nsymbols = [" << list << "]\nhistory_days = 0\n"
        << "[executor]\nmax_position_qty = 1000000\n"
        << "[sessions]\nenforce = false\n" // this kis-sim never closes, whatever the hour

        << "[[strategy]]\nname = \"exec_tester\"\nid = \"burst\"\nsymbols = [" << list << "]\n"
        << "params = { count = 200, qty = 1, offset_ticks = 10 }\n";
    env_ = kis::test::sim_engine_env(*sim_);
  }

  void TearDown() override {
    sim_->stop();
    if (!HasFailure())
      fs::remove_all(dir_);
  }

  pid_t start(const std::string& duration, int run) {
    auto tag = std::to_string(run);
    return kis::test::spawn_process(KIS_ENGINE_BIN,
                                    {"run", "-c", (dir_ / "engine.toml").string(), "--mode", "live",
                                     "--confirm-live", "--duration", duration, "-q"},
                                    env_, dir_ / ("out" + tag), dir_ / ("err" + tag));
  }

  std::unique_ptr<kis::sim::server> sim_;
  fs::path dir_;
  std::vector<std::string> env_;
};

TEST_F(CrashDuringBurst, JournalAndExchangeAgreeAfterTwentyFourKills) {
  constexpr int kills = 24;
  std::mt19937 rng{20261201};
  // A burst of 200 at 18/s lasts ~11 s after a start of a second or two: kill anywhere in it.
  std::uniform_int_distribution<int> at_ms{300, 9000};
  int killed_alive = 0;
  std::vector<std::int64_t> starts_ns; // wall clock, to place any EGW00201 against the restarts
  for (int k = 0; k < kills; ++k) {
    starts_ns.push_back(wall_ns());
    auto pid = start("60s", k);
    ASSERT_GT(pid, 0);
    std::this_thread::sleep_for(std::chrono::milliseconds{at_ms(rng)});
    if (::kill(pid, SIGKILL) == 0)
      ++killed_alive;
    auto code = kis::test::wait_exit_code(pid);
    ASSERT_TRUE(code == 128 + SIGKILL || code == 0)
        << "run " << k << " ended with " << code << ":\n"
        << kis::test::read_text(dir_ / ("err" + std::to_string(k)));
  }
  EXPECT_EQ(killed_alive, kills) << "a run ended before its kill point";
  const auto before_final = sim_->stats().orders_accepted;
  EXPECT_GT(before_final, 0u) << "no order reached the simulator before the kills";

  // The last run reconciles what the killed ones left and exits on its own.
  auto pid = start("25s", kills);
  ASSERT_EQ(kis::test::wait_exit_code(pid), 0)
      << kis::test::read_text(dir_ / ("err" + std::to_string(kills)));

  auto rows = kis::test::read_journal(dir_ / "data" / "journal-live.sqlite");
  ASSERT_FALSE(rows.empty());
  auto audit = kis::test::audit_orders(rows, sim_->orders());
  RecordProperty("orders_accepted", static_cast<int>(audit.accepted));
  RecordProperty("journal_rows", static_cast<int>(audit.journal_rows));
  EXPECT_GE(audit.accepted, 200u);
  EXPECT_TRUE(audit.lost.empty()) << audit.lost.size()
                                  << " accepted orders unknown to the journal, e.g. "
                                  << audit.lost.front();
  EXPECT_TRUE(audit.unsettled.empty())
      << audit.unsettled.size() << " unsettled, e.g. " << audit.unsettled.front();
  EXPECT_EQ(audit.numbers_in_two_rows, 0u);
  EXPECT_EQ(audit.numbers_never_given, 0u);
  EXPECT_EQ(sim_->stats().rate_rejections, 0u) << crowded_seconds(sim_->call_arrivals(), starts_ns);
}

} // namespace
