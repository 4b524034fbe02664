// The engine's configuration: TOML file (toml++), then environment overrides, then CLI flags.
// Every key is documented in config/engine.example.toml. An unknown key, a wrong type, a
// malformed duration or a missing credential is a config_error that names the key.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "kis/credentials.hpp"
#include "runtime/sessions_config.hpp"
#include "kis/endpoints.hpp"
#include "kis/result.hpp"
#include "kis/run_mode.hpp"
#include "runtime/recording_config.hpp"
#include "strategies/strategy.hpp"

namespace kis::runtime {

struct strategy_entry {
  std::string name; // registry name, e.g. "ma_cross"; for a file strategy the file's stem
  std::string id;   // instance id, defaults to name
  // A Python strategy: a .py path (relative to the config file when loaded from one) or a
  // module name, and which class of it (empty: its one kis.Strategy subclass).
  std::string file;
  std::string class_name;
  std::vector<std::string> symbols;
  std::map<std::string, param_value> params;
  bool enabled = true;
  std::optional<bool> trade; // unset: examples trade only in sim, user strategies everywhere
  venue default_venue = venue::unset; // venue = "krx" | "nxt" | "sor": for signals naming none
};

struct budget_section {
  int rate_limit = 0; // calls per second; 0 = KIS's figure for the mode (18 real, 1 paper)
  std::chrono::milliseconds safety_margin{
      10}; // the floor: EGW00201 widens it (see permit_scheduler)
  // Orders always go first; besides, up to this many slots of every second are kept free for
  // them (never more than the budget leaves for everything else: none at 1 call/s).
  int order_reserve = 1;
  std::chrono::milliseconds quote_cache_ttl{1000};
  int query_retries = 3;
  // A request that cannot begin to leave this long after its permit never leaves (the permit
  // goes back): a stalled connection pool cannot turn into a burst at the server.
  std::chrono::milliseconds leave_within{500};
  int max_in_flight = 0;   // calls between permit and answer; 0 = twice the rate, at least 4
  double poll_share = 0.5; // of the budget, what polling of symbols without a WS slot may use
};

struct sim_section {
  std::uint64_t seed = 42;
  int rate_limit = 0; // 0 = same as KIS for the simulated environment
  std::string env = "real";
  std::string fault_profile = "none"; // none | flaky
  // The market's clock (#14): a KST start "YYYY-MM-DD HH:MM[:SS]" and a speed-up. With a start
  // the sessions and holidays apply in the simulator and the engine alike, and the engine
  // keeps the market's time ("19:30 on a Tuesday", an hour a minute at speed 60).
  std::string start;
  double speed = 1.0;
};

struct feed_section {
  bool enabled = true;
  int max_registrations = 41;
  std::chrono::milliseconds silence_timeout{30'000};
  std::string path = "/tryitout";
  std::chrono::milliseconds rerank_interval{10'000}; // slots follow interest; 0 = first come
};

struct analyzer_section {
  int count = 5;          // analyzer actors
  int symbol_count = 120; // when symbols is empty: the first N of the simulator's universe
  std::vector<std::string> symbols;
  std::chrono::milliseconds poll_interval{2000};
  int bar_seconds =
      0; // 0 = 60 against KIS, 2 against the simulator (its market trades 4x a second)
  int history_days = -1;    // -1 = by the budget: 120 at 18/s, 90 (one call a symbol) below 3/s
  std::string market = "J"; // quotes and real time: J (KRX), NX (Nextrade), UN (combined)
  std::map<std::string, std::string> markets; // per symbol, over `market`: {"005930" = "UN"}
};

struct executor_section {
  std::size_t queue_capacity = 1000;
  std::string journal; // empty = <data_dir>/journal-<mode>.sqlite
  std::int64_t max_order_qty = 1000;
  std::int64_t max_order_notional = 50'000'000;
  std::int64_t max_position_qty = 5000;
  std::int64_t daily_loss_limit = 5'000'000;
  double price_collar_pct = 5.0;
  std::chrono::milliseconds dedup_window{2000};
  bool check_buyable = true;
  std::string drain = "cancel"; // cancel | finish
};

struct metrics_section {
  int port = -1; // -1 = no endpoint, 0 = ephemeral
  std::chrono::milliseconds interval{1000};
  double warn_cpu_pct = 80; // of all cores
  double warn_rss_pct = 80; // of physical memory
  std::uint64_t warn_mailbox_depth = 1000;
  std::uint64_t warn_queue_depth = 500;
  std::chrono::milliseconds warn_token_left{5 * 60 * 1000};
  std::chrono::milliseconds warn_feed_silence{60'000};
};

// Distribution through CAF's middleman: a `run` with serve_port >= 0 is the core node and
// publishes its directory (gateway, feed, executor) for `kis-engine node` processes. A link
// that leaves the machine is TLS with mutual certificate authentication: the three tls_ files
// (this node's certificate and key, and the cluster's CA; `kis-engine cert` makes them) go
// together, and a core that binds anything but loopback must have them.
struct cluster_section {
  int serve_port = -1;            // -1 = not served, 0 = ephemeral
  std::string bind = "127.0.0.1"; // "" or "0.0.0.0" = every interface (needs TLS)
  std::string tls_cert;           // PEM certificate of this node, signed by tls_ca
  std::string tls_key;            // its private key (mode 0600)
  std::string tls_ca;             // the cluster CA: peers must present a certificate it signed
  bool tls() const noexcept { return !tls_cert.empty(); }
};

struct engine_config {
  run_mode mode = run_mode::sim;
  bool confirm_live = false;
  std::chrono::milliseconds duration{60'000}; // 0 = until SIGINT/SIGTERM
  std::string log_level = "info";
  std::string log_file;
  std::string data_dir = ".kis-engine";
  std::string rest_url; // empty = the mode's default
  std::string ws_url;
  api::credentials cred;
  budget_section budget;
  sim_section sim;
  feed_section feed;
  analyzer_section analyzers;
  executor_section executor;
  metrics_section metrics;
  cluster_section cluster;
  recorder_section recorder;
  backtest_section backtest;
  std::string source_path; // the file it was read from; empty when not from a file
  sessions_section sessions;
  std::vector<strategy_entry> strategies;
  bool strategies_configured = false; // the file named strategies (even an empty list)
};

struct config_error {
  std::string key; // dotted path, e.g. "executor.queue_capacity"
  std::string message;
  std::string to_string() const;
};

using config_result = std::variant<engine_config, config_error>;

// Parse TOML text (source names the file for messages).
config_result parse_config(std::string_view toml_text, std::string_view source = "config");
config_result load_config_file(const std::string& path);

// KIS_APP_KEY, KIS_APP_SECRET, KIS_ACCOUNT (CANO-PRDT), KIS_HTS_ID, KIS_REST_URL, KIS_WS_URL.
using env_lookup = std::function<std::optional<std::string>(const char*)>;
std::optional<config_error> apply_env(engine_config& cfg, const env_lookup& env);
env_lookup process_env();

// Checks that need the final mode and flags: credentials for paper/live, --confirm-live for
// live, a budget that can work at the mode's rate, the cluster rules for a core
// (validate_cluster).
std::optional<config_error> validate(const engine_config& cfg);

// The REST budget the engine will run with: [budget] rate_limit, else KIS's figure for the
// environment the mode talks to (sim: the simulated one).
int effective_rate_limit(const engine_config& cfg);

// The KIS environment the mode talks to (sim: the simulated one, [sim] env).
api::environment run_environment(const engine_config& cfg);

// 127.0.0.0/8, ::1 and "localhost": addresses that never leave the machine.
bool is_loopback_host(std::string_view host) noexcept;

// The cluster keys on their own: the tls_ files all or none, readable, the key the
// certificate's and private to its owner, the certificate signed by the CA. `serving` adds the
// core's rule: a bind that is not loopback needs TLS. A node passes the core's host as `peer`:
// a core on another machine is reached over TLS only.
std::optional<config_error> validate_cluster(const cluster_section& c, bool serving,
                                             std::string_view peer = {});

// "12345678-01" -> account_no, account_product.
std::optional<config_error> parse_account(std::string_view text, api::credentials& cred);

} // namespace kis::runtime
