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
#include <caf/scoped_actor.hpp>

#include "actors/metrics.hpp"
#include "actors/pipeline.hpp"
#include "actors/rate_governor.hpp"
#include "actors/rest_gateway.hpp"
#include "actors/token_keeper.hpp"
#include "actors/ws_feed.hpp"
#include "messages/registry.hpp"
#include "runtime/duration.hpp"
#include "runtime/logging.hpp"
#include "runtime/metrics_cli.hpp"
#include "runtime/metrics_http.hpp"
#include "sim/server.hpp"
#include "strategies/registry.hpp"

namespace kis::runtime {

namespace {

volatile std::sig_atomic_t stop_requested = 0;

extern "C" void on_stop_signal(int) {
  stop_requested = 1;
}

// Restores the previous handlers when the run ends (tests run the engine in-process).
class signal_guard {
public:
  signal_guard() {
    stop_requested = 0;
    struct sigaction sa {};
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int_);
    sigaction(SIGTERM, &sa, &old_term_);
  }
  ~signal_guard() {
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
  }

private:
  struct sigaction old_int_ {};
  struct sigaction old_term_ {};
};

struct caf_config : caf::actor_system_config {
  caf_config() {
    register_messages(*this);
    // Two cores are common for this engine; CAF's default is max(cores, 4) workers.
    set("scheduler.max-threads",
        static_cast<int>(std::max(2u, std::thread::hardware_concurrency())));
    set("scheduler.max-throughput", 300);
  }
};

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

// The configured strategies; in sim mode without any [[strategy]] table, both examples on the
// first symbols, tuned to trade within a short demo run.
std::vector<strategy_entry> strategies_to_run(const engine_config& cfg,
                                              const std::vector<std::string>& symbols) {
  if (cfg.strategies_configured || cfg.mode != run_mode::sim)
    return cfg.strategies;
  auto slice = [&](std::size_t from, std::size_t n) {
    std::vector<std::string> out;
    for (std::size_t i = from; i < symbols.size() && i < from + n; ++i)
      out.push_back(symbols[i]);
    return out;
  };
  strategy_entry ma;
  ma.name = ma.id = "ma_cross";
  ma.symbols = slice(0, 10);
  ma.params = {{"fast", std::int64_t{3}}, {"slow", std::int64_t{8}}, {"qty", std::int64_t{1}}};
  strategy_entry orb;
  orb.name = orb.id = "orb";
  orb.symbols = slice(10, 10);
  orb.params = {{"range_bars", std::int64_t{5}}, {"qty", std::int64_t{1}}};
  std::vector<strategy_entry> out;
  for (auto* e : {&ma, &orb})
    if (!e->symbols.empty())
      out.push_back(std::move(*e));
  return out;
}

trading_mode to_trading_mode(run_mode m) {
  switch (m) {
  case run_mode::sim:
    return trading_mode::sim;
  case run_mode::paper:
    return trading_mode::paper;
  case run_mode::live:
    return trading_mode::live;
  }
  return trading_mode::sim;
}

pipeline_config make_pipeline_config(const engine_config& cfg, const backend& b,
                                     std::vector<std::string> symbols) {
  pipeline_config p;
  p.mode = to_trading_mode(cfg.mode);
  p.symbols = std::move(symbols);
  p.analyzers = static_cast<std::size_t>(cfg.analyzers.count);
  p.analyzer.poll_interval = cfg.analyzers.poll_interval;
  p.analyzer.bar_seconds = cfg.analyzers.bar_seconds > 0 ? cfg.analyzers.bar_seconds
                           : cfg.mode == run_mode::sim   ? 2
                                                         : 60;
  p.analyzer.history_days = cfg.analyzers.history_days;
  auto& e = p.executor;
  e.queue_capacity = cfg.executor.queue_capacity;
  e.journal_path = cfg.executor.journal.empty()
                       ? (std::filesystem::path{cfg.data_dir} /
                          ("journal-" + std::string{to_string_view(cfg.mode)} + ".sqlite"))
                             .string()
                       : cfg.executor.journal;
  e.risk.max_order_qty = cfg.executor.max_order_qty;
  e.risk.max_order_notional = cfg.executor.max_order_notional;
  e.risk.max_position_qty = cfg.executor.max_position_qty;
  e.risk.daily_loss_limit = cfg.executor.daily_loss_limit;
  e.risk.price_collar_pct = cfg.executor.price_collar_pct;
  e.dedup_window = cfg.executor.dedup_window;
  e.check_buyable = cfg.executor.check_buyable;
  e.drain = cfg.executor.drain == "finish" ? drain_policy::finish : drain_policy::cancel;
  e.hts_id = cfg.feed.enabled ? b.cred.hts_id : std::string{};
  for (const auto& st : strategies_to_run(cfg, p.symbols)) {
    if (!st.enabled)
      continue;
    strategy_config sc;
    sc.name = st.name;
    sc.id = st.id;
    sc.symbols = st.symbols;
    sc.params = strategy_params{st.params};
    sc.trade = st.trade;
    p.strategies.push_back(std::move(sc));
  }
  return p;
}

std::string format_pipeline_summary(const pipeline_summary& s, std::size_t watched) {
  std::ostringstream os;
  const auto& e = s.executor;
  os << "symbols   " << watched << " watched: " << s.symbols_ws << " on WebSocket, "
     << s.symbols_polled << " polled over REST\n";
  os << "signals   " << e.signals << " received, " << e.accepted << " accepted";
  for (const auto& r : e.refused)
    os << ", " << r.count << " refused (" << r.name << ")";
  os << "\norders   ";
  if (e.orders.empty())
    os << "none";
  for (std::size_t i = 0; i < e.orders.size(); ++i)
    os << (i ? ", " : "") << e.orders[i].count << " " << e.orders[i].name;
  os << "\nfills     " << e.fills << "\n";
  os << "positions ";
  if (e.positions.empty())
    os << "none";
  for (std::size_t i = 0; i < e.positions.size(); ++i) {
    const auto& p = e.positions[i];
    os << (i ? ", " : "") << p.symbol << " " << p.qty << " @ " << p.avg_price;
  }
  os << "\nP&L       " << e.realized_pnl << " KRW realised" << (e.killed ? " (kill switch on)" : "")
     << "\njournal   " << e.journal_path << "\n";
  return os.str();
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
  auto pcfg = make_pipeline_config(cfg, b, symbols);
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
    return 2;
  }
  auto governor = spawn_rate_governor(sys, gc);

  api::transport_options topts;
  auto transport = make_curl_transport(topts);
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
  gw.injected = transport;
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
    feed = spawn_ws_feed(sys, fc, keeper);
  }

  auto pipe = spawn_pipeline(sys, pcfg, gateway, feed);
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

  // Run until the duration is over or a signal arrives, with a status line every second.
  using clock = std::chrono::steady_clock;
  auto started = clock::now();
  auto deadline = cfg.duration.count() > 0 ? started + cfg.duration : clock::time_point::max();
  auto next_status = started + std::chrono::seconds{1};
  while (!stop_requested && clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds{100});
    if (status != nullptr && clock::now() >= next_status) {
      next_status += std::chrono::seconds{1};
      if (auto snap = latest.load())
        *status << "\r" << format_status_line(*snap) << std::flush;
    }
  }
  if (status != nullptr)
    *status << "\n";
  if (stop_requested)
    log::info("stop requested, draining");
  else
    log::info("duration over, draining");

  auto summary = collect_summary(sys, *pipe, true, std::chrono::seconds{30});
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
  std::cout << format_pipeline_summary(summary, symbols.size());

  stop_pipeline(*pipe);
  for (auto& a : {caf::actor_cast<caf::actor>(gateway), caf::actor_cast<caf::actor>(keeper),
                  caf::actor_cast<caf::actor>(governor), caf::actor_cast<caf::actor>(metrics)})
    caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  if (feed)
    caf::anon_send_exit(feed, caf::exit_reason::user_shutdown);
  return 0;
}

} // namespace kis::runtime
