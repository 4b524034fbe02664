#include "runtime/cluster.hpp"

#include <chrono>
#include <iostream>
#include <memory>
#include <set>
#include <sstream>
#include <thread>
#include <tuple>
#include <variant>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/function_view.hpp>
#include <caf/io/middleman.hpp>
#include <caf/io/publish.hpp>
#include <caf/io/remote_actor.hpp>
#include <caf/io/unpublish.hpp>
#include <caf/openssl/manager.hpp>
#include <caf/openssl/publish.hpp>
#include <caf/openssl/remote_actor.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/observability/metrics.hpp"
#include "runtime/trading_actors.hpp"
#include "messages/errors.hpp"
#include "runtime/core_services.hpp"
#include "runtime/duration.hpp"
#include "runtime/logging.hpp"
#include "runtime/python_host.hpp"
#include "runtime/wiring.hpp"

namespace kis::runtime {

namespace {

core_directory_actor::behavior_type directory(published_services s) {
  return {
      [s](directory_atom) -> caf::result<market_data_actor, ws_feed_actor, order_executor_actor> {
        return {s.gateway, s.feed, s.executor};
      },
      [s](info_atom) -> caf::result<std::string, std::uint32_t> {
        return {s.mode, s.rate_limit};
      },
  };
}

bool orderly(const caf::error& reason) {
  return reason == caf::exit_reason::user_shutdown || reason == caf::exit_reason::normal || !reason;
}

double sum_of(const std::vector<metric_point>& points, std::string_view name) {
  double total = 0;
  for (const auto& m : points)
    if (m.name == name)
      total += m.value;
  return total;
}

std::string format_node_summary(const trading_summary& s, std::size_t watched, bool core_alive) {
  std::ostringstream os;
  auto n = [&](const std::vector<metric_point>& pts, std::string_view name) {
    return static_cast<unsigned long long>(sum_of(pts, name));
  };
  os << "symbols   " << watched << " watched: " << s.symbols_ws << " on the core's WebSocket, "
     << s.symbols_polled << " polled through the core's gateway\n";
  os << "analyzers " << n(s.analyzers, metric_names::analyzer_ticks_total) << " ticks, "
     << n(s.analyzers, metric_names::analyzer_quotes_total) << " quotes, "
     << n(s.analyzers, metric_names::analyzer_polls_total) << " polls ("
     << n(s.analyzers, metric_names::analyzer_poll_errors_total) << " failed), "
     << n(s.analyzers, metric_names::analyzer_bars_total) << " bars, "
     << n(s.analyzers, metric_names::analyzer_events_total) << " events\n";
  os << "strategies " << n(s.strategies, metric_names::strategy_events_total) << " events, "
     << n(s.strategies, metric_names::strategy_signals_total) << " signals, "
     << n(s.strategies, metric_names::strategy_signals_accepted_total) << " accepted, "
     << n(s.strategies, metric_names::strategy_signals_refused_total) << " refused, "
     << n(s.strategies, metric_names::strategy_errors_total) << " errors\n";
  if (core_alive) {
    const auto& e = s.executor;
    os << "core executor (all nodes) " << e.signals << " signals, " << e.accepted << " accepted, "
       << e.fills << " fills\n";
  } else {
    os << "core executor (all nodes) unknown: the core is gone\n";
  }
  return os.str();
}

} // namespace

void load_middleman(caf::actor_system_config& cfg, const cluster_section& cluster) {
  cfg.load<caf::io::middleman>();
  if (!cluster.tls())
    return;
  // Any of these set switches CAF's OpenSSL module to peer authentication: both sides must
  // present a certificate that chains to the CA file.
  cfg.load<caf::openssl::manager>();
  cfg.openssl_certificate = cluster.tls_cert;
  cfg.openssl_key = cluster.tls_key;
  cfg.openssl_cafile = cluster.tls_ca;
}

core_directory_actor spawn_core_directory(caf::actor_system& sys, published_services services) {
  return sys.spawn(directory, std::move(services));
}

caf::expected<std::uint16_t> publish_directory(caf::actor_system& sys, core_directory_actor dir,
                                               const cluster_section& cluster) {
  const auto port = static_cast<std::uint16_t>(cluster.serve_port);
  const char* in = cluster.bind.empty() ? nullptr : cluster.bind.c_str();
  if (!cluster.tls())
    return caf::io::publish(dir, port, in);
  if (!sys.has_openssl_manager() || !sys.openssl_manager().authentication_enabled())
    return caf::make_error(caf::sec::runtime_error,
                           "TLS configured but the OpenSSL module is not loaded");
  auto bound = caf::openssl::publish(dir, port, in);
  if (bound)
    log::info("cluster: TLS with mutual certificate authentication (certificate {}, CA {}): "
              "nodes need a certificate signed by that CA",
              cluster.tls_cert, cluster.tls_ca);
  return bound;
}

void unpublish_directory(const core_directory_actor& dir, std::uint16_t port,
                         const cluster_section& cluster) {
  if (!cluster.tls()) {
    caf::io::unpublish(dir, port);
    return;
  }
  // caf::openssl::unpublish does not compile in 0.17.6 (it leaves out the actor's address):
  // the same request to the OpenSSL module's middleman actor, spelled out.
  auto& sys = dir.home_system();
  if (sys.has_openssl_manager())
    caf::make_function_view(sys.openssl_manager().actor_handle())(caf::unpublish_atom_v,
                                                                  dir.address(), port);
}

std::optional<std::pair<std::string, std::uint16_t>> parse_host_port(std::string_view text) {
  auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == text.size())
    return std::nullopt;
  auto digits = text.substr(colon + 1);
  if (digits.size() > 5 || digits.find_first_not_of("0123456789") != std::string_view::npos)
    return std::nullopt;
  auto port = std::stoul(std::string{digits});
  if (port < 1 || port > 65535)
    return std::nullopt;
  return std::pair{std::string{text.substr(0, colon)}, static_cast<std::uint16_t>(port)};
}

namespace {

// A node's own config, checked: where the core is and what the node watches.
struct node_setup {
  engine_config cfg;
  std::pair<std::string, std::uint16_t> core;
  std::vector<std::string> symbols;
};

std::variant<node_setup, api::api_error>
prepare_node(const engine_config& cfg_in, const std::string& core, const node_options& opts) {
  auto where = parse_host_port(core);
  if (!where)
    return config_refused("--core: expected HOST:PORT, got \"" + core + "\"");
  if (auto e = validate_cluster(cfg_in.cluster, false, where->first))
    return config_refused(e->to_string());
  // A node runs what its config names: no default strategies (their ids would collide with
  // the core's in the one executor).
  engine_config cfg = opts.python_host ? only_python_strategies(cfg_in) : cfg_in;
  cfg.strategies_configured = true;
  if (opts.python_host && cfg.strategies.empty())
    return config_refused("--python-host: the config names no Python strategy "
                          "([[strategy]] file = \"...\")");
  auto symbols = watched_symbols(cfg, {});
  if (symbols.empty())
    return config_refused("analyzers.symbols: a node needs symbols to watch "
                          "(name them in [analyzers] symbols or in a [[strategy]])");
  return node_setup{std::move(cfg), std::move(*where), std::move(symbols)};
}

// The core may still be starting: try for a few seconds. Says why on stderr when it fails.
std::optional<core_directory_actor> connect_to_core(caf::actor_system& sys,
                                                    const cluster_section& cluster,
                                                    const std::string& host, std::uint16_t port) {
  caf::expected<core_directory_actor> dir{caf::error{}};
  for (int attempt = 0; attempt < 10; ++attempt) {
    dir = cluster.tls() ? caf::openssl::remote_actor<core_directory_actor>(sys, host, port)
                        : caf::io::remote_actor<core_directory_actor>(sys, host, port);
    if (dir || signal_guard::stop_requested())
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds{500});
  }
  if (dir)
    return *dir;
  std::cerr << "kis-engine node: cannot reach the core at " << host << ":" << port << ": "
            << sys.render(dir.error());
  if (dir.error() == caf::sec::disconnect_during_handshake)
    std::cerr << (cluster.tls()
                      ? " (the TLS handshake failed: the core does not accept this node's "
                        "certificate, or it is not signed by the CA in cluster.tls_ca)"
                      : " (the core may require TLS: set cluster.tls_cert, tls_key and tls_ca)");
  std::cerr << "\n";
  return std::nullopt;
}

// What the core's directory hands a node.
struct core_handles {
  market_data_actor gateway;
  ws_feed_actor feed;
  order_executor_actor executor;
  std::string mode;
  std::uint32_t limit = 0;
};

caf::error ask_directory(caf::actor_system& sys, const core_directory_actor& dir,
                         core_handles& out) {
  caf::error problem;
  caf::scoped_actor self{sys};
  self->request(dir, std::chrono::seconds{10}, directory_atom_v)
      .receive(
          [&](market_data_actor& g, ws_feed_actor& f, order_executor_actor& e) {
            out.gateway = std::move(g);
            out.feed = std::move(f);
            out.executor = std::move(e);
          },
          [&](caf::error& err) { problem = std::move(err); });
  if (!problem)
    self->request(dir, std::chrono::seconds{10}, info_atom_v)
        .receive(
            [&](std::string& m, std::uint32_t l) {
              out.mode = std::move(m);
              out.limit = l;
            },
            [&](caf::error& err) { problem = std::move(err); });
  return problem;
}

// Runs until the deadline passes, a signal arrives or the core goes away (true; why says how).
bool run_until_core_gone(caf::actor_system& sys, const core_directory_actor& dir,
                         std::chrono::steady_clock::time_point deadline, caf::error& why) {
  bool core_gone = false;
  caf::scoped_actor self{sys};
  self->monitor(dir);
  while (!core_gone && !signal_guard::stop_requested() &&
         std::chrono::steady_clock::now() < deadline) {
    self->receive(
        [&](caf::down_msg& dm) {
          core_gone = true;
          why = std::move(dm.reason);
        },
        caf::after(std::chrono::milliseconds{100}) >> [] {});
  }
  return core_gone;
}

} // namespace

int run_node(const engine_config& cfg_in, const std::string& core, const node_options& opts) {
  shutdown_watchdog watchdog; // destroyed last: it outlives everything below
  signal_guard signals;
  auto prepared = prepare_node(cfg_in, core, opts);
  if (auto* e = std::get_if<api::api_error>(&prepared)) {
    return report_startup_failure(*e);
  }
  auto& [cfg, where, symbols] = std::get<node_setup>(prepared);
  if (python_strategy_count(cfg) > 0)
    exit_on_hung_handler(opts.handler_timeout, "kis-engine node",
                         "exiting (the core keeps trading)", 3);

  caf_config caf_cfg;
  load_middleman(caf_cfg, cfg.cluster);
  caf::actor_system sys{caf_cfg};
  actor_owner owner; // stops every actor before the system waits for them
  arm_on_exit guard{watchdog, std::chrono::seconds{20}};

  const auto& [host, port] = where;
  auto dir = connect_to_core(sys, cfg.cluster, host, port);
  if (!dir)
    return 1;
  core_handles handles;
  caf::error problem = ask_directory(sys, *dir, handles);
  auto& [gateway, feed, executor, mode, limit] = handles;
  auto core_mode = parse_mode(mode);
  if (problem || !gateway || !executor || !core_mode) {
    std::cerr << "kis-engine node: the core at " << host << ":" << port
              << " did not hand out its services: "
              << (problem ? sys.render(problem) : std::string{"incomplete directory"}) << "\n";
    return 1;
  }
  // The core's mode decides which strategies may trade and the bar length, as in `run`.
  cfg.mode = *core_mode;
  log::info("kis-engine node: connected to the core at {}:{} (mode {}, budget {} calls/s, feed "
            "{}), {} symbols",
            host, port, mode, limit, feed ? "on" : "off", symbols.size());

  metrics_config mc;
  mc.collect_every = cfg.metrics.interval;
  owner.own(spawn_metrics(sys, mc));

  // The core's budget and feed decide how this node polls.
  engine_config planned = cfg;
  planned.budget.rate_limit = static_cast<int>(limit);
  planned.feed.enabled = static_cast<bool>(feed);
  auto plan = plan_budget(planned, symbols.size(), strategy_symbol_count(cfg, symbols), false);
  log::info("kis-engine node: {}", plan.describe());
  auto tcfg = make_trading_config(cfg, std::string{}, symbols, plan);
  auto trading = spawn_trading_actors(sys, tcfg, gateway, feed, executor);
  if (!trading) {
    auto v = view(trading.error());
    if (v.code == errc::config)
      std::cerr << "kis-engine: config error: " << v.message << "\n";
    else
      std::cerr << "kis-engine node: cannot start the trading actors: "
                << sys.render(trading.error()) << "\n";
    return v.code == errc::config ? 2 : 1;
  }
  own_trading_actors(owner, *trading);

  using clock = std::chrono::steady_clock;
  auto started = clock::now();
  auto deadline = cfg.duration.count() > 0 ? started + cfg.duration : clock::time_point::max();
  caf::error why;
  const bool core_gone = run_until_core_gone(sys, *dir, deadline, why);
  if (core_gone) {
    auto text = why ? sys.render(why) : std::string{"normal exit"};
    log::error("kis-engine node: the core at {}:{} went away ({}); stopping", host, port, text);
    std::cerr << "kis-engine node: the core at " << host << ":" << port << " went away (" << text
              << "); stopping\n";
  } else if (signal_guard::stop_requested()) {
    log::info("stop requested, stopping");
  } else {
    log::info("duration over, stopping");
  }

  auto summary =
      collect_trading_summary(sys, *trading, false, std::chrono::seconds{core_gone ? 2 : 10});
  auto elapsed = std::chrono::duration_cast<std::chrono::seconds>(clock::now() - started);
  std::cout << "\n== kis-engine node summary (" << mode << ", core " << host << ":" << port << ", "
            << format_duration(elapsed) << ") ==\n"
            << format_node_summary(summary, symbols.size(), !core_gone);
  return core_gone && !orderly(why) ? 1 : 0;
}

} // namespace kis::runtime
