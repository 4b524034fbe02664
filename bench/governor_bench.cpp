// The REST budget under load, against kis-sim in real mode (18 calls per sliding second):
// 1000 concurrent requesters of inquire-price plus an order now and then, paced three ways in
// the same run, each against a fresh simulator:
//   governor     - the rate_governor actor (exact sliding window, order reserve, AIMD)
//   fixed_window - a counter reset on every wall-clock second (the common anchor)
//   fixed_sleep  - one call every 1/limit seconds
// Reported per way: budget use (answered calls/s / limit), the largest count in any sliding
// second as the simulator saw it, EGW00201 answers, and the order's wait for its turn (p50/p99).
// Then Google Benchmark measures one permit grant when the budget is free.
//
//   governor_bench [--seconds=N] [--requesters=N] [benchmark flags]   (default 60 s, 1000)
#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include "actors/budget/permit_scheduler.hpp"
#include "actors/budget/rate_governor.hpp"
#include "governor_bench_support.hpp"
#include "kis/http_transport.hpp"
#include "kis/rest_codec.hpp"
#include "messages/registry.hpp"
#include "sim/server.hpp"

namespace {

using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;
using kis::bench::percentile;

kis::bench::load_flags g_flags;
constexpr int limit = 18;

struct bench_config : caf::actor_system_config {
  bench_config() {
    kis::register_messages(*this);
    set("scheduler.max-threads", 2);
  }
};

// Everything one way of pacing needs: a simulator, a token, prebuilt requests.
struct arena {
  std::unique_ptr<kis::sim::server> sim;
  kis::api::transport_options topts;
  std::unique_ptr<kis::api::http_transport> net;
  std::vector<kis::api::http_request> quotes;
  kis::api::http_request order;

  arena() {
    kis::sim::options o;
    o.env = kis::api::environment::real;
    sim = std::make_unique<kis::sim::server>(o);
    sim->start();
    topts.max_host_connections = 64;
    net = std::make_unique<kis::api::http_transport>(topts);
    kis::api::call_context ctx{o.env, sim->rest_url(), o.cred, {}};
    auto tok = kis::api::parse_reply(
        net->perform(*kis::api::build_request(kis::endpoint_id::token_issue, ctx, {})));
    if (tok)
      if (auto t = kis::api::decode_token(*tok, 0))
        ctx.token = t->value;
    for (const auto& sym : sim->symbols())
      quotes.push_back(*kis::api::build_request(kis::endpoint_id::inquire_price, ctx,
                                                *kis::api::price_params({sym, "J", false})));
    kis::order_request o1{"b", sim->symbols().front(), kis::side::buy, kis::order_kind::limit, 1,
                          0};
    o1.price = sim->quote(o1.symbol).lower_limit; // rests in the book, never fills
    order = *kis::api::build_request(kis::api::order_endpoint(o1.dir), ctx,
                                     *kis::api::order_params(o1, o.cred));
  }
};

struct figures {
  steady::time_point start = steady::now();
  steady::time_point end = start + std::chrono::seconds{g_flags.seconds};
  std::atomic<std::uint64_t> answered{0}, rejected{0}, failed{0};
  std::mutex mtx;
  std::vector<double> order_waits_ms;     // request to turn (censored at the end if never served)
  std::vector<double> order_roundtrip_ms; // governor only: including both mailboxes
  std::size_t orders_unserved = 0;
  void record(const kis::http_exchange& ex) {
    if (steady::now() > end)
      return; // budget use counts the measured interval only
    auto r = kis::api::parse_reply(ex);
    if (r || r.error().code == kis::errc::rejected)
      ++answered;
    else if (r.error().code == kis::errc::rate_limited)
      ++rejected;
    else
      ++failed;
  }
  void order_wait(steady::duration d) {
    std::lock_guard<std::mutex> guard{mtx};
    order_waits_ms.push_back(std::chrono::duration<double, std::milli>(d).count());
  }
  void order_roundtrip(steady::duration d) {
    std::lock_guard<std::mutex> guard{mtx};
    order_roundtrip_ms.push_back(std::chrono::duration<double, std::milli>(d).count());
  }
};

void report(const char* name, arena& a, figures& f, double secs) {
  const auto st = a.sim->stats();
  std::printf("%-13s budget use %6.2f%%  calls/s %6.2f  max in any 1 s %3llu  EGW00201 %5llu  "
              "order wait p50 %8.1f ms  p99 %8.1f ms  (orders %zu, never served %zu, other "
              "failures %llu)\n",
              name, 100.0 * static_cast<double>(f.answered) / secs / limit,
              static_cast<double>(f.answered) / secs,
              static_cast<unsigned long long>(st.max_calls_in_window),
              static_cast<unsigned long long>(st.rate_rejections),
              percentile(f.order_waits_ms, 0.5), percentile(f.order_waits_ms, 0.99),
              f.order_waits_ms.size(), f.orders_unserved,
              static_cast<unsigned long long>(f.failed.load()));
  if (!f.order_roundtrip_ms.empty())
    std::printf("%-13s order permit round trip through both mailboxes p50 %.1f ms  p99 %.1f ms\n",
                "", percentile(f.order_roundtrip_ms, 0.5), percentile(f.order_roundtrip_ms, 0.99));
  std::fflush(stdout);
}

// --- the governor, as actors ---------------------------------------------------------------

void run_governor(arena& a, figures& f) {
  bench_config cfg;
  caf::actor_system sys{cfg};
  kis::governor_config gc;
  gc.limit = limit;
  gc.safety_margin = 10ms;
  auto gov = kis::spawn_rate_governor(sys, gc);
  auto* net = a.net.get();
  std::atomic<bool> stop{false};
  // One requester: ask for a permit, call, report the outcome, again until stopped.
  auto requester = [&, gov, net](caf::event_based_actor* self, int idx) -> caf::behavior {
    auto go = [=, &a, &stop] {
      if (stop)
        return self->quit();
      self->request(gov, caf::infinite,
                    kis::permit_request{kis::permit_class::market_data, std::to_string(idx)})
          .then([=, &a](const kis::permit& p) {
            auto req = a.quotes[static_cast<std::size_t>(idx) % a.quotes.size()];
            req.call_id = p.id;
            caf::actor me = caf::actor_cast<caf::actor>(self);
            net->submit(std::move(req), [me](kis::http_exchange ex) {
              caf::anon_send(me, kis::done_atom_v, std::move(ex));
            });
          });
    };
    go();
    return {[=, &f](kis::done_atom, const kis::http_exchange& ex) {
      f.record(ex);
      auto r = kis::api::parse_reply(ex);
      auto res = r || r.error().code == kis::errc::rejected  ? kis::call_result::success
                 : r.error().code == kis::errc::rate_limited ? kis::call_result::rate_limited
                                                             : kis::call_result::failure;
      caf::anon_send(gov, kis::call_outcome{ex.call_id, kis::permit_class::market_data, res, 0});
      go();
    }};
  };
  for (int i = 0; i < g_flags.requesters; ++i)
    sys.spawn(requester, i);
  // Orders every 300-700 ms; the wait is from the request to the permit.
  std::mt19937 rng{1};
  caf::scoped_actor self{sys};
  const auto end = steady::now() + std::chrono::seconds{g_flags.seconds};
  while (steady::now() < end) {
    std::this_thread::sleep_for(std::chrono::milliseconds{300 + rng() % 400});
    const auto t0 = steady::now();
    self->request(gov, caf::infinite, kis::permit_request{kis::permit_class::order, "exec"})
        .receive(
            [&](const kis::permit& p) {
              f.order_wait(std::chrono::nanoseconds{p.waited_ns}); // the governor's own queue
              f.order_roundtrip(steady::now() - t0);
              net->submit(a.order, [&f](kis::http_exchange ex) { f.record(ex); });
            },
            [](caf::error&) {});
  }
  stop = true;
  std::this_thread::sleep_for(1500ms); // requesters finish their last call
  caf::anon_send_exit(gov, caf::exit_reason::user_shutdown);
}

// --- the baselines: one pacer thread in front of a FIFO of requesters ----------------------

struct job {
  bool is_order = false;
  int idx = 0;
  steady::time_point queued;
};

template <class Pace>
void run_baseline(arena& a, figures& f, Pace pace) {
  std::mutex mtx;
  std::condition_variable cv;
  std::deque<job> line;
  bool stop = false;
  std::atomic<int> in_flight{0}; // callbacks use this frame: wait for all before leaving
  auto enqueue = [&](job j) {
    std::lock_guard<std::mutex> guard{mtx};
    line.push_back(j);
    cv.notify_one();
  };
  for (int i = 0; i < g_flags.requesters; ++i)
    line.push_back({false, i, steady::now()});
  std::thread orders{[&] {
    std::mt19937 rng{1};
    const auto end = steady::now() + std::chrono::seconds{g_flags.seconds};
    while (steady::now() < end) {
      std::this_thread::sleep_for(std::chrono::milliseconds{300 + rng() % 400});
      enqueue({true, 0, steady::now()});
    }
    std::lock_guard<std::mutex> guard{mtx};
    stop = true;
    cv.notify_one();
  }};
  for (;;) {
    job j;
    {
      std::unique_lock<std::mutex> lock{mtx};
      cv.wait(lock, [&] { return stop || !line.empty(); });
      if (stop)
        break;
      j = line.front();
      line.pop_front();
    }
    pace(); // blocks until this way of pacing lets the next call go
    ++in_flight;
    if (j.is_order) {
      f.order_wait(steady::now() - j.queued);
      a.net->submit(a.order, [&f, &in_flight](kis::http_exchange ex) {
        f.record(ex);
        --in_flight;
      });
    } else {
      auto req = a.quotes[static_cast<std::size_t>(j.idx) % a.quotes.size()];
      a.net->submit(std::move(req), [&f, &enqueue, &in_flight, j](kis::http_exchange ex) {
        f.record(ex);
        enqueue({false, j.idx, steady::now()});
        --in_flight;
      });
    }
  }
  orders.join();
  while (in_flight > 0)
    std::this_thread::sleep_for(10ms);
  // Orders still in the line never got their turn: their wait so far is a lower bound.
  std::lock_guard<std::mutex> guard{mtx};
  for (const auto& j : line)
    if (j.is_order) {
      f.order_wait(steady::now() - j.queued);
      ++f.orders_unserved;
    }
}

void load_comparison() {
  std::printf("governor_bench: kis-sim real mode, limit %d/s, %d requesters, %d s per way\n", limit,
              g_flags.requesters, g_flags.seconds);
  const double secs = g_flags.seconds;
  {
    arena a;
    figures f;
    run_governor(a, f);
    report("governor", a, f, secs);
  }
  {
    arena a;
    figures f;
    auto start = steady::now();
    long second = -1;
    int count = 0;
    run_baseline(a, f, [&] {
      for (;;) {
        const auto now = steady::now();
        const long s = static_cast<long>(
            std::chrono::duration_cast<std::chrono::seconds>(now - start).count());
        if (s != second) {
          second = s;
          count = 0;
        }
        if (count < limit) {
          ++count;
          return;
        }
        std::this_thread::sleep_until(start + std::chrono::seconds{s + 1});
      }
    });
    report("fixed_window", a, f, secs);
  }
  {
    arena a;
    figures f;
    auto next = steady::now();
    run_baseline(a, f, [&] {
      std::this_thread::sleep_until(next);
      next = std::max(next, steady::now() - 1ms) + std::chrono::microseconds{1'000'000 / limit};
    });
    report("fixed_sleep", a, f, secs);
  }
}

// --- Google Benchmark: one grant with the budget free --------------------------------------

void BM_SchedulerGrant(benchmark::State& state) {
  kis::governor_config gc;
  gc.limit = 1'000'000'000; // never the bottleneck
  gc.safety_margin = 0ms;
  kis::permit_scheduler s{gc};
  std::int64_t now = 0;
  for (auto _ : state) {
    s.enqueue(kis::permit_class::market_data, "r", ++now);
    benchmark::DoNotOptimize(s.poll(now));
  }
}
BENCHMARK(BM_SchedulerGrant);

void BM_ActorGrantRoundTrip(benchmark::State& state) {
  bench_config cfg;
  caf::actor_system sys{cfg};
  kis::governor_config gc;
  gc.limit = 1'000'000'000;
  gc.safety_margin = 0ms;
  auto gov = kis::spawn_rate_governor(sys, gc);
  caf::scoped_actor self{sys};
  for (auto _ : state)
    self->request(gov, caf::infinite, kis::permit_request{kis::permit_class::market_data, "r"})
        .receive([](const kis::permit& p) { benchmark::DoNotOptimize(p); }, [](caf::error&) {});
  caf::anon_send_exit(gov, caf::exit_reason::user_shutdown);
}
BENCHMARK(BM_ActorGrantRoundTrip)->UseRealTime();

} // namespace

int main(int argc, char** argv) {
  std::vector<char*> rest;
  for (int i = 0; i < argc; ++i) {
    if (!kis::bench::parse_load_flag(argv[i], g_flags, 1))
      rest.push_back(argv[i]);
  }
  int n = static_cast<int>(rest.size());
  benchmark::Initialize(&n, rest.data());
  load_comparison();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
