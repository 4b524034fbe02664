// What instrumentation costs: message throughput of one simple actor with and without an
// actor_recorder (attached to a live metrics actor), in the same process and run.
// BM_PairedOverhead is the figure to quote; the two throughput runs show the spread. Run:
//   metrics_bench --benchmark_repetitions=10 --benchmark_enable_random_interleaving=true
//                 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/observability/instrumentation.hpp"
#include "actors/observability/measured.hpp"
#include "actors/observability/metrics.hpp"

namespace {

using counter_actor =
    caf::typed_actor<caf::reacts_to<int>, caf::replies_to<caf::get_atom>::with<std::uint64_t>>;

constexpr int batch = 20'000;

struct plain_state {
  std::uint64_t sum = 0;
};

counter_actor::behavior_type plain(counter_actor::stateful_pointer<plain_state> self) {
  return {
      [=](int x) { self->state.sum += static_cast<std::uint64_t>(x); },
      [=](caf::get_atom) { return self->state.sum; },
  };
}

struct instrumented_state {
  std::uint64_t sum = 0;
  kis::actor_recorder rec{"bench", "bench"};
  kis::metric_handle odd = rec.counter("odd_total");
};

// Measured as every role is: the measured<Base> wrapper counts and times each message.
using instrumented_ptr =
    caf::stateful_actor<instrumented_state, kis::measured<counter_actor::base>>*;

counter_actor::behavior_type instrumented(instrumented_ptr self, kis::metrics_actor sink) {
  self->state.rec.attach(std::move(sink));
  self->measure_with(self->state.rec);
  return {
      [=](int x) {
        auto& st = self->state;
        st.sum += static_cast<std::uint64_t>(x);
        if (x & 1)
          st.rec.add(st.odd);
      },
      [=](caf::get_atom) { return self->state.sum; },
  };
}

struct bench_config : caf::actor_system_config {
  bench_config() { set("scheduler.max-threads", 2); }
};

// Sends a batch, then waits for the reply that follows it: the whole batch has been handled.
void drive(benchmark::State& state, caf::actor_system& sys, const counter_actor& target) {
  caf::scoped_actor self{sys};
  for (auto _ : state) {
    for (int i = 0; i < batch; ++i)
      self->send(target, i);
    self->request(target, caf::infinite, caf::get_atom_v)
        .receive([](std::uint64_t sum) { benchmark::DoNotOptimize(sum); },
                 [&](caf::error& err) { state.SkipWithError(to_string(err).c_str()); });
  }
  state.SetItemsProcessed(state.iterations() * batch);
}

void BM_ActorThroughput_Plain(benchmark::State& state) {
  bench_config cfg;
  caf::actor_system sys{cfg};
  auto target = sys.spawn(plain);
  drive(state, sys, target);
  caf::anon_send_exit(target, caf::exit_reason::user_shutdown);
}

void BM_ActorThroughput_Instrumented(benchmark::State& state) {
  bench_config cfg;
  caf::actor_system sys{cfg};
  auto metrics = kis::spawn_metrics(sys, {});
  auto target = sys.spawn(instrumented, metrics);
  drive(state, sys, target);
  caf::anon_send_exit(target, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(metrics, caf::exit_reason::user_shutdown);
}

// The warm-up lets the recorder settle on its timing stride (it adapts once a second).
BENCHMARK(BM_ActorThroughput_Plain)->MinWarmUpTime(1.5)->MinTime(2.0)->UseRealTime();
BENCHMARK(BM_ActorThroughput_Instrumented)->MinWarmUpTime(1.5)->MinTime(2.0)->UseRealTime();

// Both actors in one system, batches alternating, each batch timed: load from other processes
// hits both sides of a pair alike, so the median of the per-pair ratios is the steadier figure.
void BM_PairedOverhead(benchmark::State& state) {
  bench_config cfg;
  caf::actor_system sys{cfg};
  auto metrics = kis::spawn_metrics(sys, {});
  auto plain_actor = sys.spawn(plain);
  auto instr_actor = sys.spawn(instrumented, metrics);
  caf::scoped_actor self{sys};
  auto run = [&](const counter_actor& target) {
    auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < batch; ++i)
      self->send(target, i);
    self->request(target, caf::infinite, caf::get_atom_v)
        .receive([](std::uint64_t) {}, [](caf::error&) {});
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  };
  std::vector<double> ratios, plain_s, instr_s;
  bool flip = false;
  for (auto _ : state) {
    double p = 0, q = 0;
    if ((flip = !flip)) {
      p = run(plain_actor);
      q = run(instr_actor);
    } else {
      q = run(instr_actor);
      p = run(plain_actor);
    }
    plain_s.push_back(p);
    instr_s.push_back(q);
    ratios.push_back(q / p);
  }
  auto median = [](std::vector<double> v) {
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
    return v[v.size() / 2];
  };
  state.counters["plain_msgs_per_s"] = batch / median(plain_s);
  state.counters["instr_msgs_per_s"] = batch / median(instr_s);
  state.counters["ratio_instr_to_plain"] = median(ratios);
  caf::anon_send_exit(plain_actor, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(instr_actor, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(metrics, caf::exit_reason::user_shutdown);
}
BENCHMARK(BM_PairedOverhead)->MinTime(8.0)->UseRealTime();

// The cost of one timed observation's bucket search.
void BM_LatencyHistogramObserve(benchmark::State& state) {
  kis::latency_histogram h;
  double x = 1e-6;
  for (auto _ : state) {
    h.observe(x);
    x = x > 1 ? 1e-6 : x * 1.7;
  }
  benchmark::DoNotOptimize(h.count());
}
BENCHMARK(BM_LatencyHistogramObserve);

} // namespace

BENCHMARK_MAIN();
