// The budget under faults, against kis-sim on 127.0.0.1 with its fault switches (issue #11):
// answers held past the client's timeout while the connection pool is too small for them, a
// token the server forgot, and a restart within a second of the previous process's calls.
// The judge is the simulator's own record of arrivals: the most calls in any sliding second
// and its EGW00201 answers.
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/stateful_actor.hpp>

#include <gtest/gtest.h>

#include "actors/budget/rate_governor.hpp"
#include "actors/budget/rest_gateway.hpp"
#include "actors/budget/token_keeper.hpp"
#include "messages/registry.hpp"
#include "runtime/transports.hpp"
#include "sim/server.hpp"
#include "support/temp_path.hpp"

using namespace std::chrono_literals;

namespace {

struct faults_config : caf::actor_system_config {
  faults_config() {
    kis::register_messages(*this);
    set("scheduler.max-threads", 2);
  }
};

// Asks for quotes one after another for `calls` times, then tells `report` how many came back.
struct requester_state {
  int left = 0;
  int ok = 0;
};

void ask_next(caf::stateful_actor<requester_state>* self, const kis::rest_gateway_actor& gw,
              const std::vector<std::string>& symbols, const caf::actor& report) {
  auto& st = self->state;
  if (st.left == 0) {
    self->send(report, st.ok);
    self->quit();
    return;
  }
  const auto& sym = symbols[static_cast<std::size_t>(st.left--) % symbols.size()];
  self->request(gw, caf::infinite, kis::price_query{sym, "J", false})
      .then(
          [=](const kis::quote&) {
            ++self->state.ok;
            ask_next(self, gw, symbols, report);
          },
          [=](caf::error&) { ask_next(self, gw, symbols, report); });
}

caf::behavior requester(caf::stateful_actor<requester_state>* self, kis::rest_gateway_actor gw,
                        std::vector<std::string> symbols, int calls, caf::actor report) {
  self->state.left = calls;
  ask_next(self, gw, symbols, report);
  return {[](int) {}};
}

// Governor, keeper and gateway on their own actor system, as one engine process has them.
class budget_engine {
public:
  struct setup {
    std::uint32_t lanes = 36;       // governor: calls in flight at most
    long connections = 36;          // the transport's pool
    std::chrono::milliseconds client_timeout{10'000};
    std::filesystem::path data_dir; // token cache and the governor's ledger
  };

  budget_engine(kis::sim::server& sim, const setup& s) {
    const auto cred = kis::sim::default_credentials();
    kis::api::transport_options to;
    to.max_host_connections = s.connections;
    to.total_timeout = s.client_timeout;
    transport_ = kis::make_curl_transport(to);
    kis::governor_config gc;
    gc.limit = 18;
    gc.safety_margin = 20ms;
    gc.max_in_flight = s.lanes;
    kis::governor_memory mem;
    mem.assume_full_when_unknown = true;
    auto ledger = kis::spent_ledger::open(
        kis::spent_ledger_path(s.data_dir, kis::api::environment::real, cred.app_key));
    if (ledger)
      mem.ledger = ledger.value();
    gov_ = kis::spawn_rate_governor(*sys_, gc, mem);
    kis::token_keeper_config kc;
    kc.app_key = cred.app_key;
    kc.cache_dir = s.data_dir;
    kc.min_issue_interval = 1s; // the simulator's spacing is shortened to match
    keeper_ = kis::spawn_token_keeper(
        *sys_, kc,
        kis::make_oauth_issuer(transport_, kis::api::environment::real, sim.rest_url(), cred));
    kis::gateway_config gwc;
    gwc.base_url = sim.rest_url();
    gwc.cred = cred;
    gwc.transport = transport_;
    gwc.quote_ttl = 0ms;
    gw_ = kis::spawn_rest_gateway(*sys_, gwc, gov_, keeper_);
  }

  ~budget_engine() { stop(caf::exit_reason::user_shutdown); }

  // requesters x calls quotes; returns how many were answered.
  int load(const std::vector<std::string>& symbols, int requesters, int calls) {
    caf::scoped_actor self{*sys_};
    for (int r = 0; r < requesters; ++r)
      sys_->spawn(requester, gw_, symbols, calls, caf::actor{self});
    int answered = 0;
    for (int r = 0; r < requesters; ++r)
      self->receive([&](int ok) { answered += ok; },
                    caf::after(std::chrono::minutes(2)) >> [] { ADD_FAILURE() << "hung"; });
    return answered;
  }

  // kill -9 as far as this engine goes: actors killed, requests not sent never leave.
  void stop(caf::exit_reason why) {
    if (!sys_)
      return;
    for (auto a : {caf::actor_cast<caf::actor>(gw_), caf::actor_cast<caf::actor>(keeper_),
                   caf::actor_cast<caf::actor>(gov_)})
      caf::anon_send_exit(a, why);
    gw_ = nullptr;
    keeper_ = nullptr;
    gov_ = nullptr;
    sys_.reset();
    transport_.reset();
  }

private:
  faults_config cfg_;
  std::unique_ptr<caf::actor_system> sys_ = std::make_unique<caf::actor_system>(cfg_);
  std::shared_ptr<kis::rest_transport> transport_;
  kis::rate_governor_actor gov_;
  kis::token_keeper_actor keeper_;
  kis::rest_gateway_actor gw_;
};

struct BudgetUnderFaults : ::testing::Test {
  std::filesystem::path dir = kis::test::unique_temp_path("kis-budget-faults");
  std::unique_ptr<kis::sim::server> sim;

  void start_sim(kis::sim::faults f = {}) {
    kis::sim::options so;
    so.env = kis::api::environment::real;
    so.seed = 11;
    so.token_spacing = 1s;
    so.fault = f;
    sim = std::make_unique<kis::sim::server>(so);
    sim->start();
  }
  void SetUp() override { std::filesystem::create_directories(dir); }
  void TearDown() override {
    if (sim)
      sim->stop();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};

} // namespace

// A fifth of the answers are held 3 s, past the client's 1 s timeout, and the pool has 4
// connections for a governor that lets 36 calls fly: requests wait inside libcurl for a free
// connection. None may reach the server late in a bunch: a request that cannot leave within its
// permit's deadline gives the permit back, so the server never sees more than 18 in a second.
TEST_F(BudgetUnderFaults, HeldAnswersAndAStalledPoolNeverOverfillASecondAtTheServer) {
  kis::sim::faults f;
  f.hold_rate = 0.2;
  f.hold_for = 3s;
  start_sim(f);
  budget_engine eng{*sim, {36, 4, 1000ms, dir}};
  const int answered = eng.load(sim->symbols(), 30, 6);
  const auto st = sim->stats();
  EXPECT_GT(st.held_responses, 0u);
  EXPECT_LE(st.max_calls_in_window, 18u);
  EXPECT_EQ(st.rate_rejections, 0u);
  EXPECT_GT(answered, 0); // held ones time out, are retried; most come back
}

// The token cache holds a token the server no longer accepts (it restarted): the calls already
// in flight with it are refused, no call leaves with it after the first refusal, and the new
// token serves everything.
TEST_F(BudgetUnderFaults, ARefusedCachedTokenCostsAtMostTheCallsInFlight) {
  start_sim();
  {
    budget_engine first{*sim, {36, 36, 10'000ms, dir}};
    ASSERT_EQ(first.load(sim->symbols(), 1, 1), 1); // caches a token
  }
  sim->forget_tokens();
  std::this_thread::sleep_for(1100ms); // the server's token spacing
  const auto before = sim->stats().auth_failures;
  budget_engine second{*sim, {36, 36, 10'000ms, dir}};
  EXPECT_EQ(second.load(sim->symbols(), 30, 3), 90);
  const auto refused = sim->stats().auth_failures - before;
  EXPECT_GE(refused, 1u);
  EXPECT_LE(refused, 36u); // at most what was in flight when the first refusal came back
  EXPECT_EQ(sim->stats().rate_rejections, 0u);
}

// A process killed while it used its whole budget, and a new one started at once on the same
// data directory: the new governor knows the last second's calls from the ledger, and the
// server answers no EGW00201.
TEST_F(BudgetUnderFaults, ARestartWithinASecondOfTheLastCallsDrawsNoRateRejection) {
  start_sim();
  for (int round = 0; round < 3; ++round) {
    budget_engine eng{*sim, {36, 36, 10'000ms, dir}};
    eng.load(sim->symbols(), 18, 2);
    eng.stop(caf::exit_reason::kill);
  }
  budget_engine last{*sim, {36, 36, 10'000ms, dir}};
  EXPECT_EQ(last.load(sim->symbols(), 18, 2), 36);
  EXPECT_EQ(sim->stats().rate_rejections, 0u);
  EXPECT_LE(sim->stats().max_calls_in_window, 18u);
}
