// Pipeline latencies on a real (threaded) actor system with the budget free (a gateway double
// that answers at once): a trade entering an analyzer -> the strategy's on_tick, and a signal
// entering the executor -> the order request reaching the gateway (risk, journal with its
// fsync, send). Each iteration waits for its own event, so these are latencies, not
// throughput; p50/p99 are reported as counters.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/send.hpp>

#include "actors/trading/analyzer.hpp"
#include "actors/trading/order_executor.hpp"
#include "actors/trading/strategy_host.hpp"
#include "tests/trading/fakes.hpp"

namespace {

std::int64_t steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// The one value an actor thread hands to the bench thread.
std::atomic<std::int64_t> arrived{0};

void wait_for(std::int64_t since) {
  while (arrived.load(std::memory_order_acquire) < since)
    std::this_thread::yield();
}

void report(benchmark::State& state, std::vector<std::int64_t>& lat) {
  std::sort(lat.begin(), lat.end());
  auto at = [&](double q) {
    return static_cast<double>(
               lat[static_cast<std::size_t>(q * static_cast<double>(lat.size() - 1))]) /
           1000.0;
  };
  state.counters["p50_us"] = at(0.50);
  state.counters["p99_us"] = at(0.99);
}

// Stamps the arrival of each tick (received_ns carries the send time on the steady clock).
class stamp_ticks final : public kis::strategy {
public:
  void on_tick(const kis::market_event&) override {
    arrived.store(steady_ns(), std::memory_order_release);
  }
};

struct system_config : caf::actor_system_config {
  system_config() { set("scheduler.max-threads", 2); }
};

void BM_TickToStrategyCallback(benchmark::State& state) {
  system_config cfg;
  caf::actor_system sys{cfg};
  auto fd = std::make_shared<kis::test::feed_record>();
  auto gw = std::make_shared<kis::test::gateway_record>();
  auto gateway = kis::test::spawn_fake_gateway(sys, gw);
  auto feed = kis::test::spawn_fake_feed(sys, fd);
  kis::analyzer_config ac;
  ac.symbols = {"005930"};
  ac.history_days = 0;
  auto an = kis::spawn_analyzer(sys, ac, gateway, feed);
  kis::strategy_host_config hc;
  hc.id = "bench";
  hc.trade = false;
  auto host = kis::spawn_strategy_host(sys, std::make_shared<stamp_ticks>(), hc,
                                       kis::order_executor_actor{});
  caf::anon_send(an, kis::follow_atom_v, std::string{"005930"}, host);
  std::vector<std::int64_t> lat;
  std::int64_t t = 1'767'225'600'000'000'000;
  for (auto _ : state) {
    kis::trade_tick tick;
    tick.symbol = "005930";
    tick.price = 70000;
    tick.qty = 1;
    tick.exchange_ns = t += 1'000'000;
    auto sent = steady_ns();
    tick.received_ns = sent;
    caf::anon_send(an, tick);
    wait_for(sent);
    lat.push_back(arrived.load() - sent);
  }
  report(state, lat);
  for (auto a : {caf::actor_cast<caf::actor>(an), caf::actor_cast<caf::actor>(host),
                 caf::actor_cast<caf::actor>(gateway), caf::actor_cast<caf::actor>(feed)})
    caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
}
BENCHMARK(BM_TickToStrategyCallback)->Iterations(20000)->UseRealTime();

void BM_SignalToOrderOnTheWire(benchmark::State& state) {
  system_config cfg;
  caf::actor_system sys{cfg};
  auto gw = std::make_shared<kis::test::gateway_record>();
  gw->quotes["005930"] = kis::test::gateway_record::default_quote("005930");
  gw->on_order = [](const kis::order_request&) {
    arrived.store(steady_ns(), std::memory_order_release);
  };
  auto gateway = kis::test::spawn_fake_gateway(sys, gw);
  kis::executor_config ec;
  ec.journal_path = (std::filesystem::temp_directory_path() / "kis-pipeline-bench.sqlite").string();
  for (auto ext : {"", "-wal", "-shm"})
    std::filesystem::remove(ec.journal_path + ext);
  ec.check_buyable = false;
  ec.dedup_window = std::chrono::milliseconds{0};
  ec.quote_max_age = std::chrono::hours{1};
  ec.risk.max_position_qty = 1'000'000'000;
  auto exec = kis::spawn_order_executor(sys, ec, gateway, kis::ws_feed_actor{});
  if (!exec) {
    state.SkipWithError("journal");
    return;
  }
  std::vector<std::int64_t> lat;
  for (auto _ : state) {
    kis::signal s;
    s.strategy_id = "bench";
    s.symbol = "005930";
    s.qty = 1;
    s.price = 10000;
    auto sent = steady_ns();
    caf::anon_send(*exec, s);
    wait_for(sent);
    lat.push_back(arrived.load() - sent);
  }
  report(state, lat);
  caf::anon_send_exit(*exec, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(gateway, caf::exit_reason::user_shutdown);
}
BENCHMARK(BM_SignalToOrderOnTheWire)->Iterations(2000)->UseRealTime();

} // namespace

BENCHMARK_MAIN();
