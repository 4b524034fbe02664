// The REST gateway: the only place the engine speaks HTTP to KIS. Each call gets a token from
// the token keeper, a permit of its class from the rate governor, goes out through the
// transport, and comes back decoded. Queries are retried with jittered exponential back-off on
// transport errors and EGW00201, and once with a fresh token on EGW00123/00121; orders are
// never retried blindly: an order whose fate is unknown is answered errc::outcome_unknown and
// the caller reconciles. Quotes can be served from a short cache, and identical quote requests
// in flight share one call.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <caf/fwd.hpp>

#include "actors/budget/token_keeper.hpp"
#include "kis/clock.hpp"
#include "kis/credentials.hpp"
#include "kis/http_transport.hpp"
#include "messages/interfaces.hpp"

namespace kis {

// The seam between the gateway and the network: tests inject scripted answers.
class rest_transport {
public:
  virtual ~rest_transport() = default;
  // Thread-safe and non-blocking; `done` runs on any thread, once.
  virtual void submit(api::http_request req, std::function<void(http_exchange)> done) = 0;
};

struct gateway_config {
  api::environment env = api::environment::real;
  std::string base_url; // e.g. https://openapi.koreainvestment.com:9443, or kis-sim's
  api::credentials cred;
  std::shared_ptr<rest_transport> transport; // required: runtime/ injects libcurl, tests a fake
  std::uint32_t query_retries = 3;           // extra attempts of a query after a transient failure
  std::chrono::milliseconds retry_base{100};
  std::chrono::milliseconds retry_cap{2000};
  std::chrono::milliseconds quote_ttl{1000}; // 0 disables the quote cache
  std::uint32_t max_pages = 50;              // per chart, balance or fills call
  std::uint64_t jitter_seed = 0x6b6973;      // back-off jitter, seeded for reproducible tests
  std::shared_ptr<const wall_clock> clock = default_wall_clock(); // quote receive times
};

rest_gateway_impl_actor spawn_rest_gateway(caf::actor_system& sys, gateway_config cfg,
                                           rate_governor_actor governor, token_keeper_actor keeper);

} // namespace kis
