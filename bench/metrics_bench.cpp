// What instrumentation costs: message throughput of one simple actor with and without an
// actor_recorder (attached to a live metrics actor), in the same process and run.
// Run with interleaving so both see the same machine:
//   metrics_bench --benchmark_repetitions=10 --benchmark_enable_random_interleaving=true
//                 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/instrumentation.hpp"
#include "actors/metrics.hpp"

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

counter_actor::behavior_type instrumented(counter_actor::stateful_pointer<instrumented_state> self,
                                          kis::metrics_actor sink) {
  self->state.rec.attach(std::move(sink));
  return {
      [=](int x) {
        auto& st = self->state;
        auto m = st.rec.measure(self);
        st.sum += static_cast<std::uint64_t>(x);
        if (x & 1)
          st.rec.add(st.odd);
      },
      [=](caf::get_atom) {
        auto m = self->state.rec.measure(self);
        return self->state.sum;
      },
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
