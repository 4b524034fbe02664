// Pipeline latencies on a real (threaded) actor system with the budget free (a gateway double
// that answers at once): a trade entering an analyzer -> the strategy's on_tick, and a signal ->
// the order request reaching the gateway (risk, journal with its fsync, send), timed twice: from
// the bench thread's send (its wake-ups included) and from the strategy's emit() inside the
// engine. Each iteration waits for its own event, so these are latencies, not throughput;
// p50/p99 are reported as counters. Next to them, in the same run: the raw fdatasync of a small
// write on the same disk (what a durable journal cannot beat), the same fdatasync behind the two
// thread hand-offs every durable path here pays (the floor of the house), the journal's commit
// alone, and a burst of 1,000 signals sent at once (orders/s reaching the gateway, and how many
// intents shared each group commit, from the journal's own metrics).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>
#include <thread>

#include <fcntl.h>
#include <unistd.h>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include "actors/observability/metrics.hpp"
#include "actors/trading/analyzer.hpp"
#include "actors/trading/order_executor.hpp"
#include "actors/trading/order_journal.hpp"
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
// How many orders reached the gateway double, and when the last one did.
std::atomic<std::int64_t> orders_arrived{0};
std::atomic<std::int64_t> order_at{0};
// When a strategy emitted its signal (stamped on its host's thread).
std::atomic<std::int64_t> emitted_at{0};

void mark_order_arrival() {
  order_at.store(steady_ns(), std::memory_order_release);
  orders_arrived.fetch_add(1, std::memory_order_acq_rel);
  orders_arrived.notify_all();
}

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

// The journal's directory: the same disk for the executor and the raw fdatasync baseline.
std::filesystem::path journal_dir() {
  return std::filesystem::temp_directory_path();
}

// An executor with a fresh journal and a gateway double that stamps each order's arrival.
struct executor_rig {
  caf::actor_system& sys;
  std::shared_ptr<kis::test::gateway_record> gw = std::make_shared<kis::test::gateway_record>();
  kis::rest_gateway_actor gateway;
  std::optional<kis::order_executor_impl_actor> exec;
  std::vector<caf::actor> also_stop; // what a benchmark added around the executor

  explicit executor_rig(caf::actor_system& s)
      : sys(s) {
    gw->quotes["005930"] = kis::test::gateway_record::default_quote("005930");
    gw->on_order = [](const kis::order_request&) { mark_order_arrival(); };
    gateway = kis::test::spawn_fake_gateway(sys, gw);
    kis::executor_config ec;
    ec.journal_path = (journal_dir() / "kis-pipeline-bench.sqlite").string();
    for (auto ext : {"", "-wal", "-shm"})
      std::filesystem::remove(ec.journal_path + ext);
    ec.check_buyable = false;
    ec.dedup_window = std::chrono::milliseconds{0};
    ec.quote_max_age = std::chrono::hours{1};
    ec.queue_capacity = 100'000;
    ec.risk.max_position_qty = 1'000'000'000;
    if (auto e = kis::spawn_order_executor(sys, ec, gateway, kis::ws_feed_actor{}))
      exec = *e;
  }
  ~executor_rig() {
    for (const auto& a : also_stop)
      caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
    if (exec)
      caf::anon_send_exit(*exec, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(gateway, caf::exit_reason::user_shutdown);
  }
  void send(std::int64_t n) const {
    kis::signal s;
    s.strategy_id = "bench";
    s.symbol = "005930";
    s.qty = 1 + n % 100;
    s.price = 10000;
    caf::anon_send(*exec, s);
  }
};

// One executor rig per benchmark and one latency per round: start(rig) readies what the rounds
// need and returns the round, which starts one, waits for its order and returns the latency.
template <class Start>
void time_signal_rounds(benchmark::State& state, Start start) {
  system_config cfg;
  caf::actor_system sys{cfg};
  executor_rig rig{sys};
  if (!rig.exec) {
    state.SkipWithError("journal");
    return;
  }
  auto round = start(rig);
  std::vector<std::int64_t> lat;
  for (auto _ : state)
    lat.push_back(round());
  report(state, lat);
}

void BM_SignalToOrderOnTheWire(benchmark::State& state) {
  time_signal_rounds(state, [](executor_rig& rig) {
    return [&rig, n = std::int64_t{0}]() mutable {
      auto before = orders_arrived.load(std::memory_order_acquire);
      auto sent = steady_ns();
      rig.send(n++);
      // Blocks (a futex), not a spin: on a 2-core box a spinning waiter takes a core from the
      // executor, the journal's thread and the gateway it is timing.
      orders_arrived.wait(before, std::memory_order_acquire);
      return steady_ns() - sent;
    };
  });
}
BENCHMARK(BM_SignalToOrderOnTheWire)->Iterations(2000)->UseRealTime();

// Emits one buy per tick, the way a strategy does, and stamps the moment it does.
class signal_per_tick final : public kis::strategy {
public:
  void on_tick(const kis::market_event& ev) override {
    kis::signal s;
    s.symbol = ev.symbol;
    s.qty = 1 + n_++ % 100;
    s.price = 10000;
    emitted_at.store(steady_ns(), std::memory_order_release);
    emit(std::move(s));
  }

private:
  std::int64_t n_ = 0;
};

// The same path measured from inside the actor world: from the strategy's emit() (on its host's
// thread) to the order's arrival at the gateway (on the gateway's). The bench thread only starts
// each round with a tick and waits for its order; its own wake-ups, which a strategy in the
// engine does not pay, are left out.
void BM_StrategySignalToOrder(benchmark::State& state) {
  time_signal_rounds(state, [](executor_rig& rig) {
    kis::strategy_host_config hc;
    hc.id = "bench";
    auto host = kis::spawn_strategy_host(rig.sys, std::make_shared<signal_per_tick>(), hc,
                                         caf::actor_cast<kis::order_executor_actor>(*rig.exec));
    rig.also_stop.push_back(caf::actor_cast<caf::actor>(host));
    return [host] {
      auto before = orders_arrived.load(std::memory_order_acquire);
      kis::market_event ev;
      ev.symbol = "005930";
      ev.kind = kis::event_kind::tick;
      caf::anon_send(host, ev);
      orders_arrived.wait(before, std::memory_order_acquire);
      return order_at.load(std::memory_order_acquire) - emitted_at.load(std::memory_order_acquire);
    };
  });
}
BENCHMARK(BM_StrategySignalToOrder)->Iterations(2000)->UseRealTime();

// The floor under a durable journal: a 200-byte append and fdatasync on the same disk.
void BM_RawFdatasync(benchmark::State& state) {
  auto path = journal_dir() / "kis-pipeline-bench.fsync";
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0600);
  if (fd < 0) {
    state.SkipWithError("open");
    return;
  }
  std::string line(200, 'x');
  std::vector<std::int64_t> lat;
  for (auto _ : state) {
    auto t0 = steady_ns();
    if (::write(fd, line.data(), line.size()) < 0 || ::fdatasync(fd) != 0) {
      state.SkipWithError("write");
      break;
    }
    lat.push_back(steady_ns() - t0);
  }
  ::close(fd);
  std::filesystem::remove(path);
  if (!lat.empty())
    report(state, lat);
}
BENCHMARK(BM_RawFdatasync)->Iterations(2000)->UseRealTime();

// The floor of any durable order path in this house: blocking disk I/O never runs on a scheduler
// thread, so the write goes to a thread of its own and its answer comes back. A scheduled actor
// asks a detached one for a 200-byte write + fdatasync and, once answered, sends on to a second
// scheduled actor: two thread hand-offs around the raw fsync, nothing else.
struct fsync_file {
  int fd = -1;
  std::filesystem::path path = journal_dir() / "kis-pipeline-bench.floor";
  fsync_file() { fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0600); }
  ~fsync_file() {
    ::close(fd);
    std::filesystem::remove(path);
  }
};

void BM_DurableHandOffFloor(benchmark::State& state) {
  system_config cfg;
  caf::actor_system sys{cfg};
  auto file = std::make_shared<fsync_file>();
  if (file->fd < 0) {
    state.SkipWithError("open");
    return;
  }
  auto disk = sys.spawn<caf::detached>([file]() -> caf::behavior {
    return {[file](std::int64_t n) {
      std::string line(200, 'x');
      if (::write(file->fd, line.data(), line.size()) < 0 || ::fdatasync(file->fd) != 0)
        return std::int64_t{-1};
      return n;
    }};
  });
  auto sink =
      sys.spawn([]() -> caf::behavior { return {[](std::int64_t) { mark_order_arrival(); }}; });
  auto origin = sys.spawn([disk, sink](caf::event_based_actor* self) -> caf::behavior {
    return {[self, disk, sink](std::int64_t n) {
      emitted_at.store(steady_ns(), std::memory_order_release);
      self->request(disk, caf::infinite, n).then([self, sink](std::int64_t m) {
        self->send(sink, m);
      });
    }};
  });
  std::vector<std::int64_t> lat;
  std::int64_t n = 0;
  for (auto _ : state) {
    auto before = orders_arrived.load(std::memory_order_acquire);
    caf::anon_send(origin, n++);
    orders_arrived.wait(before, std::memory_order_acquire);
    lat.push_back(order_at.load(std::memory_order_acquire) -
                  emitted_at.load(std::memory_order_acquire));
  }
  report(state, lat);
  for (const auto& a : {origin, sink, disk})
    caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
}
BENCHMARK(BM_DurableHandOffFloor)->Iterations(2000)->UseRealTime();

// The journal's own floor: one intent written and committed (SQLite WAL, synchronous=FULL) on
// the calling thread, no actors. Between the raw fdatasync and the whole signal path.
void BM_JournalIntentCommit(benchmark::State& state) {
  const auto path = (journal_dir() / "kis-pipeline-bench-commit.sqlite").string();
  for (auto ext : {"", "-wal", "-shm"})
    std::filesystem::remove(path + ext);
  kis::order_journal j;
  if (j.open(path)) {
    state.SkipWithError("journal");
    return;
  }
  std::vector<std::int64_t> lat;
  std::int64_t n = 0;
  for (auto _ : state) {
    kis::journal_entry e;
    e.strategy_id = "bench";
    e.symbol = "005930";
    e.qty = 1 + n++ % 100;
    e.price = 10000;
    e.trading_day = 20260101;
    e.intent_time = "090000";
    auto t0 = steady_ns();
    if (j.begin() || j.record_intent(e) || j.commit()) {
      state.SkipWithError("commit");
      break;
    }
    lat.push_back(steady_ns() - t0);
  }
  if (!lat.empty())
    report(state, lat);
}
BENCHMARK(BM_JournalIntentCommit)->Iterations(2000)->UseRealTime();

// The journal writer's commits, writes and largest batch as the metrics actor last heard them.
void read_journal_figures(caf::actor_system& sys, const kis::metrics_actor& metrics,
                          double& commits, double& writes, double& largest) {
  caf::scoped_actor self{sys};
  self->request(metrics, caf::infinite, caf::get_atom_v)
      .receive(
          [&](const kis::metrics_snapshot& snap) {
            for (const auto& a : snap.actors)
              for (const auto& v : a.values) {
                if (v.name == "journal_commits_total")
                  commits += v.value;
                else if (v.name == "journal_writes_total")
                  writes += v.value;
                else if (v.name == "journal_batch_max")
                  largest = std::max(largest, v.value);
              }
          },
          [](caf::error&) {});
}

// 1,000 signals sent at once: orders/s reaching the gateway, and the journal's group commits.
void BM_SignalBurst(benchmark::State& state) {
  system_config cfg;
  caf::actor_system sys{cfg};
  kis::metrics_config mc;
  mc.collect_every = std::chrono::milliseconds{100};
  auto metrics = kis::spawn_metrics(sys, mc);
  constexpr std::int64_t burst = 1000;
  double orders_per_s = 0, commits = 0, writes = 0, largest = 0;
  for (auto _ : state) {
    executor_rig rig{sys};
    if (!rig.exec) {
      state.SkipWithError("journal");
      return;
    }
    auto before = orders_arrived.load(std::memory_order_acquire);
    auto t0 = steady_ns();
    for (std::int64_t n = 0; n < burst; ++n)
      rig.send(n);
    for (auto now = before; now < before + burst;
         now = orders_arrived.load(std::memory_order_acquire))
      orders_arrived.wait(now, std::memory_order_acquire);
    orders_per_s = static_cast<double>(burst) * 1e9 / static_cast<double>(steady_ns() - t0);
    // The journal publishes its counters at most once a second, and leaves the metrics when it
    // stops: read them while this executor lives.
    state.PauseTiming();
    std::this_thread::sleep_for(std::chrono::milliseconds{1200});
    read_journal_figures(sys, metrics, commits, writes, largest);
    state.ResumeTiming();
  }
  state.counters["orders_per_s"] = orders_per_s;
  state.counters["writes_per_commit"] = commits > 0 ? writes / commits : 0;
  state.counters["batch_max"] = largest;
  caf::anon_send_exit(metrics, caf::exit_reason::user_shutdown);
}
BENCHMARK(BM_SignalBurst)->Iterations(3)->UseRealTime();

} // namespace

BENCHMARK_MAIN();
