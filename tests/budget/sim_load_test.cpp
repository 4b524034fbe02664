// The budget under load, as actors, against kis-sim on 127.0.0.1: many requesters of
// inquire-price through governor, keeper and gateway. What the engine controls is when a call
// leaves, so that is what is asserted, exactly: every call answered, one token, and no
// limit + 1 consecutive departures (as the transport saw them leave) inside the window plus
// the safety margin - on any machine, however loaded. The simulator's own count of a sliding
// second adds the time between a departure and its stamp, which belongs to the machine; it is
// recorded as a test property here and measured in bench/governor_bench.
#include <algorithm>
#include <mutex>
#include <string>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include <gtest/gtest.h>

#include "actors/budget/rate_governor.hpp"
#include "actors/budget/rest_gateway.hpp"
#include "runtime/transports.hpp"
#include "actors/budget/token_keeper.hpp"
#include "messages/registry.hpp"
#include "sim/server.hpp"

using namespace std::chrono_literals;

namespace {

struct load_config : caf::actor_system_config {
  load_config() {
    kis::register_messages(*this);
    set("scheduler.max-threads", 2);
  }
};

// The gateway's transport, with the moment each call leaves written down (on the transport
// thread, in libcurl's pre-request callback, before the governor hears of it).
class departure_log final : public kis::rest_transport {
public:
  explicit departure_log(std::shared_ptr<kis::rest_transport> inner)
      : inner_(std::move(inner)) {}

  void submit(kis::api::http_request req, std::function<void(kis::http_exchange)> done) override {
    req.on_leave = [this, then = std::move(req.on_leave)] {
      {
        std::lock_guard<std::mutex> guard{mu_};
        left_.push_back(std::chrono::steady_clock::now());
      }
      if (then)
        then();
    };
    inner_->submit(std::move(req), std::move(done));
  }

  std::vector<std::chrono::steady_clock::time_point> departures() const {
    std::lock_guard<std::mutex> guard{mu_};
    auto out = left_;
    std::sort(out.begin(), out.end());
    return out;
  }

private:
  std::shared_ptr<kis::rest_transport> inner_;
  mutable std::mutex mu_;
  std::vector<std::chrono::steady_clock::time_point> left_;
};

struct load_result {
  std::uint64_t answered = 0;
  std::uint64_t failed = 0;
  kis::sim::stats server;
  kis::api_stats governor;
  std::vector<std::chrono::steady_clock::time_point> departures;
};

// One requester: `calls` quotes in a row, fresh each time (no cache), then reports.
struct requester_state {
  kis::rest_gateway_actor gw;
  std::vector<std::string> symbols;
  int calls = 0;
  int left = 0;
  int ok = 0;
  caf::actor report;
};
using requester_ptr = caf::stateful_actor<requester_state>*;

void ask_next(requester_ptr self) {
  auto& st = self->state;
  if (st.left == 0) {
    self->send(st.report, st.ok, st.calls - st.ok);
    self->quit();
    return;
  }
  const auto& sym = st.symbols[static_cast<std::size_t>(st.left) % st.symbols.size()];
  --st.left;
  self->request(st.gw, caf::infinite, kis::price_query{sym, "J", false})
      .then(
          [self](const kis::quote&) {
            ++self->state.ok;
            ask_next(self);
          },
          [self](caf::error&) { ask_next(self); });
}

void requester(requester_ptr self, kis::rest_gateway_actor gw, std::vector<std::string> symbols,
               int calls, caf::actor report) {
  self->state =
      requester_state{std::move(gw), std::move(symbols), calls, calls, 0, std::move(report)};
  ask_next(self);
}

load_result run_load(int limit, std::chrono::milliseconds margin, int requesters, int calls) {
  kis::sim::options so;
  so.env = kis::api::environment::real;
  so.rate_limit = limit;
  so.seed = 7;
  kis::sim::server sim{so};
  sim.start();

  load_config cfg;
  caf::actor_system sys{cfg};
  const auto cred = kis::sim::default_credentials();
  // One connection per requester: a call queued inside curl would reach the server later than
  // its permit says, and bunch up with calls granted after it.
  kis::api::transport_options to;
  to.max_host_connections = requesters;
  auto transport = kis::make_curl_transport(to);
  kis::governor_config gc;
  gc.limit = static_cast<std::uint32_t>(limit);
  gc.safety_margin = margin; // grant-to-arrival jitter of a loopback server on busy cores
  auto gov = kis::spawn_rate_governor(sys, gc);
  kis::token_keeper_config kc;
  kc.app_key = cred.app_key;
  auto keeper = kis::spawn_token_keeper(
      sys, kc, kis::make_oauth_issuer(transport, so.env, sim.rest_url(), cred));
  auto log = std::make_shared<departure_log>(transport);
  kis::gateway_config gwc;
  gwc.base_url = sim.rest_url();
  gwc.cred = cred;
  gwc.transport = log;
  auto gw = kis::spawn_rest_gateway(sys, gwc, gov, keeper);

  caf::scoped_actor self{sys};
  auto symbols = sim.symbols();
  for (int r = 0; r < requesters; ++r)
    sys.spawn(requester, gw, symbols, calls, caf::actor{self});
  load_result out;
  for (int r = 0; r < requesters; ++r)
    self->receive(
        [&](int ok, int failed) {
          out.answered += static_cast<std::uint64_t>(ok);
          out.failed += static_cast<std::uint64_t>(failed);
        },
        caf::after(std::chrono::minutes(3)) >> [&] { ADD_FAILURE() << "a requester hung"; });
  self->request(gov, caf::infinite, caf::get_atom_v, kis::stats_atom_v)
      .receive([&](const kis::api_stats& s) { out.governor = s; }, [](caf::error&) {});
  out.server = sim.stats();
  out.departures = log->departures();
  for (auto a : {caf::actor_cast<caf::actor>(gw), caf::actor_cast<caf::actor>(keeper),
                 caf::actor_cast<caf::actor>(gov)})
    caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  return out;
}

// The shortest span of `limit` + 1 consecutive departures (none: fewer departures than that).
std::chrono::nanoseconds tightest_span(const load_result& r, std::size_t limit) {
  auto tightest = std::chrono::nanoseconds::max();
  for (std::size_t i = limit; i < r.departures.size(); ++i)
    tightest =
        std::min(tightest, std::chrono::nanoseconds{r.departures[i] - r.departures[i - limit]});
  return tightest;
}

// Every call answered with one token, and any limit + 1 consecutive departures span at least
// the window (1 s) plus the governor's safety margin.
void expect_every_call_within_limit(const load_result& r, std::uint64_t calls, std::size_t limit,
                                    std::chrono::milliseconds margin) {
  EXPECT_EQ(r.answered, calls);
  EXPECT_EQ(r.failed, 0u);
  EXPECT_EQ(r.server.token_issues, 1u);
  ASSERT_GE(r.departures.size(), calls); // retries after an EGW00201 leave again
  const auto span = tightest_span(r, limit);
  EXPECT_GE(span, std::chrono::nanoseconds{1s + margin})
      << limit + 1 << " calls left within " << span.count() / 1000 << " us";
  ::testing::Test::RecordProperty("server_max_calls_in_window",
                                  static_cast<int>(r.server.max_calls_in_window));
  ::testing::Test::RecordProperty("server_rate_rejections",
                                  static_cast<int>(r.server.rate_rejections));
}

} // namespace

TEST(BudgetAgainstSim, FifteenRequestersTimesTenAtTheRealLimit) {
  const auto r = run_load(18, 100ms, 15, 10);
  expect_every_call_within_limit(r, 150, 18, 100ms);
}

// 100 x 100 at KIS's 18/s would take over nine minutes; the same discipline is checked with the
// simulator and the governor both configured to 400 calls per second. The margins of both tests
// keep the simulator's figures near the limit on a busy two-core box (its one I/O thread can be
// descheduled for tens of ms); the assertions hold with any margin.
TEST(BudgetAgainstSim, HundredRequestersTimesHundredAtAHigherConfiguredLimit) {
  const auto r = run_load(400, 250ms, 100, 100);
  expect_every_call_within_limit(r, 10000, 400, 250ms);
}
