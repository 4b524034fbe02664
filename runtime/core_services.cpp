#include "runtime/core_services.hpp"

#include <filesystem>
#include <future>
#include <thread>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>

#include "actors/budget/rate_governor.hpp"
#include "actors/budget/token_keeper.hpp"
#include "actors/feed/ws_feed.hpp"
#include "actors/observability/metrics.hpp"
#include "actors/trading/executor_report.hpp"
#include "kis/kst.hpp"
#include "messages/errors.hpp"
#include "runtime/logging.hpp"
#include "runtime/metrics_http.hpp"
#include "runtime/recording_transports.hpp"
#include "runtime/transports.hpp"
#include "sim/server.hpp"

namespace kis::runtime {

namespace {

metrics_config make_metrics_config(const engine_config& cfg, snapshot_sink& sink) {
  metrics_config mc;
  mc.collect_every = cfg.metrics.interval;
  mc.warn.cpu_percent = cfg.metrics.warn_cpu_pct;
  mc.warn.rss_percent = cfg.metrics.warn_rss_pct;
  mc.warn.mailbox_depth = cfg.metrics.warn_mailbox_depth;
  mc.warn.executor_queue_depth = static_cast<double>(cfg.metrics.warn_queue_depth);
  mc.warn.feed_silence = cfg.metrics.warn_feed_silence;
  mc.warn.token_life_seconds = std::chrono::duration<double>(cfg.metrics.warn_token_left).count();
  mc.log = [](const metrics_warning& w) {
    if (w.raised)
      log::warn("{}", w.message);
    else
      log::info("cleared: {}", w.message);
  };
  mc.publish = [&sink](std::shared_ptr<const metrics_snapshot> snap) {
    sink.latest.store(snap);
    if (sink.http)
      sink.http->update(std::move(snap));
  };
  return mc;
}

// The governor remembers its last calls in data_dir, so a restart within a second of a crash
// does not overfill the server's window; without a usable ledger it assumes the window full.
governor_memory make_governor_memory(const engine_config& cfg, const backend& b) {
  governor_memory mem;
  mem.assume_full_when_unknown = true;
  auto ledger = spent_ledger::open(
      spent_ledger_path(std::filesystem::path{cfg.data_dir}, b.env, b.cred.app_key));
  if (ledger)
    mem.ledger = std::move(ledger.value());
  else
    log::warn("{}; assuming the last second's budget was spent", ledger.error().message);
  return mem;
}

} // namespace

std::variant<backend, api::api_error> start_backend(const engine_config& cfg) {
  backend b;
  if (cfg.mode == run_mode::sim) {
    sim::options o;
    o.env = *api::parse_environment(cfg.sim.env);
    o.rate_limit = cfg.sim.rate_limit;
    o.seed = cfg.sim.seed;
    if (!cfg.sim.start.empty()) {
      auto cal = sessions_calendar(cfg.sessions);
      if (!cal)
        return config_refused(cal.error().message);
      o.sessions = true;
      o.start_ns = *api::kst::parse_datetime(cfg.sim.start); // checked when read
      o.speed = cfg.sim.speed;
      o.calendar = std::move(cal.value());
    }
    if (cfg.sim.fault_profile == "flaky") {
      o.fault.error_rate = 0.02;
      o.fault.delay = std::chrono::milliseconds{20};
    } else if (cfg.sim.fault_profile != "none") {
      return config_refused("sim.fault_profile: expected \"none\" or \"flaky\"");
    }
    try {
      b.simulator = std::make_shared<sim::server>(o);
      b.simulator->start();
    } catch (const std::exception& e) {
      return start_failed(std::string{"cannot start the simulator: "} + e.what());
    }
    b.env = o.env;
    b.rest_url = b.simulator->rest_url();
    b.ws_url = b.simulator->ws_url();
    b.cred = sim::default_credentials();
    b.universe = b.simulator->symbols();
    if (!cfg.sim.start.empty()) {
      b.clock = b.simulator->market_clock();
      b.market_speed = cfg.sim.speed;
    }
    b.calendar = run_calendar(cfg.sessions, cfg.sim.start.empty());
    return b;
  }
  b.calendar = run_calendar(cfg.sessions, false);
  b.env = cfg.mode == run_mode::live ? api::environment::real : api::environment::paper;
  b.rest_url = cfg.rest_url.empty() ? std::string{api::default_rest_url(b.env)} : cfg.rest_url;
  b.ws_url = cfg.ws_url.empty() ? std::string{api::default_ws_url(b.env)} : cfg.ws_url;
  b.cred = cfg.cred;
  return b;
}

std::variant<core_services, api::api_error>
start_core_services(caf::actor_system& sys, actor_owner& owner, const engine_config& cfg,
                    const backend& b, const budget_plan& plan, snapshot_sink& sink,
                    const std::shared_ptr<recorder>& rec) {
  core_services core;
  core.metrics = owner.own(spawn_metrics(sys, make_metrics_config(cfg, sink)));
  core.governor = owner.own(spawn_rate_governor(sys, plan.governor, make_governor_memory(cfg, b)));

  api::transport_options topts;
  topts.max_host_connections = plan.connections;
  auto transport = make_curl_transport(topts);
  if (rec)
    transport = recording_rest_transport(transport, rec);
  token_keeper_config kc;
  kc.env = b.env;
  kc.app_key = b.cred.app_key;
  // The embedded simulator is a new exchange every run: a token cached by the last run is one
  // it never issued (refused, then a fresh issue waits out the one-a-minute rule).
  if (!b.simulator)
    kc.cache_dir = std::filesystem::path{cfg.data_dir};
  core.keeper = owner.own(
      spawn_token_keeper(sys, kc, make_oauth_issuer(transport, b.env, b.rest_url, b.cred)));

  gateway_config gw;
  gw.env = b.env;
  gw.base_url = b.rest_url;
  gw.cred = b.cred;
  gw.transport = transport;
  gw.query_retries = static_cast<std::uint32_t>(cfg.budget.query_retries);
  gw.quote_ttl = cfg.budget.quote_cache_ttl;
  core.gateway = owner.own(spawn_rest_gateway(sys, gw, core.governor, core.keeper));

  return core;
}

void start_feed(caf::actor_system& sys, actor_owner& owner, const engine_config& cfg,
                const backend& b, core_services& core, const std::shared_ptr<recorder>& rec) {
  if (cfg.feed.enabled) {
    ws_feed_config fc;
    fc.url = b.ws_url + cfg.feed.path;
    fc.custtype = b.cred.custtype;
    fc.paper = b.env == api::environment::paper;
    fc.slots_cap = static_cast<std::uint32_t>(cfg.feed.max_registrations);
    fc.notice_slots = b.cred.hts_id.empty() ? 0 : 1;
    fc.silence_timeout = cfg.feed.silence_timeout;
    fc.rerank_interval = cfg.feed.rerank_interval;
    fc.clock = b.clock;
    fc.calendar = b.calendar;
    fc.transport = beast_transport_factory(fc, rec ? recording_ws_tap(rec) : ws_tap{});
    core.feed = owner.own(spawn_ws_feed(sys, fc, core.keeper));
  }
}

namespace {

std::string describe_failure(caf::actor_system& sys, const caf::error& err, const char* what) {
  auto v = view(err);
  if (v.code == errc::auth)
    return std::string{"KIS refused the credentials while "} + what + ": " + v.message +
           " (check KIS_APP_KEY / KIS_APP_SECRET / KIS_ACCOUNT for this mode)";
  if (v.code == errc::transport || v.code == errc::outcome_unknown)
    return std::string{"cannot reach KIS while "} + what + ": " + v.message;
  if (err == caf::sec::request_timeout)
    return std::string{"KIS did not answer while "} + what;
  return std::string{"start-up failed while "} + what + ": " + describe_error(sys, err);
}

} // namespace

preflight_result preflight(caf::actor_system& sys, actor_owner& owner, const core_services& core,
                           std::chrono::seconds limit) {
  auto done = std::make_shared<std::promise<preflight_result>>();
  auto result = done->get_future();
  // One small actor runs the two steps; the main thread waits on the future and keeps
  // answering signals.
  owner.own(sys.spawn([done, &sys, keeper = core.keeper, gateway = core.gateway,
                       limit](caf::event_based_actor* self) {
    auto give = [done](preflight_result r) { done->set_value(std::move(r)); };
    auto failed = [give, &sys](const char* what) {
      return [give, &sys, what](caf::error& err) {
        give({std::nullopt, start_failed(describe_failure(sys, err, what), view(err).code)});
      };
    };
    self->request(keeper, limit, token_atom_v)
        .then(
            [=](const access_token&) {
              self->request(gateway, std::min(limit, std::chrono::seconds{20}), balance_query{})
                  .then(
                      [give](balance& b) {
                        give({std::move(b), std::nullopt});
                      },
                      failed("reading the account balance"));
            },
            failed("getting an access token"));
  }));
  return wait_unless_stopped(result).value_or(preflight_result{});
}

} // namespace kis::runtime
