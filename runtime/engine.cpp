#include "runtime/engine.hpp"

#include <atomic>
#include <csignal>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/io/unpublish.hpp>
#include <caf/scoped_actor.hpp>

#include "actors/observability/metrics.hpp"
#include "runtime/trading_actors.hpp"
#include "actors/budget/rate_governor.hpp"
#include "actors/budget/rest_gateway.hpp"
#include "runtime/transports.hpp"
#include "actors/budget/token_keeper.hpp"
#include "actors/feed/ws_feed.hpp"
#include "messages/registry.hpp"
#include "runtime/cluster.hpp"
#include "runtime/duration.hpp"
#include "runtime/logging.hpp"
#include "runtime/metrics_cli.hpp"
#include "runtime/metrics_http.hpp"
#include "runtime/recording_transports.hpp"
#include "runtime/wiring.hpp"
#include "sim/server.hpp"
#include "strategies/registry.hpp"

namespace kis::runtime {

namespace {

// Where the engine talks to: the embedded simulator or KIS.
struct backend {
  api::environment env = api::environment::real;
  std::string rest_url;
  std::string ws_url;
  api::credentials cred;
  int rate_limit = 0;
  std::vector<std::string> universe; // every symbol the backend knows (sim only)
  std::unique_ptr<sim::server> simulator;
};

std::optional<config_error> start_backend(const engine_config& cfg, backend& b) {
  if (cfg.mode == run_mode::sim) {
    sim::options o;
    o.env = *api::parse_environment(cfg.sim.env);
    o.rate_limit = cfg.sim.rate_limit;
    o.seed = cfg.sim.seed;
    if (cfg.sim.fault_profile == "flaky") {
      o.fault.error_rate = 0.02;
      o.fault.delay = std::chrono::milliseconds{20};
    } else if (cfg.sim.fault_profile != "none") {
      return config_error{"sim.fault_profile", "expected \"none\" or \"flaky\""};
    }
    b.simulator = std::make_unique<sim::server>(o);
    b.simulator->start();
    b.env = o.env;
    b.rest_url = b.simulator->rest_url();
    b.ws_url = b.simulator->ws_url();
    b.cred = sim::default_credentials();
    b.rate_limit = o.rate_limit > 0 ? o.rate_limit : api::default_rate_limit(o.env);
    b.universe = b.simulator->symbols();
    return std::nullopt;
  }
  b.env = cfg.mode == run_mode::live ? api::environment::real : api::environment::paper;
  b.rest_url = cfg.rest_url.empty() ? std::string{api::default_rest_url(b.env)} : cfg.rest_url;
  b.ws_url = cfg.ws_url.empty() ? std::string{api::default_ws_url(b.env)} : cfg.ws_url;
  b.cred = cfg.cred;
  b.rate_limit = api::default_rate_limit(b.env);
  return std::nullopt;
}

// The symbols to watch: the configured list, else (sim) the first N of the universe; every
// strategy's symbols are watched too.
std::vector<std::string> watched_symbols(const engine_config& cfg, const backend& b) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  auto add = [&](const std::string& s) {
    if (seen.insert(s).second)
      out.push_back(s);
  };
  for (const auto& s : cfg.analyzers.symbols)
    add(s);
  if (cfg.analyzers.symbols.empty())
    for (std::size_t i = 0;
         i < b.universe.size() && out.size() < static_cast<std::size_t>(cfg.analyzers.symbol_count);
         ++i)
      add(b.universe[i]);
  for (const auto& st : cfg.strategies)
    if (st.enabled)
      for (const auto& s : st.symbols)
        add(s);
  return out;
}

} // namespace

int run_engine(const engine_config& cfg, std::ostream* status) {
  signal_guard signals;
  std::error_code ec;
  std::filesystem::create_directories(cfg.data_dir, ec);
  if (ec) {
    std::cerr << "kis-engine: data_dir: cannot create \"" << cfg.data_dir << "\": " << ec.message()
              << "\n";
    return 2;
  }
  std::filesystem::permissions(cfg.data_dir, std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::replace, ec);

  backend b;
  try {
    if (auto e = start_backend(cfg, b)) {
      std::cerr << "kis-engine: config error: " << e->to_string() << "\n";
      return 2;
    }
  } catch (const std::exception& e) {
    std::cerr << "kis-engine: cannot start the simulator: " << e.what() << "\n";
    return 1;
  }
  log::add_secret(b.cred.app_key);
  log::add_secret(b.cred.app_secret);
  auto symbols = watched_symbols(cfg, b);
  if (symbols.empty()) {
    std::cerr << "kis-engine: config error: analyzers.symbols: no symbols to watch (name them in "
                 "[analyzers] symbols or in a [[strategy]])\n";
    return 2;
  }
  auto recording = open_run_recorder(cfg, b.env, b.cred, symbols);
  if (!recording) {
    std::cerr << "kis-engine: recorder: " << recording.error().message << "\n";
    return 2;
  }
  auto rec = *recording; // null: this run does not record
  auto pcfg = make_trading_config(cfg, b.cred.hts_id, symbols);
  log::info("kis-engine starting: mode {}, {} symbols, REST {}, WebSocket {}",
            to_string_view(cfg.mode), symbols.size(), b.rest_url, b.ws_url);

  // The latest metrics snapshot, handed from the metrics actor to this thread and the server.
  std::atomic<std::shared_ptr<const metrics_snapshot>> latest;
  std::unique_ptr<metrics_server> http;
  if (cfg.metrics.port >= 0) {
    try {
      http = std::make_unique<metrics_server>(static_cast<std::uint16_t>(cfg.metrics.port));
      log::info("metrics on {}/metrics (kis-engine metrics --url {})", http->url(), http->url());
    } catch (const std::exception& e) {
      std::cerr << "kis-engine: metrics.port: cannot bind 127.0.0.1:" << cfg.metrics.port << ": "
                << e.what() << "\n";
      return 2;
    }
  }

  caf_config caf_cfg;
  const bool serving = cfg.cluster.serve_port >= 0;
  if (serving)
    load_middleman(caf_cfg);
  caf::actor_system sys{caf_cfg};

  metrics_config mc;
  mc.collect_every = cfg.metrics.interval;
  mc.warn.cpu_percent = cfg.metrics.warn_cpu_pct;
  mc.warn.rss_percent = cfg.metrics.warn_rss_pct;
  mc.warn.mailbox_depth = cfg.metrics.warn_mailbox_depth;
  mc.warn.executor_queue_depth = static_cast<double>(cfg.metrics.warn_queue_depth);
  mc.warn.budget_saturation = cfg.metrics.warn_budget_pct / 100.0;
  mc.warn.ws_slots_ratio = cfg.metrics.warn_ws_slots_pct / 100.0;
  mc.warn.token_life_seconds = std::chrono::duration<double>(cfg.metrics.warn_token_left).count();
  mc.log = [](const metrics_warning& w) {
    if (w.raised)
      log::warn("{}", w.message);
    else
      log::info("cleared: {}", w.message);
  };
  mc.publish = [&latest, srv = http.get()](std::shared_ptr<const metrics_snapshot> snap) {
    latest.store(snap);
    if (srv)
      srv->update(std::move(snap));
  };
  auto metrics = spawn_metrics(sys, mc);

  governor_config gc;
  gc.limit =
      static_cast<std::uint32_t>(cfg.budget.rate_limit > 0 ? cfg.budget.rate_limit : b.rate_limit);
  gc.safety_margin = cfg.budget.safety_margin;
  gc.order_reserve = static_cast<std::uint32_t>(cfg.budget.order_reserve);
  if (auto problem = validate(gc)) {
    std::cerr << "kis-engine: config error: budget: " << *problem << "\n";
    caf::anon_send_exit(metrics, caf::exit_reason::user_shutdown); // else ~actor_system waits
    return 2;
  }
  auto governor = spawn_rate_governor(sys, gc);

  api::transport_options topts;
  auto transport = make_curl_transport(topts);
  if (rec)
    transport = recording_rest_transport(transport, rec);
  token_keeper_config kc;
  kc.env = b.env;
  kc.app_key = b.cred.app_key;
  kc.cache_dir = std::filesystem::path{cfg.data_dir};
  auto keeper =
      spawn_token_keeper(sys, kc, make_oauth_issuer(transport, b.env, b.rest_url, b.cred));

  gateway_config gw;
  gw.env = b.env;
  gw.base_url = b.rest_url;
  gw.cred = b.cred;
  gw.transport = transport;
  gw.query_retries = static_cast<std::uint32_t>(cfg.budget.query_retries);
  gw.quote_ttl = cfg.budget.quote_cache_ttl;
  auto gateway = spawn_rest_gateway(sys, gw, governor, keeper);

  ws_feed_actor feed;
  if (cfg.feed.enabled) {
    ws_feed_config fc;
    fc.url = b.ws_url + cfg.feed.path;
    fc.custtype = b.cred.custtype;
    fc.paper = b.env == api::environment::paper;
    fc.slots_cap = static_cast<std::uint32_t>(cfg.feed.max_registrations);
    fc.notice_slots = b.cred.hts_id.empty() ? 0 : 1;
    fc.silence_timeout = cfg.feed.silence_timeout;
    fc.transport = beast_transport_factory(fc, rec ? recording_ws_tap(rec) : ws_tap{});
    feed = spawn_ws_feed(sys, fc, keeper);
  }

  auto pipe = spawn_trading_actors(sys, pcfg, gateway, feed);
  if (!pipe) {
    auto v = view(pipe.error());
    if (v.code == errc::config)
      std::cerr << "kis-engine: config error: " << v.message << "\n";
    else
      std::cerr << "kis-engine: cannot start the pipeline: " << sys.render(pipe.error()) << "\n";
    caf::anon_send_exit(governor, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(keeper, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(gateway, caf::exit_reason::user_shutdown);
    if (feed)
      caf::anon_send_exit(feed, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(metrics, caf::exit_reason::user_shutdown);
    return v.code == errc::config ? 2 : 1;
  }

  // The core node: nodes reach the gateway (and the one budget behind it), the feed and the
  // executor through one published directory (see runtime/cluster.hpp).
  core_directory_actor directory;
  std::uint16_t served_port = 0;
  if (serving) {
    directory = spawn_core_directory(
        sys, {gateway, feed, pipe->executor, std::string{to_string_view(cfg.mode)}, gc.limit});
    auto port = publish_directory(
        sys, directory, static_cast<std::uint16_t>(cfg.cluster.serve_port), cfg.cluster.bind);
    if (!port) {
      std::cerr << "kis-engine: cluster.serve_port: cannot publish on "
                << (cfg.cluster.bind.empty() ? std::string{"*"} : cfg.cluster.bind) << ":"
                << cfg.cluster.serve_port << ": " << sys.render(port.error()) << "\n";
      caf::anon_send_exit(directory, caf::exit_reason::user_shutdown);
      stop_trading_actors(*pipe);
      for (auto& a : {caf::actor_cast<caf::actor>(gateway), caf::actor_cast<caf::actor>(keeper),
                      caf::actor_cast<caf::actor>(governor), caf::actor_cast<caf::actor>(metrics)})
        caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
      if (feed)
        caf::anon_send_exit(feed, caf::exit_reason::user_shutdown);
      return 2;
    }
    served_port = *port;
    log::info("cluster: core directory served on {}:{} (kis-engine node --core HOST:{})",
              cfg.cluster.bind.empty() ? std::string{"*"} : cfg.cluster.bind, served_port,
              served_port);
  }

  // Run until the duration is over or a signal arrives, with a status line every second.
  using clock = std::chrono::steady_clock;
  auto started = clock::now();
  auto deadline = cfg.duration.count() > 0 ? started + cfg.duration : clock::time_point::max();
  auto next_status = started + std::chrono::seconds{1};
  while (!signal_guard::stop_requested() && clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds{100});
    if (status != nullptr && clock::now() >= next_status) {
      next_status += std::chrono::seconds{1};
      if (auto snap = latest.load())
        *status << "\r" << format_status_line(*snap) << std::flush;
    }
  }
  if (status != nullptr)
    *status << "\n";
  if (signal_guard::stop_requested())
    log::info("stop requested, draining");
  else
    log::info("duration over, draining");

  if (directory) {
    // Nodes see the directory go down and stop before the executor drains.
    caf::io::unpublish(directory, served_port);
    caf::anon_send_exit(directory, caf::exit_reason::user_shutdown);
  }
  auto summary = collect_trading_summary(sys, *pipe, true, std::chrono::seconds{30});
  // One last snapshot so the summary has the final figures.
  {
    caf::scoped_actor self{sys};
    self->request(metrics, std::chrono::seconds{5}, caf::get_atom_v)
        .receive(
            [&](const metrics_snapshot& snap) {
              latest.store(std::make_shared<metrics_snapshot>(snap));
            },
            [](const caf::error&) {});
  }
  auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - started);
  std::cout << "\n== kis-engine summary (" << to_string_view(cfg.mode) << ", "
            << format_duration(std::chrono::duration_cast<std::chrono::seconds>(elapsed))
            << ") ==\n";
  if (auto snap = latest.load())
    std::cout << format_run_summary(*snap);
  std::cout << format_trading_summary(summary, symbols.size());
  if (serving && b.simulator) {
    // The one budget, seen from the server side: every node's calls arrive here.
    auto st = b.simulator->stats();
    std::cout << "cluster   served on port " << served_port << "; simulator saw at most "
              << st.max_calls_in_window << " calls in any 1 s (limit " << b.rate_limit << "), "
              << st.rate_rejections << " rate rejections\n";
  }

  if (rec) {
    rec->flush();
    std::cout << format_recorder_summary(*rec);
  }

  stop_trading_actors(*pipe);
  for (auto& a : {caf::actor_cast<caf::actor>(gateway), caf::actor_cast<caf::actor>(keeper),
                  caf::actor_cast<caf::actor>(governor), caf::actor_cast<caf::actor>(metrics)})
    caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  if (feed)
    caf::anon_send_exit(feed, caf::exit_reason::user_shutdown);
  return 0;
}

} // namespace kis::runtime
