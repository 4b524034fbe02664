// What kis-sim's synthetic market costs for the whole market (2,700 listed symbols): one market
// step of every symbol (the work a 250 ms step asks of the simulator when every symbol is
// watched), against the same step of one symbol, and the catch-up of a symbol nobody looked at
// for an hour (it advances lazily, when looked at), and the catch-up after a closed night on
// the calendar.
#include <optional>

#include <benchmark/benchmark.h>

#include "sim/market.hpp"

namespace {

using namespace std::chrono_literals;

std::shared_ptr<kis::manual_wall_clock> clock_at_11() {
  auto c = std::make_shared<kis::manual_wall_clock>();
  c->advance(2h); // 11:00 KST: ordinary bursts, not the open's
  return c;
}

// Every symbol advanced by one step, as if all 2,700 were watched.
void BM_StepWholeMarket(benchmark::State& state) {
  kis::sim::market m{{}, 42, clock_at_11(), 250ms};
  const auto symbols = m.symbols();
  for (const auto& s : symbols)
    m.last_price(s); // history-free warm-up: the first print of every symbol
  for (auto _ : state) {
    m.step(1);
    std::int64_t sum = 0;
    for (const auto& s : symbols)
      sum += m.last_price(s);
    benchmark::DoNotOptimize(sum);
  }
  state.counters["symbols"] = static_cast<double>(symbols.size());
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(symbols.size()));
}
BENCHMARK(BM_StepWholeMarket);

// The baseline: the same step for the most liquid symbol alone.
void BM_StepOneSymbol(benchmark::State& state) {
  kis::sim::market m{{"005930"}, 42, clock_at_11(), 250ms};
  m.last_price("005930");
  for (auto _ : state) {
    m.step(1);
    benchmark::DoNotOptimize(m.last_price("005930"));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_StepOneSymbol);

// A symbol looked at once an hour: 14,400 steps generated at once.
void BM_CatchUpAnHour(benchmark::State& state) {
  kis::sim::market m{{"005930"}, 42, clock_at_11(), 250ms};
  m.last_price("005930");
  for (auto _ : state) {
    m.step(14'400);
    benchmark::DoNotOptimize(m.last_price("005930"));
  }
}
BENCHMARK(BM_CatchUpAnHour)->Unit(benchmark::kMillisecond);

// With the calendar: a symbol looked at after a closed night (20:00 to 07:00 KST, 158,400
// steps) catches up by skipping to the next trading step, then prints as usual.
void BM_CatchUpClosedNight(benchmark::State& state) {
  auto c = std::make_shared<kis::manual_wall_clock>(
      kis::wall_time{std::chrono::seconds{1'796'122'800}}); // 2026-12-01 20:00 KST
  constexpr std::int64_t night = 11 * 3600 * 4;
  std::optional<kis::sim::market> m;
  for (auto _ : state) {
    state.PauseTiming(); // a fresh evening every iteration
    m.emplace(std::vector<std::string>{"005930"}, 42, c, 250ms, 0.3,
              kis::sessions::calendar::year_2026());
    m->last_price("005930");
    state.ResumeTiming();
    m->step(night);
    benchmark::DoNotOptimize(m->last_price("005930"));
  }
}
BENCHMARK(BM_CatchUpClosedNight)->Unit(benchmark::kMicrosecond);

} // namespace

BENCHMARK_MAIN();
