#include "runtime/cli.hpp"

#include <iostream>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "runtime/certificates.hpp"
#include "runtime/cluster.hpp"
#include "runtime/config.hpp"
#include "runtime/duration.hpp"
#include "runtime/engine.hpp"
#include "runtime/logging.hpp"
#include "runtime/backtest_command.hpp"
#include "runtime/metrics_cli.hpp"
#include "runtime/python_host.hpp"
#include "runtime/replay_command.hpp"

namespace kis::runtime {

namespace {

// Flags of `run` that override the config file.
struct run_flags {
  std::string config_path;
  std::string mode;
  bool confirm_live = false;
  std::string duration;
  std::optional<int> metrics_port;
  std::string log_level;
  std::optional<std::uint64_t> seed;
  std::optional<int> serve_port;
  bool quiet = false;
  bool record = false;
  bool no_record = false;
};

// Flags of `node`.
struct node_flags {
  std::string core; // host:port of the core's directory
  std::string config_path;
  std::string duration;
  std::string log_level;
  bool python_host = false;
  std::string handler_timeout = "10s";
};

// Flags of `cert ca` and `cert node NAME`.
struct cert_flags {
  std::string dir = "cluster-pki";
  std::string name;
  int days = 825;
};

int do_cert(const cert_flags& f, bool ca) {
  auto problem = ca ? make_cluster_ca(f.dir, f.days) : make_node_certificate(f.dir, f.name, f.days);
  if (problem) {
    std::cerr << "kis-engine cert: " << problem->message << "\n";
    return 1;
  }
  auto made = ca ? ca_files(f.dir) : node_files(f.dir, f.name);
  std::cout << "wrote " << made.cert.string() << " and " << made.key.string()
            << " (the key mode 0600)\n";
  if (ca) {
    std::cout << "keep " << made.key.string() << " off the nodes; make one certificate per node "
              << "with `kis-engine cert node NAME --dir " << f.dir << "`\n";
    return 0;
  }
  std::cout << "copy " << made.cert.string() << ", " << made.key.string() << " and "
            << ca_files(f.dir).cert.string() << " to " << f.name << " and put in its config:\n"
            << "[cluster]\ntls_cert = \"" << made.cert.filename().string() << "\"\ntls_key = \""
            << made.key.filename().string() << "\"\ntls_ca = \"ca.pem\"\n";
  return 0;
}

int fail(const config_error& e) {
  std::cerr << "kis-engine: config error: " << e.to_string() << "\n";
  return 2;
}

// The file's settings over the defaults; no path leaves the defaults.
std::optional<config_error> load_into(const std::string& path, engine_config& cfg) {
  if (path.empty())
    return std::nullopt;
  auto r = load_config_file(path);
  if (auto* e = std::get_if<config_error>(&r))
    return *e;
  cfg = std::get<engine_config>(std::move(r));
  return std::nullopt;
}

// --duration, when given.
std::optional<config_error> set_duration(const std::string& text, engine_config& cfg) {
  if (text.empty())
    return std::nullopt;
  auto d = parse_duration(text);
  if (!d)
    return config_error{"--duration", "malformed duration \"" + text +
                                          "\" (use e.g. 30s, 5m, 1h; 0 runs until Ctrl-C)"};
  cfg.duration = *d;
  return std::nullopt;
}

int do_run(const run_flags& f) {
  engine_config cfg;
  if (auto e = load_into(f.config_path, cfg))
    return fail(*e);
  if (auto e = apply_env(cfg, process_env()))
    return fail(*e);
  if (!f.mode.empty()) {
    auto m = parse_mode(f.mode);
    if (!m)
      return fail({"--mode", "expected sim, paper or live, got \"" + f.mode + "\""});
    cfg.mode = *m;
  }
  cfg.confirm_live = f.confirm_live;
  if (auto e = set_duration(f.duration, cfg))
    return fail(*e);
  if (f.metrics_port)
    cfg.metrics.port = *f.metrics_port;
  if (!f.log_level.empty())
    cfg.log_level = f.log_level;
  if (f.seed)
    cfg.sim.seed = *f.seed;
  if (f.serve_port) {
    if (*f.serve_port < 0 || *f.serve_port > 65535)
      return fail({"--serve-port", "expected 0 (any) or a port number"});
    cfg.cluster.serve_port = *f.serve_port;
  }
  if (f.record || f.no_record)
    cfg.recorder.enabled = f.record ? "on" : "off";
  if (auto e = validate(cfg))
    return fail(*e);
  log::init(cfg.log_level, cfg.log_file);
  log::add_secret(cfg.cred.app_key);
  log::add_secret(cfg.cred.app_secret);
  return run_engine(cfg, f.quiet ? nullptr : &std::cout);
}

int do_node(const node_flags& f) {
  engine_config cfg;
  if (auto e = load_into(f.config_path, cfg))
    return fail(*e);
  cfg.duration = std::chrono::milliseconds{0}; // a node runs until its core goes away
  if (auto e = set_duration(f.duration, cfg))
    return fail(*e);
  if (!f.log_level.empty())
    cfg.log_level = f.log_level;
  auto hang = parse_duration(f.handler_timeout);
  if (!hang)
    return fail({"--handler-timeout", "malformed duration \"" + f.handler_timeout + "\""});
  node_options opts{f.python_host, *hang};
  // Credentials, mode and budget are the core's business; a node holds no secret.
  log::init(cfg.log_level, cfg.log_file);
  return run_node(cfg, f.core, opts);
}

// One function per subcommand: its options bound to the flags it fills.
CLI::App* add_run(CLI::App& app, run_flags& rf) {
  auto* run = app.add_subcommand("run", "run the engine (default: against the embedded simulator)");
  run->add_option("-c,--config", rf.config_path,
                  "TOML config file (see config/engine.example.toml)");
  run->add_option("--mode", rf.mode, "sim (default), paper or live");
  run->add_flag("--confirm-live", rf.confirm_live, "required together with --mode live");
  // The last --duration wins, so `./engine run --duration 2m` overrides the script's default.
  run->add_option("-d,--duration", rf.duration, "how long to run, e.g. 30s, 5m; 0 = until Ctrl-C")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  run->add_option("--metrics-port", rf.metrics_port,
                  "serve /metrics and /metrics.json on 127.0.0.1:PORT (0 = any free port)");
  run->add_option("--log-level", rf.log_level, "trace, debug, info, warn, error");
  run->add_option("--seed", rf.seed, "simulator seed (sim mode)");
  run->add_option("--serve-port", rf.serve_port,
                  "be the core node: publish the gateway, feed and executor for `kis-engine "
                  "node` on [cluster] bind (127.0.0.1):PORT (0 = any free port, logged)");
  run->add_flag("-q,--quiet", rf.quiet, "no status line, only the summary");
  run->add_flag("--record", rf.record, "record the wire for replay (sim too; see [recorder])");
  run->add_flag("--no-record", rf.no_record, "do not record (paper and live record by default)");

  return run;
}

CLI::App* add_replay(CLI::App& app, replay_flags& pf, std::string& replay_hang) {
  auto* replay = app.add_subcommand(
      "replay", "feed a recording through the same actors on a virtual clock; orders fill "
                "against the recorded trades (kis-sim's matching engine)");
  replay->add_option("recording", pf.recording, "recording directory (or one .krec segment)")
      ->required();
  replay->add_option("-c,--config", pf.config_path, "TOML config: strategies and settings");
  replay->add_option("--from", pf.from,
                     "start, KST: HH:MM[:SS] on the recording's first day, or "
                     "YYYYMMDD[-HH:MM[:SS]]");
  replay->add_option("--to", pf.to, "end, same forms as --from");
  replay->add_option("--symbols", pf.symbols, "comma-separated codes (default: as recorded)");
  replay->add_option("--speed", pf.speed, "max (default) or N times real time");
  replay->add_option("--out", pf.out, "output directory (orders.csv, fills.csv, summary.txt)");
  replay->add_flag("-q,--quiet", pf.quiet, "no progress line");
  replay->add_option("--handler-timeout", replay_hang,
                     "a Python handler running longer than this ends the replay with exit code 1 "
                     "(default 30s; 0 = never)");
  replay->add_option("--metrics-port", pf.metrics_port,
                     "serve /metrics (replay_progress_ratio, ...) on 127.0.0.1:PORT while it runs");

  return replay;
}

CLI::App* add_backtest(CLI::App& app, backtest_flags& bf, std::string& backtest_hang) {
  auto* backtest = app.add_subcommand(
      "backtest", "replay a recording or daily bars with costs; writes trades.csv, backtest.txt "
                  "and report.html (equity curve, drawdown)");
  backtest->add_option("--recording", bf.recording, "a recording directory to backtest on");
  backtest->add_option("--bars", bf.bars,
                       "D: daily bars, fetched once through the budgeted "
                       "gateway and cached under data_dir/bars");
  backtest->add_option("-c,--config", bf.config_path, "TOML config: strategies, [backtest] costs");
  backtest->add_option("--symbols", bf.symbols, "comma-separated codes (required with --bars)");
  backtest->add_option("--from", bf.from, "recording: as replay; bars: YYYYMMDD");
  backtest->add_option("--to", bf.to, "recording: as replay; bars: YYYYMMDD");
  backtest->add_option("--mode", bf.mode, "where bars come from: sim (default), paper, live");
  backtest->add_flag("--confirm-live", bf.confirm_live, "required with --mode live");
  backtest->add_flag("--refresh", bf.refresh, "fetch the bars again even when cached");
  backtest->add_option("--out", bf.out, "output directory");
  backtest->add_flag("-q,--quiet", bf.quiet, "no progress line");
  backtest->add_option("--handler-timeout", backtest_hang,
                       "a Python handler running longer than this ends the backtest with exit "
                       "code 1 (default 30s; 0 = never)");
  backtest->add_option(
      "--metrics-port", bf.metrics_port,
      "serve /metrics (replay_progress_ratio, ...) on 127.0.0.1:PORT while it runs");

  return backtest;
}

CLI::App* add_node(CLI::App& app, node_flags& nf) {
  auto* node = app.add_subcommand(
      "node", "run analyzers and strategies against a core node (`run --serve-port`), inside "
              "its one REST budget");
  node->add_option("--core", nf.core, "the core's HOST:PORT (its log names the port)")->required();
  node->add_option("-c,--config", nf.config_path,
                   "TOML config: [analyzers] and [[strategy]] tables are used");
  node->add_option("-d,--duration", nf.duration,
                   "how long to run, e.g. 30s, 5m; 0 (default) = until Ctrl-C or the core stops");
  node->add_option("--log-level", nf.log_level, "trace, debug, info, warn, error");
  node->add_flag("--python-host", nf.python_host,
                 "be the strategy host of the config's Python strategies ([[strategy]] file = "
                 "...): run those alone (the core runs the rest); `run` starts one by itself in "
                 "sim mode");
  node->add_option("--handler-timeout", nf.handler_timeout,
                   "a Python handler running longer than this ends the node so that the core "
                   "settles its signals (default 10s; 0 = never)");

  return node;
}

// The cert subcommand and its ca subcommand (whether ca was the one given).
std::pair<CLI::App*, CLI::App*> add_cert(CLI::App& app, cert_flags& cf) {
  auto* cert = app.add_subcommand(
      "cert", "make the certificates of a cluster link (mutual TLS): a CA once, then one "
              "certificate per node");
  cert->require_subcommand(1);
  auto* cert_ca = cert->add_subcommand("ca", "make the cluster's CA: ca.pem and ca.key in --dir");
  auto* cert_node =
      cert->add_subcommand("node", "make NAME.pem and NAME.key in --dir, signed by the CA there");
  cert_node->add_option("name", cf.name, "the node's name, e.g. core or node1")->required();
  for (auto* sub : {cert_ca, cert_node}) {
    sub->add_option("--dir", cf.dir, "where the CA and the certificates live")
        ->capture_default_str();
    sub->add_option("--days", cf.days, "validity in days")->capture_default_str();
  }

  return {cert, cert_ca};
}

} // namespace

int run_cli(int argc, char** argv) {
  CLI::App app{"kis-engine: an actor-based trading engine for the Korea Investment & Securities "
               "Open API"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "kis-engine 0.1.0");

  run_flags rf;
  auto* run = add_run(app, rf);
  replay_flags pf;
  std::string replay_hang = "30s";
  auto* replay = add_replay(app, pf, replay_hang);
  backtest_flags bf;
  std::string backtest_hang = "30s";
  auto* backtest = add_backtest(app, bf, backtest_hang);
  node_flags nf;
  auto* node = add_node(app, nf);
  cert_flags cf;
  auto [cert, cert_ca] = add_cert(app, cf);

  std::string url = "http://127.0.0.1:9464";
  bool json = false;
  auto* metrics = app.add_subcommand("metrics", "print one metrics snapshot of a running engine");
  metrics->add_option("--url", url, "the engine's metrics endpoint")->capture_default_str();
  metrics->add_flag("--json", json, "print the raw JSON snapshot");

  std::string sort = "mailbox";
  int iterations = 0;
  auto* top = app.add_subcommand("top", "live view of every actor of a running engine");
  top->add_option("--url", url, "the engine's metrics endpoint")->capture_default_str();
  top->add_option("--sort", sort, "mailbox, time, processed or name")
      ->check(CLI::IsMember({"mailbox", "time", "processed", "name"}));
  top->add_option("-n,--iterations", iterations,
                  "refresh this many times, then exit (0 = forever)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (*run) {
    if (rf.record && rf.no_record)
      return fail({"--record", "give --record or --no-record, not both"});
    return do_run(rf);
  }
  if (*node)
    return do_node(nf);
  if (*cert)
    return do_cert(cf, cert_ca->parsed());
  // Replay and backtest run their strategies on this thread: a hung Python handler ends them.
  auto watch = [](const std::string& flag, const char* who) -> std::optional<int> {
    auto hang = parse_duration(flag);
    if (!hang)
      return fail({"--handler-timeout", "malformed duration \"" + flag + "\""});
    exit_on_hung_handler(*hang, who, "stopped (--handler-timeout)", 1);
    return std::nullopt;
  };
  if (*replay) {
    if (auto code = watch(replay_hang, "kis-engine replay"))
      return *code;
    return run_replay_command(pf, std::cout, std::cerr);
  }
  if (*backtest) {
    if (auto code = watch(backtest_hang, "kis-engine backtest"))
      return *code;
    return run_backtest_command(bf, std::cout, std::cerr);
  }
  if (*metrics)
    return run_metrics_command(url, json, std::cout, std::cerr);
  if (*top)
    return run_top_command(url, *parse_top_sort(sort), iterations, std::cout, std::cerr);
  return 1;
}

} // namespace kis::runtime
