// The part of the engine that exists once per app key, and how it starts: the backend (the
// embedded simulator or KIS), the metrics actor, the rate governor with its ledger, the token
// keeper, the REST gateway on libcurl, and the WebSocket feed. `run` owns them through an
// actor_owner; a node reaches the core's through CAF's middleman instead.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <caf/fwd.hpp>

#include "actors/budget/rest_gateway.hpp"
#include "kis/credentials.hpp"
#include "kis/endpoints.hpp"
#include "kis/result.hpp"
#include "messages/interfaces.hpp"
#include "runtime/budget_plan.hpp"
#include "runtime/config.hpp"
#include "runtime/lifetime.hpp"
#include "runtime/startup_failure.hpp"

namespace kis::sim {
class server;
}
namespace kis {
class metrics_server;
}

namespace kis::runtime {

class recorder;

// Where the engine talks to: the embedded simulator or KIS.
struct backend {
  api::environment env = api::environment::real;
  std::string rest_url;
  std::string ws_url;
  api::credentials cred;
  std::vector<std::string> universe; // every symbol the backend knows (sim only)
  std::shared_ptr<sim::server> simulator;
  // The market's time: the system clock, or the embedded simulator's when [sim] start sets it.
  std::shared_ptr<const wall_clock> clock = default_wall_clock();
  double market_speed = 1.0; // how many times as fast as real time that clock runs
  // The run's calendar (null: always open); start-up corrects its holidays (market_calendar).
  std::shared_ptr<const sessions::calendar> calendar;
};

std::variant<backend, api::api_error> start_backend(const engine_config& cfg);

struct core_services {
  metrics_actor metrics;
  rate_governor_actor governor;
  token_keeper_actor keeper;
  rest_gateway_actor gateway;
  ws_feed_actor feed; // null when [feed] enabled = false; start_feed, after the preflight
};

// The latest metrics snapshot, handed from the metrics actor to the main thread and the
// /metrics server (which may be null).
struct snapshot_sink {
  std::atomic<std::shared_ptr<const metrics_snapshot>> latest;
  metrics_server* http = nullptr;
};

// rec (may be null): the transports are wrapped by the recording decorators.
std::variant<core_services, api::api_error>
start_core_services(caf::actor_system& sys, actor_owner& owner, const engine_config& cfg,
                    const backend& b, const budget_plan& plan, snapshot_sink& sink,
                    const std::shared_ptr<recorder>& rec = nullptr);

// The WebSocket feed, once the calendar is final (it goes quiet while the market is closed).
void start_feed(caf::actor_system& sys, actor_owner& owner, const engine_config& cfg,
                const backend& b, core_services& core, const std::shared_ptr<recorder>& rec);

// Before anything trades: a token, then the account's balance (the executor's first account
// view). A server that cannot be reached, does not answer within `limit` or refuses the
// credentials ends the start here. Returns early (nullopt balance, no error) when a stop is
// requested meanwhile.
struct preflight_result {
  std::optional<balance> account;
  std::optional<api::api_error> error;
};
preflight_result preflight(caf::actor_system& sys, actor_owner& owner, const core_services& core,
                           std::chrono::seconds limit);

} // namespace kis::runtime
