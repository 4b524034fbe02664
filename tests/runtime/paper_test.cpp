// Paper trading out of the box (issue #10): kis-engine in paper mode with no [budget] table
// against a kis-sim that counts like KIS paper (1 call per sliding second), a strategy that
// trades three symbols. The simulator's own counters are the judge: the orders were placed and
// filled, not one call drew EGW00201, the run ended by itself on --duration with exit 0, and a
// second run on the same day fetched no daily history (the cache on disk served it).
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "kis/clock.hpp"
#include "kis/kst.hpp"
#include "sim/server.hpp"
#include "support/engine_process.hpp"
#include "support/sim_engine_env.hpp"
#include "support/temp_path.hpp"

namespace {

namespace fs = std::filesystem;

constexpr const char* history_tr = "FHKST03010100"; // inquire-daily-itemchartprice

std::uint64_t calls_of(const kis::sim::stats& st, const std::string& tr) {
  auto it = st.calls_by_tr_id.find(tr);
  return it == st.calls_by_tr_id.end() ? 0 : it->second;
}

TEST(PaperOutOfTheBox, TradesAtOneCallASecondAndRestartsWithoutHistoryCalls) {
  kis::sim::options so;
  so.env = kis::api::environment::paper; // 1 call per sliding second, as KIS paper
  kis::sim::server sim{so};
  sim.start();
  const auto dir = kis::test::unique_temp_path("kis-paper");
  fs::create_directories(dir);
  const auto list = kis::test::toml_symbols(sim, 3);
  std::ofstream{dir / "engine.toml"}
      << "mode = \"paper\"\ndata_dir = \"" << (dir / "data").string() << "\"\n"
      << "[analyzers]\nsymbols = [" << list
      << "]\n"
      // This kis-sim's market never closes: the test must not depend on the hour it runs at.
      << "[sessions]\nenforce = false\n"
      << "[[strategy]]\nname = \"exec_tester\"\nid = \"paper\"\nsymbols = [" << list << "]\n"
      << "params = { count = 3, per_event = 1, offset_ticks = -2 }\n";
  const auto env = kis::test::sim_engine_env(sim, /*with_hts_id=*/false);
  auto run = [&](const std::string& duration, const std::string& tag) {
    auto pid = kis::test::spawn_process(
        KIS_ENGINE_BIN, {"run", "-c", (dir / "engine.toml").string(), "--duration", duration}, env,
        dir / (tag + ".out"), dir / (tag + ".err"));
    EXPECT_GT(pid, 0);
    return pid > 0 ? kis::test::wait_exit_code(pid) : -1;
  };

  // The cache is per market day (KST): when the two runs straddle a KST midnight the restart
  // fetches again or not depending on which side of it the first run's fetch fell.
  const auto day_before = kis::api::kst::today(*kis::default_wall_clock());
  ASSERT_EQ(run("45s", "first"), 0) << kis::test::read_text(dir / "first.err");
  const auto first = sim.stats();
  EXPECT_GE(first.orders_accepted, 3u) << kis::test::read_text(dir / "first.out");
  EXPECT_GE(first.fills, 1u);
  EXPECT_EQ(first.rate_rejections, 0u);
  EXPECT_LE(first.max_calls_in_window, 1u);
  const auto history_first = calls_of(first, history_tr);
  EXPECT_GT(history_first, 0u) << "the strategy's symbols had no history";
  // The start line says the plan.
  EXPECT_NE(kis::test::read_text(dir / "first.err").find("budget 1/s"), std::string::npos)
      << kis::test::read_text(dir / "first.err");

  ASSERT_EQ(run("12s", "second"), 0) << kis::test::read_text(dir / "second.err");
  const auto second = sim.stats();
  if (kis::api::kst::today(*kis::default_wall_clock()) == day_before) {
    EXPECT_EQ(calls_of(second, history_tr), history_first) << "the restart fetched history again";
  }
  EXPECT_EQ(second.rate_rejections, 0u);
  sim.stop();
  if (!HasFailure())
    fs::remove_all(dir);
}

} // namespace
