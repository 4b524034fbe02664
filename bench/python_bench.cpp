// The cost of a Python strategy against the C++ one, in one run, for BENCHMARKS.md.
//
//   python_bench [EVENTS] [ROUNDS]
//     cost: the opening-range breakout of strategies/orb.cpp and its port
//       strategies/python/examples/orb.py, started with the same params and fed the same
//       ticks (a seeded walk on a 5-bar opening range) through the strategy interface, as the
//       host calls them. ROUNDS rounds alternate the two; prints the median events/s and
//       µs/event of each and their ratio.
//     latency: a market_event sent to a strategy host actor (CAF's scheduler, two workers)
//       until the strategy's on_tick runs, for a Python strategy and a C++ one in the same
//       run, paced at 10,000 events/s; the strategy reads the monotonic clock against the
//       event's received_ns. Prints p50/p99/max of both.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <pybind11/embed.h>
#include <pybind11/stl.h>

#include "actors/trading/strategy_host.hpp"
#include "messages/registry.hpp"
#include "strategies/python/interpreter.hpp"
#include "strategies/registry.hpp"

namespace {

using namespace kis;
using clk = std::chrono::steady_clock;
namespace fs = std::filesystem;

constexpr std::int64_t minute_ns = 60'000'000'000;
constexpr std::int64_t t0 = 1'767'225'600'000'000'000; // 2026-01-01 09:00 KST

std::int64_t mono_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(clk::now().time_since_epoch())
      .count();
}

class discarding_context final : public strategy_context {
public:
  std::uint64_t signals = 0;
  std::string id = "bench";
  void emit(kis::signal) override { ++signals; }
  std::int64_t now_ns() const override { return t0; }
  const std::string& strategy_id() const override { return id; }
};

std::vector<market_event> walk(std::size_t n) {
  std::vector<market_event> out;
  std::uint64_t state = 7;
  std::int64_t px = 50'000;
  for (std::size_t i = 0; i < n; ++i) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    px += (static_cast<std::int64_t>((state >> 33) % 5) - 2) * krx_tick_size(px);
    market_event ev;
    ev.kind = event_kind::tick;
    ev.symbol = i % 2 ? "005930" : "000660";
    ev.price = px;
    ev.qty = 1;
    ev.exchange_ns = t0 + 6 * minute_ns + static_cast<std::int64_t>(i) * 1000;
    out.push_back(std::move(ev));
  }
  return out;
}

std::shared_ptr<strategy> started(strategy_config c, discarding_context& ctx) {
  c.id = "bench";
  c.params = strategy_params{{{"range_bars", std::int64_t{5}}, {"target_pct", 0.5}}};
  auto st = make_strategy(c);
  if (!st) {
    std::fprintf(stderr, "cannot start %s: %s\n", c.name.c_str(), to_string(st.error()).c_str());
    std::exit(1);
  }
  (*st)->bind(&ctx);
  for (int b = 0; b < 5; ++b) { // the opening range: 49,500 - 50,500
    for (const char* sym : {"005930", "000660"}) {
      market_event ev;
      ev.kind = event_kind::bar_closed;
      ev.symbol = sym;
      ev.last_bar = bar{sym, t0 + b * minute_ns, 60, 50'000, 50'500, 49'500, 50'000, 10};
      (*st)->on_bar(ev);
    }
  }
  return *st;
}

double median(std::vector<double> xs) {
  std::sort(xs.begin(), xs.end());
  return xs[xs.size() / 2];
}

void cost(std::size_t events, int rounds) {
  auto ticks = walk(events);
  strategy_config cpp;
  cpp.name = "orb";
  strategy_config py;
  py.name = "orb_py";
  py.file = KIS_PYTHON_EXAMPLES "/orb.py";
  std::vector<double> cpp_rate, py_rate;
  for (int r = 0; r < rounds; ++r) {
    for (auto* c : {&cpp, &py}) {
      discarding_context ctx;
      auto st = started(*c, ctx);
      auto begin = clk::now();
      std::uint64_t answered = 0;
      for (const auto& ev : ticks) {
        st->on_tick(ev);
        if (ctx.signals != answered) { // a refusal ends the order: the strategy decides again
          answered = ctx.signals;
          order_update up;
          up.symbol = ev.symbol;
          up.status = order_status::rejected;
          st->on_order_update(up);
        }
      }
      std::chrono::duration<double> took = clk::now() - begin;
      (c == &cpp ? cpp_rate : py_rate).push_back(static_cast<double>(events) / took.count());
    }
  }
  auto c = median(cpp_rate), p = median(py_rate);
  std::printf("on_tick cost (orb, %zu ticks, median of %d rounds)\n", events, rounds);
  std::printf("  C++     %12.0f events/s  %8.3f us/event\n", c, 1e6 / c);
  std::printf("  Python  %12.0f events/s  %8.3f us/event\n", p, 1e6 / p);
  std::printf("  Python costs %.1fx the C++ handler (+%.3f us/event)\n", c / p, 1e6 / p - 1e6 / c);
}

// Records the time from an event's received_ns to its handler.
class latency_probe final : public strategy {
public:
  std::vector<std::int64_t> lat;
  void on_tick(const market_event& ev) override { lat.push_back(mono_ns() - ev.received_ns); }
};

const char* python_probe = R"(
import time
import kis

class Probe(kis.Strategy):
    lat = []
    def on_tick(self, ev):
        Probe.lat.append(time.monotonic_ns() - ev.received_ns)
)";

struct bench_config : caf::actor_system_config {
  bench_config() {
    register_messages(*this);
    set("scheduler.max-threads", 2);
  }
};

void print_latency(const char* what, std::vector<std::int64_t> lat) {
  std::sort(lat.begin(), lat.end());
  auto at = [&](double q) {
    return static_cast<double>(lat[std::min(
               lat.size() - 1, static_cast<std::size_t>(q * static_cast<double>(lat.size())))]) /
           1000.0;
  };
  std::printf("  %-7s p50 %7.1f us  p99 %7.1f us  max %8.1f us  (%zu events)\n", what, at(0.5),
              at(0.99), static_cast<double>(lat.back()) / 1000.0, lat.size());
}

void latency(std::size_t events) {
  auto dir = fs::temp_directory_path() / ("kis-python-bench-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream{dir / "probe.py"} << python_probe;
  strategy_config py;
  py.name = py.id = "probe";
  py.file = (dir / "probe.py").string();
  auto py_st = make_strategy(py);
  if (!py_st) {
    std::fprintf(stderr, "%s\n", to_string(py_st.error()).c_str());
    std::exit(1);
  }
  auto cpp_st = std::make_shared<latency_probe>();
  bench_config cfg;
  caf::actor_system sys{cfg};
  strategy_host_config hc;
  hc.trade = false;
  hc.id = "py";
  auto py_host = spawn_strategy_host(sys, *py_st, hc, order_executor_actor{});
  hc.id = "cpp";
  auto cpp_host = spawn_strategy_host(sys, cpp_st, hc, order_executor_actor{});
  auto ticks = walk(events);
  auto next = clk::now();
  for (auto& ev : ticks) { // paced: a live feed, not a flood
    next += std::chrono::microseconds{100};
    std::this_thread::sleep_until(next);
    ev.received_ns = mono_ns();
    caf::anon_send(py_host, ev);
    caf::anon_send(cpp_host, ev);
  }
  caf::scoped_actor self{sys};
  for (auto h : {py_host, cpp_host}) // status answers after every tick before it
    self->request(h, std::chrono::seconds{30}, status_atom_v)
        .receive([](std::vector<metric_point>&) {}, [](caf::error&) {});
  std::vector<std::int64_t> py_lat;
  {
    python::gil_hold gil;
    auto mod = pybind11::module_::import("sys").attr("modules")["kis_strategy_probe"];
    py_lat = mod.attr("Probe").attr("lat").cast<std::vector<std::int64_t>>();
  }
  std::printf("tick -> on_tick latency through a strategy host actor (%zu events at 10,000/s, "
              "Python and C++ hosts fed alternately)\n",
              events);
  print_latency("C++", cpp_st->lat);
  print_latency("Python", py_lat);
  for (auto h : {py_host, cpp_host})
    caf::anon_send_exit(h, caf::exit_reason::user_shutdown);
  fs::remove_all(dir);
}

} // namespace

int main(int argc, char** argv) {
  std::size_t events = argc > 1 ? std::stoul(argv[1]) : 200'000;
  int rounds = argc > 2 ? std::stoi(argv[2]) : 5;
  cost(events, rounds);
  std::fflush(stdout);
  latency(std::min<std::size_t>(events, 50'000));
  return 0;
}
