#include "runtime/engine.hpp"

#include <atomic>
#include <filesystem>
#include <iostream>
#include <memory>
#include <thread>

#include <caf/actor_system.hpp>
#include <caf/scoped_actor.hpp>

#include "actors/trading/history_cache.hpp"
#include "kis/kst.hpp"
#include "runtime/budget_plan.hpp"
#include "runtime/cluster.hpp"
#include "runtime/core_services.hpp"
#include "runtime/duration.hpp"
#include "runtime/lifetime.hpp"
#include "runtime/logging.hpp"
#include "runtime/market_calendar.hpp"
#include "runtime/metrics_cli.hpp"
#include "runtime/metrics_http.hpp"
#include "runtime/python_host.hpp"
#include "runtime/recording_transports.hpp"
#include "runtime/trading_actors.hpp"
#include "runtime/wiring.hpp"
#include "messages/errors.hpp"
#include "sim/server.hpp"

namespace kis::runtime {

namespace {

using steady = std::chrono::steady_clock;

int report(const api::api_error& e) {
  return report_startup_failure(e);
}

std::optional<api::api_error> prepare_data_dir(const engine_config& cfg) {
  std::error_code ec;
  std::filesystem::create_directories(cfg.data_dir, ec);
  if (ec)
    return config_refused("data_dir: cannot create \"" + cfg.data_dir + "\": " + ec.message());
  std::filesystem::permissions(cfg.data_dir, std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::replace, ec);
  return std::nullopt;
}

// Today's cached daily history and the detached actor that keeps what is fetched; a cache
// that cannot be opened only costs history calls.
void attach_history_cache(caf::actor_system& sys, actor_owner& owner, const engine_config& cfg,
                          analyzer_config& ac) {
  if (ac.history_days <= 0)
    return;
  auto path = (std::filesystem::path{cfg.data_dir} /
               ("history-" + std::string{to_string_view(cfg.mode)} + ".sqlite"))
                  .string();
  auto cache = history_cache::open(path);
  if (!cache) {
    log::warn("{}; history is fetched on every start", cache.error().message);
    return;
  }
  std::shared_ptr<history_cache> shared{std::move(cache.value())};
  auto today = api::kst::today(ac.clock ? *ac.clock : *default_wall_clock()); // the market's day
  ac.history_cache = std::make_shared<const history_snapshot>(shared->load(today, ac.history_days));
  ac.history_store = owner.own(spawn_history_store(sys, std::move(shared)));
}

// Sleeps until the duration is over or a stop is requested, with a status line every second.
void run_until_stopped(const engine_config& cfg, snapshot_sink& sink, std::ostream* status) {
  auto started = steady::now();
  auto deadline = cfg.duration.count() > 0 ? started + cfg.duration : steady::time_point::max();
  auto next_status = started + std::chrono::seconds{1};
  while (!signal_guard::stop_requested() && steady::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds{100});
    if (status != nullptr && steady::now() >= next_status) {
      next_status += std::chrono::seconds{1};
      if (auto snap = sink.latest.load())
        *status << "\r" << format_status_line(*snap) << std::flush;
    }
  }
  if (status != nullptr)
    *status << "\n";
  log::info("{}, draining", signal_guard::stop_requested() ? "stop requested" : "duration over");
}

void print_summary(caf::actor_system& sys, const engine_config& cfg, const backend& b,
                   const core_services& core, snapshot_sink& sink, const trading_summary& summary,
                   std::size_t watched, steady::time_point started, std::uint16_t served_port) {
  {
    // One last snapshot so the summary has the final figures.
    caf::scoped_actor self{sys};
    self->request(core.metrics, std::chrono::seconds{3}, caf::get_atom_v)
        .receive(
            [&](const metrics_snapshot& snap) {
              sink.latest.store(std::make_shared<metrics_snapshot>(snap));
            },
            [](const caf::error&) {});
  }
  auto elapsed = std::chrono::duration_cast<std::chrono::seconds>(steady::now() - started);
  std::cout << "\n== kis-engine summary (" << to_string_view(cfg.mode) << ", "
            << format_duration(elapsed) << ") ==\n";
  if (auto snap = sink.latest.load())
    std::cout << format_run_summary(*snap);
  std::cout << format_trading_summary(summary, watched);
  if (served_port != 0 && b.simulator) {
    // The one budget, seen from the server side: every node's calls arrive here.
    auto st = b.simulator->stats();
    std::cout << "cluster   served on port " << served_port << "; simulator saw at most "
              << st.max_calls_in_window << " calls in any 1 s (limit " << effective_rate_limit(cfg)
              << "), " << st.rate_rejections << " rate rejections\n";
  }
}

} // namespace

namespace {

// Where the core's Python strategies go: a strategy host it starts itself (sim), one the
// operator runs against --serve-port (paper, live), or a config error.
std::optional<api::api_error> check_python_hosting(const engine_config& cfg) {
  if (python_strategy_count(cfg) == 0)
    return std::nullopt;
  for (const auto& s : cfg.strategies)
    if (is_python_strategy(s) && s.symbols.empty())
      return config_refused("strategy '" + s.id +
                            "': a Python strategy names its symbols (symbols = [...])");
  if (cfg.mode == run_mode::sim) {
    if (cfg.source_path.empty())
      return config_refused("Python strategies need the config from a file "
                            "(-c FILE): their host process reads it too");
    return std::nullopt;
  }
  if (cfg.cluster.serve_port < 0)
    return config_refused("Python strategies run in a strategy-host node outside "
                          "the core: in paper and live mode start the core with --serve-port "
                          "PORT and the host with `kis-engine node --core HOST:PORT "
                          "--python-host -c CONFIG`");
  return std::nullopt;
}

// Whether the core starts a strategy host for its Python strategies itself (sim), else where
// they belong.
bool starts_python_host(const engine_config& cfg) {
  const auto count = python_strategy_count(cfg);
  if (count > 0 && cfg.mode != run_mode::sim)
    log::info("{} Python strategies are for a strategy host: kis-engine node --core HOST:PORT "
              "--python-host -c {}",
              count, cfg.source_path);
  return count > 0 && cfg.mode == run_mode::sim;
}

// A strategy host started here reaches the core on loopback, on a port of its own choosing
// unless --serve-port names one.
cluster_section core_cluster(const engine_config& cfg, bool start_python_host) {
  auto cluster = cfg.cluster;
  if (start_python_host && cluster.serve_port < 0) {
    cluster.serve_port = 0;
    cluster.bind = "127.0.0.1";
  }
  return cluster;
}

void print_recorder_summary(recorder* rec) {
  if (rec == nullptr)
    return;
  rec->flush();
  std::cout << format_recorder_summary(*rec);
}

// What this run watches, records and spends.
struct run_plan {
  std::vector<std::string> symbols;
  std::shared_ptr<recorder> rec; // null: this run does not record
  budget_plan plan;
};

std::variant<run_plan, api::api_error> plan_run(const engine_config& cfg, const backend& b,
                                                bool python_strategies) {
  auto symbols = watched_symbols(cfg, b.universe);
  if (auto shortfall = symbol_shortfall(cfg, b.universe))
    log::warn("{}", *shortfall);
  if (symbols.empty() && !python_strategies)
    return config_refused("analyzers.symbols: no symbols to watch (name them in "
                          "[analyzers] symbols or in a [[strategy]])");
  auto recording = open_run_recorder(cfg, b.env, b.cred, symbols);
  if (!recording)
    return config_refused("recorder: " + recording.error().message);
  const bool notices = cfg.feed.enabled && !b.cred.hts_id.empty();
  auto plan = plan_budget(cfg, symbols.size(), strategy_symbol_count(cfg, symbols), notices);
  log::info("kis-engine starting: mode {}, {} symbols, REST {}, WebSocket {}",
            to_string_view(cfg.mode), symbols.size(), b.rest_url, b.ws_url);
  log::info("{}", plan.describe());
  return run_plan{std::move(symbols), *recording, std::move(plan)};
}

// The calendar made final (chk-holiday), then the feed, then analyzers, hosts and executor:
// nobody may hold an older calendar.
std::variant<trading_actors, api::api_error>
start_trading(caf::actor_system& sys, actor_owner& owner, const engine_config& cfg, backend& b,
              core_services& core, const std::vector<std::string>& symbols, const budget_plan& plan,
              const std::shared_ptr<recorder>& rec) {
  if (b.calendar && b.env == api::environment::real)
    b.calendar =
        with_kis_holidays(sys, owner, core.gateway, b.calendar,
                          holiday_cache_path(cfg.data_dir, b.env), api::kst::today(*b.clock));
  start_feed(sys, owner, cfg, b, core, rec);
  auto tcfg = make_trading_config(cfg, b.cred.hts_id, symbols, plan);
  use_market_time(tcfg, b.calendar, b.clock, b.market_speed);
  attach_history_cache(sys, owner, cfg, tcfg.analyzer);
  auto trading = spawn_trading_actors(sys, tcfg, core.gateway, core.feed);
  if (!trading) {
    auto v = view(trading.error());
    if (v.code == errc::config)
      return config_refused(v.message);
    return start_failed("cannot start the trading actors: " + sys.render(trading.error()),
                        view(trading.error()).code);
  }
  own_trading_actors(owner, *trading);
  return std::move(*trading);
}

// The loopback /metrics server, when [metrics] port asks for one.
std::variant<std::unique_ptr<metrics_server>, api::api_error>
open_metrics_http(const engine_config& cfg, snapshot_sink& sink) {
  if (cfg.metrics.port < 0)
    return std::unique_ptr<metrics_server>{};
  try {
    auto http = std::make_unique<metrics_server>(static_cast<std::uint16_t>(cfg.metrics.port));
    sink.http = http.get();
    log::info("metrics on {}/metrics (kis-engine metrics --url {})", http->url(), http->url());
    return http;
  } catch (const std::exception& e) {
    return config_refused("metrics.port: cannot bind 127.0.0.1:" +
                          std::to_string(cfg.metrics.port) + ": " + e.what());
  }
}

using served_directory = std::pair<core_directory_actor, std::uint16_t>;

// The core node: nodes reach the gateway (and the one budget behind it), the feed and the
// executor through one published directory (see runtime/cluster.hpp).
std::variant<served_directory, api::api_error>
serve_core_directory(caf::actor_system& sys, actor_owner& owner, run_mode mode,
                     const cluster_section& cluster, const core_services& core,
                     const trading_actors& trading, const budget_plan& plan) {
  auto directory = owner.own(
      spawn_core_directory(sys, published_services{core.gateway, core.feed, trading.executor,
                                                   std::string{to_string_view(mode)},
                                                   static_cast<std::uint32_t>(plan.rate)}));
  auto port = publish_directory(sys, directory, cluster);
  const auto where = cluster.bind.empty() ? std::string{"*"} : cluster.bind;
  if (!port)
    return config_refused("cluster.serve_port: cannot publish on " + where + ":" +
                          std::to_string(cluster.serve_port) + ": " + sys.render(port.error()));
  log::info("cluster: core directory served on {}:{} (kis-engine node --core HOST:{})", where,
            *port, *port);
  return served_directory{directory, *port};
}

} // namespace

int run_engine(const engine_config& full_cfg, std::ostream* status) {
  if (auto e = check_python_hosting(full_cfg))
    return report(*e);
  // The core never runs Python: its Python strategies live in a strategy-host node.
  const engine_config cfg = without_python_strategies(full_cfg);
  const bool start_python_host = starts_python_host(full_cfg);
  shutdown_watchdog watchdog; // destroyed last: it outlives everything below
  signal_guard signals;
  const auto started = steady::now();
  const auto stop_budget = std::chrono::seconds{30}; // drain (10 s) and a slow shutdown
  if (auto e = prepare_data_dir(cfg))
    return report(*e);
  auto started_backend = start_backend(cfg);
  if (auto* e = std::get_if<api::api_error>(&started_backend))
    return report(*e);
  auto& b = std::get<backend>(started_backend);
  if (b.simulator)
    if (auto e = retire_sim_journal(cfg))
      return report(*e);
  log::add_secret(b.cred.app_key);
  log::add_secret(b.cred.app_secret);
  auto planned = plan_run(cfg, b, python_strategy_count(full_cfg) > 0);
  if (auto* e = std::get_if<api::api_error>(&planned))
    return report(*e);
  auto& [symbols, rec, plan] = std::get<run_plan>(planned);

  snapshot_sink sink;
  auto served_metrics = open_metrics_http(cfg, sink);
  if (auto* e = std::get_if<api::api_error>(&served_metrics))
    return report(*e);

  caf_config caf_cfg;
  const auto cluster = core_cluster(cfg, start_python_host);
  const bool serving = cluster.serve_port >= 0;
  if (serving)
    load_middleman(caf_cfg, cluster);
  caf::actor_system sys{caf_cfg};
  actor_owner owner; // stops every actor before the system waits for them
  arm_on_exit guard{watchdog, stop_budget};

  auto started_core = start_core_services(sys, owner, cfg, b, plan, sink, rec);
  if (auto* e = std::get_if<api::api_error>(&started_core))
    return report(*e);
  auto& core = std::get<core_services>(started_core);
  auto pf = preflight(sys, owner, core, std::chrono::seconds{75});
  if (pf.error)
    return report(*pf.error);
  if (!pf.account) { // a signal during start-up
    log::info("stop requested during start-up; nothing was traded");
    return 0;
  }

  auto started_trading = start_trading(sys, owner, cfg, b, core, symbols, plan, rec);
  if (auto* e = std::get_if<api::api_error>(&started_trading))
    return report(*e);
  auto trading = &std::get<trading_actors>(started_trading);

  core_directory_actor directory;
  std::uint16_t served_port = 0;
  if (serving) {
    auto served = serve_core_directory(sys, owner, cfg.mode, cluster, core, *trading, plan);
    if (auto* e = std::get_if<api::api_error>(&served))
      return report(*e);
    std::tie(directory, served_port) = std::get<served_directory>(served);
  }

  python_host_process python_host;
  if (start_python_host)
    if (auto e = python_host.start(full_cfg.source_path, served_port, cfg.log_level))
      return report(start_failed("python strategy host: " + e->message, e->code));

  run_until_stopped(cfg, sink, status);
  watchdog.arm(stop_budget);
  if (directory) { // nodes see the directory go down and stop before the executor drains
    unpublish_directory(directory, served_port, cluster);
    caf::anon_send_exit(directory, caf::exit_reason::user_shutdown);
  }
  python_host.stop(std::chrono::seconds{10});
  auto summary = collect_trading_summary(sys, *trading, true, std::chrono::seconds{15});
  print_summary(sys, cfg, b, core, sink, summary, symbols.size(), started, served_port);
  print_recorder_summary(rec.get());
  return 0;
}

} // namespace kis::runtime
