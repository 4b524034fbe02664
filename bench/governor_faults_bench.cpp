// The budget when the network stalls (issue #11): 1000 requesters of inquire-price and an
// order every 300-700 ms, against kis-sim in real mode (18 calls per sliding second) that holds
// 20 % of its answers 20 s, past the client's 10 s timeout. Two ways in one run, each against a
// fresh simulator:
//   grant-time - permits counted when granted, the request handed to an 8-connection libcurl
//                pool at once (how the engine worked before: held connections queue requests
//                inside libcurl, which then leave together)
//   leave-36   - the engine's own governor, token keeper and gateway: a permit is spent when its
//                request leaves (CURLOPT_PREREQFUNCTION), calls in flight capped at the pool
//                (36 lanes on 36 connections, the default at 18/s), a request that cannot
//                leave within its deadline gives the permit back
//   leave-72   - the same with 72 lanes and connections
// Reported per way, from the simulator's own record: the most calls in any sliding second,
// EGW00201 answers, budget use (answered quotes/s / limit), and each order's wait from the
// request to its arrival at the server (p50/p99; orders that never arrived are counted).
//
//   governor_faults_bench [--seconds=N] [--requesters=N]   (default 60 s, 1000)
#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>

#include "governor_bench_support.hpp"
#include "kis/http_transport.hpp"
#include "kis/rest_codec.hpp"
#include "support/budget_engine.hpp"
#include "support/temp_path.hpp"

namespace {

using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;
using kis::bench::percentile;

kis::bench::load_flags g_flags;
constexpr int limit = 18;

std::int64_t wall_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::unique_ptr<kis::sim::server> faulty_sim() {
  kis::sim::options o;
  o.env = kis::api::environment::real;
  o.seed = 7;
  o.token_spacing = 1s;
  o.fault.hold_rate = 0.2;
  o.fault.hold_for = 20s;
  auto sim = std::make_unique<kis::sim::server>(o);
  sim->start();
  return sim;
}

// What both ways count while they run.
struct tally {
  std::atomic<std::uint64_t> answered{0};
  std::mutex mtx;
  std::map<std::int64_t, std::int64_t> order_sent_ns; // qty (unique) -> when it was asked for
  void order_asked(std::int64_t qty) {
    std::lock_guard guard{mtx};
    order_sent_ns[qty] = wall_ns();
  }
};

void report(const char* name, kis::sim::server& sim, tally& t) {
  std::vector<double> waits_ms;
  std::size_t arrived = 0;
  for (const auto& o : sim.orders()) {
    auto it = t.order_sent_ns.find(o.qty);
    if (it == t.order_sent_ns.end())
      continue;
    ++arrived;
    waits_ms.push_back(static_cast<double>(o.at_ns - it->second) / 1e6);
  }
  const auto st = sim.stats();
  std::printf("%-11s max in any 1 s %3llu  EGW00201 %4llu  budget use %5.1f%%  order wait to the "
              "server p50 %7.1f ms  p99 %7.1f ms  (orders %zu, never arrived %zu, held %llu)\n",
              name, static_cast<unsigned long long>(st.max_calls_in_window),
              static_cast<unsigned long long>(st.rate_rejections),
              100.0 * static_cast<double>(t.answered) / g_flags.seconds / limit,
              percentile(waits_ms, 0.5), percentile(waits_ms, 0.99), t.order_sent_ns.size(),
              t.order_sent_ns.size() - arrived, static_cast<unsigned long long>(st.held_responses));
  std::fflush(stdout);
}

kis::order_request resting_buy(kis::sim::server& sim, std::int64_t qty) {
  kis::order_request o{"b" + std::to_string(qty),
                       sim.symbols().front(),
                       kis::side::buy,
                       kis::order_kind::limit,
                       qty,
                       0};
  o.price = sim.quote(o.symbol).lower_limit; // rests in the book, never fills
  return o;
}

// Orders every 300-700 ms until the end, each with its own quantity; `place` sends one.
template <class Place>
void order_loop(kis::sim::server& sim, tally& t, Place place) {
  std::mt19937 rng{1};
  const auto end = steady::now() + std::chrono::seconds{g_flags.seconds};
  for (std::int64_t qty = 1; steady::now() < end; ++qty) {
    std::this_thread::sleep_for(std::chrono::milliseconds{300 + rng() % 400});
    t.order_asked(qty);
    place(resting_buy(sim, qty));
  }
}

// --- grant-time: the governor's permit, then straight into an 8-connection pool -----------

void run_grant_time() {
  auto sim = faulty_sim();
  tally t;
  kis::api::transport_options topts;
  topts.max_host_connections = 8;
  topts.total_timeout = 10s;
  kis::api::http_transport net{topts};
  auto cred = sim->config().cred;
  kis::api::call_context ctx{kis::api::environment::real, sim->rest_url(), cred, {}};
  auto tok = kis::api::parse_reply(
      net.perform(*kis::api::build_request(kis::endpoint_id::token_issue, ctx, {})));
  if (tok)
    if (auto tk = kis::api::decode_token(*tok, 0))
      ctx.token = tk->value;
  std::vector<kis::api::http_request> quotes;
  for (const auto& sym : sim->symbols())
    quotes.push_back(*kis::api::build_request(kis::endpoint_id::inquire_price, ctx,
                                              *kis::api::price_params({sym, "J", false})));
  kis::test::faults_config cfg;
  caf::actor_system sys{cfg};
  kis::governor_config gc;
  gc.limit = limit;
  gc.safety_margin = 10ms;
  auto gov = kis::spawn_rate_governor(sys, gc);
  std::atomic<bool> stop{false};
  const auto end = steady::now() + std::chrono::seconds{g_flags.seconds};
  auto requester = [&, gov](caf::event_based_actor* self, int idx) -> caf::behavior {
    auto go = [=, &quotes, &net, &stop] {
      if (stop)
        return self->quit();
      self->request(gov, caf::infinite, kis::permit_request{kis::permit_class::market_data, "q"})
          .then([=, &quotes, &net](const kis::permit& p) {
            // The old accounting: the call counts from its grant, wherever it waits after.
            caf::anon_send(gov, kis::permit_use{p.id, true});
            auto req = quotes[static_cast<std::size_t>(idx) % quotes.size()];
            req.call_id = p.id;
            caf::actor me = caf::actor_cast<caf::actor>(self);
            net.submit(std::move(req), [me](kis::http_exchange ex) {
              caf::anon_send(me, kis::done_atom_v, std::move(ex));
            });
          });
    };
    go();
    return {[=, &t](kis::done_atom, const kis::http_exchange& ex) {
      auto r = kis::api::parse_reply(ex);
      if (r && steady::now() <= end)
        ++t.answered;
      auto res = r                                           ? kis::call_result::success
                 : r.error().code == kis::errc::rate_limited ? kis::call_result::rate_limited
                                                             : kis::call_result::failure;
      caf::anon_send(gov, kis::call_outcome{ex.call_id, kis::permit_class::market_data, res, 0});
      go();
    }};
  };
  for (int i = 0; i < g_flags.requesters; ++i)
    sys.spawn(requester, i);
  caf::scoped_actor self{sys};
  order_loop(*sim, t, [&](const kis::order_request& o) {
    self->request(gov, caf::infinite, kis::permit_request{kis::permit_class::order, "exec"})
        .receive(
            [&](const kis::permit& p) {
              caf::anon_send(gov, kis::permit_use{p.id, true});
              auto req = kis::api::build_request(kis::api::order_endpoint(o.dir), ctx,
                                                 *kis::api::order_params(o, cred));
              net.submit(std::move(*req), [](kis::http_exchange) {});
            },
            [](caf::error&) {});
  });
  stop = true;
  std::this_thread::sleep_for(11s); // the last calls time out; their orders are counted
  report("grant-time", *sim, t);
  caf::anon_send_exit(gov, caf::exit_reason::user_shutdown);
}

// --- leave-time: the engine's governor, keeper and gateway ---------------------------------

void run_leave_time(std::uint32_t lanes) {
  auto sim = faulty_sim();
  tally t;
  auto dir = kis::test::unique_temp_path("kis-governor-faults");
  std::filesystem::create_directories(dir);
  {
    kis::test::budget_engine eng{*sim, {lanes, static_cast<long>(lanes), 10'000ms, dir}};
    std::atomic<bool> stop{false};
    const auto end = steady::now() + std::chrono::seconds{g_flags.seconds};
    auto gw = eng.gateway();
    auto requester = [&, gw](caf::event_based_actor* self, int idx) {
      auto syms = sim->symbols();
      auto go = std::make_shared<std::function<void()>>();
      *go = [self, gw, syms, idx, &t, &stop, end, weak = std::weak_ptr{go}] {
        if (stop)
          return self->quit();
        const auto& sym = syms[static_cast<std::size_t>(idx) % syms.size()];
        auto again = weak.lock();
        self->request(gw, caf::infinite, kis::price_query{sym, "J", false})
            .then(
                [&t, end, again](const kis::quote&) {
                  if (steady::now() <= end)
                    ++t.answered;
                  (*again)();
                },
                [again](caf::error&) { (*again)(); });
      };
      (*go)();
      // The actor keeps its loop alive; the loop refers back to it only weakly.
      return caf::behavior{[go](int) {}};
    };
    for (int i = 0; i < g_flags.requesters; ++i)
      eng.system().spawn(requester, i);
    order_loop(*sim, t, [&](const kis::order_request& o) {
      eng.system().spawn([gw, o](caf::event_based_actor* self) {
        self->request(gw, 30s, o).then([](const kis::order_ack&) {}, [](caf::error&) {});
      });
    });
    stop = true;
    std::this_thread::sleep_for(11s);
    report(lanes == 36 ? "leave-36" : "leave-72", *sim, t);
  }
  std::filesystem::remove_all(dir);
}

} // namespace

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i)
    kis::bench::parse_load_flag(argv[i], g_flags, 5);
  std::printf("governor_faults_bench: kis-sim real mode, limit %d/s, %d requesters, %d s per way, "
              "20 %% of answers held 20 s, client timeout 10 s\n",
              limit, g_flags.requesters, g_flags.seconds);
  run_grant_time();
  run_leave_time(36); // the engine's default at 18/s: two lanes per call a second
  run_leave_time(72); // more connections: held answers take fewer of them
  return 0;
}
