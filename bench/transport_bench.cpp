// REST round trips per second against kis-sim on loopback: one keep-alive connection reused
// for every call versus a new TCP connection per call (CURLOPT_FORBID_REUSE). Both run in the
// same invocation against the same simulator, so the ratio is what to read.
#include <benchmark/benchmark.h>

#include <memory>

#include "kis/http_transport.hpp"
#include "kis/rest_codec.hpp"
#include "sim/server.hpp"

namespace {

using namespace kis::api;

// One simulator and one token for the whole run (a second token inside a minute is refused).
struct fixture {
  std::unique_ptr<kis::sim::server> sim;
  http_request quote_request;

  fixture() {
    kis::sim::options o;
    o.env = environment::real;
    o.rate_limit = 10'000'000; // the bench measures the transport, not the budget
    sim = std::make_unique<kis::sim::server>(o);
    sim->start();
    call_context ctx{environment::real, sim->rest_url(), o.cred, {}};
    http_transport t;
    auto token = parse_reply(t.perform(*build_request(kis::endpoint_id::token_issue, ctx, {})));
    if (token)
      if (auto tok = decode_token(*token, 0))
        ctx.token = tok->value;
    auto params = price_params({sim->symbols().front(), "J", false});
    quote_request = *build_request(kis::endpoint_id::inquire_price, ctx, *params);
  }
};

fixture& shared() {
  static fixture f;
  return f;
}

void BM_QuoteRoundTrip(benchmark::State& state) {
  auto& f = shared();
  transport_options opts;
  opts.keep_alive = state.range(0) != 0;
  http_transport t{opts};
  std::int64_t failures = 0;
  for (auto _ : state) {
    auto ex = t.perform(f.quote_request);
    if (ex.http_status != 200)
      ++failures;
    benchmark::DoNotOptimize(ex);
  }
  if (failures > 0)
    state.SkipWithError("calls failed: is the token valid?");
  state.SetItemsProcessed(state.iterations());
  state.counters["connections"] = static_cast<double>(t.connections_opened());
}
BENCHMARK(BM_QuoteRoundTrip)->ArgName("keep_alive")->Arg(1)->Arg(0)->UseRealTime();

} // namespace

BENCHMARK_MAIN();
