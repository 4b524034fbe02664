// Governor, token keeper and REST gateway on libcurl, on an actor system of their own, as one
// engine process has them, against a kis-sim: the budget tests under faults and governor_bench's
// fault run share it. Requesters ask for quotes one after another.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/stateful_actor.hpp>

#include "actors/budget/rate_governor.hpp"
#include "actors/budget/rest_gateway.hpp"
#include "actors/budget/token_keeper.hpp"
#include "messages/registry.hpp"
#include "runtime/transports.hpp"
#include "sim/server.hpp"

namespace kis::test {

using namespace std::chrono_literals;

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

inline void ask_next(caf::stateful_actor<requester_state>* self, const kis::rest_gateway_actor& gw,
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

inline caf::behavior requester(caf::stateful_actor<requester_state>* self,
                               kis::rest_gateway_actor gw, std::vector<std::string> symbols,
                               int calls, caf::actor report) {
  self->state.left = calls;
  ask_next(self, gw, symbols, report);
  return {[](int) {}};
}

// Governor, keeper and gateway on their own actor system, as one engine process has them.
class budget_engine {
public:
  struct setup {
    std::uint32_t lanes = 36; // governor: calls in flight at most
    long connections = 36;    // the transport's pool
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
                    caf::after(std::chrono::minutes(2)) >> [this] { hung_ = true; });
    return answered;
  }

  // Orders through the gateway now and then while `load` runs elsewhere: one order_request,
  // waited for, every `every` (the caller paces); the reply or error is returned.
  caf::expected<kis::order_ack>
  order(const kis::order_request& o, std::chrono::milliseconds timeout = std::chrono::seconds{60}) {
    caf::scoped_actor self{*sys_};
    caf::expected<kis::order_ack> out{caf::error{}};
    self->request(gw_, timeout, o)
        .receive([&](const kis::order_ack& ack) { out = ack; }, [&](caf::error& e) { out = e; });
    return out;
  }

  bool hung() const noexcept { return hung_; }
  caf::actor_system& system() { return *sys_; }
  const kis::rest_gateway_actor& gateway() const noexcept { return gw_; }
  const kis::rate_governor_actor& governor() const noexcept { return gov_; }

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
  bool hung_ = false;
};

} // namespace kis::test
