#include "runtime/config.hpp"

#include <filesystem>
#include <cstdlib>
#include <fstream>
#include <utility>
#include <set>
#include <sstream>

#include <arpa/inet.h>
#include <netinet/in.h>

#include "runtime/certificates.hpp"
#include "kis/kst.hpp"
#include "kis/venues.hpp"
#include "runtime/duration.hpp"

namespace kis::runtime {

std::string config_error::to_string() const {
  return key.empty() ? message : key + ": " + message;
}

config_result load_config_file(const std::string& path) {
  std::ifstream in{path, std::ios::binary};
  if (!in)
    return config_error{"--config", "cannot read \"" + path + "\""};
  std::ostringstream os;
  os << in.rdbuf();
  auto r = parse_config(os.str(), path);
  // A Python strategy's file is found next to the config that names it, wherever the engine
  // runs from (the strategy host process it starts included).
  if (auto* cfg = std::get_if<engine_config>(&r)) {
    cfg->source_path = path;
    auto dir = std::filesystem::path{path}.parent_path();
    for (auto& st : cfg->strategies)
      if (!st.file.empty() && st.file.ends_with(".py") &&
          std::filesystem::path{st.file}.is_relative())
        st.file = (dir / st.file).lexically_normal().string();
  }
  return r;
}

std::optional<config_error> parse_account(std::string_view text, api::credentials& cred) {
  auto dash = text.find('-');
  auto digits = [](std::string_view s) {
    return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
  };
  if (dash == std::string_view::npos || dash != 8 || text.size() != 11 ||
      !digits(text.substr(0, 8)) || !digits(text.substr(9)))
    return config_error{"KIS_ACCOUNT",
                        "expected CANO-PRDT, 8 digits, a dash, 2 digits (e.g. 50000000-01)"};
  cred.account_no = std::string{text.substr(0, 8)};
  cred.account_product = std::string{text.substr(9)};
  return std::nullopt;
}

std::optional<config_error> apply_env(engine_config& cfg, const env_lookup& env) {
  if (auto v = env("KIS_APP_KEY"))
    cfg.cred.app_key = *v;
  if (auto v = env("KIS_APP_SECRET"))
    cfg.cred.app_secret = *v;
  if (auto v = env("KIS_HTS_ID"))
    cfg.cred.hts_id = *v;
  if (auto v = env("KIS_REST_URL"))
    cfg.rest_url = *v;
  if (auto v = env("KIS_WS_URL"))
    cfg.ws_url = *v;
  if (auto v = env("KIS_ACCOUNT"))
    if (auto e = parse_account(*v, cfg.cred))
      return e;
  return std::nullopt;
}

env_lookup process_env() {
  return [](const char* name) -> std::optional<std::string> {
    if (const char* v = std::getenv(name); v != nullptr && *v != '\0')
      return std::string{v};
    return std::nullopt;
  };
}

api::environment run_environment(const engine_config& cfg) {
  return cfg.mode == run_mode::live ? api::environment::real
         : cfg.mode == run_mode::paper
             ? api::environment::paper
             : api::parse_environment(cfg.sim.env).value_or(api::environment::real);
}

int effective_rate_limit(const engine_config& cfg) {
  if (cfg.budget.rate_limit > 0)
    return cfg.budget.rate_limit;
  const auto env = run_environment(cfg);
  if (cfg.mode == run_mode::sim && cfg.sim.rate_limit > 0)
    return cfg.sim.rate_limit;
  return api::default_rate_limit(env);
}

namespace {

// The budget keys that cannot work, whatever the mode, each with what would.
std::optional<config_error> validate_budget(const engine_config& cfg) {
  const auto& b = cfg.budget;
  using std::chrono::milliseconds;
  if (b.rate_limit < 0 || b.rate_limit > 64)
    return config_error{"budget.rate_limit",
                        "must be 0 (KIS's figure: 18 real, 1 paper) or 1..64 calls per second"};
  if (b.safety_margin < milliseconds{0} || b.safety_margin > milliseconds{250})
    return config_error{"budget.safety_margin",
                        "must lie in 0..250ms: it is added to every sliding second, so a larger "
                        "margin wastes the budget without making it safer (10ms is the default)"};
  if (b.order_reserve < 0)
    return config_error{"budget.order_reserve", "must not be negative (0 = orders only go first)"};
  if (b.leave_within < milliseconds{50} || b.leave_within > milliseconds{5000})
    return config_error{
        "budget.leave_within",
        "must lie in 50ms..5s: shorter gives permits back before a new TLS "
        "connection is up, longer lets a stalled pool hold permits (500ms default)"};
  if (b.max_in_flight != 0 && b.max_in_flight < 2)
    return config_error{"budget.max_in_flight",
                        "must be 0 (twice the rate) or at least 2: one lane stays free for orders"};
  if (!(b.poll_share > 0 && b.poll_share <= 1))
    return config_error{"budget.poll_share", "must lie in (0, 1], e.g. 0.5"};
  if (b.query_retries < 0 || b.query_retries > 10)
    return config_error{"budget.query_retries", "must lie in 0..10"};
  return std::nullopt;
}

} // namespace

bool is_loopback_host(std::string_view host) noexcept {
  if (host == "localhost" || host == "::1" || host == "[::1]")
    return true;
  std::string text{host};
  in_addr v4{};
  return ::inet_pton(AF_INET, text.c_str(), &v4) == 1 && (ntohl(v4.s_addr) >> 24) == 127;
}

std::optional<config_error> validate_cluster(const cluster_section& c, bool serving,
                                             std::string_view peer) {
  const int given = !c.tls_cert.empty() + !c.tls_key.empty() + !c.tls_ca.empty();
  if (given != 0 && given != 3)
    return config_error{c.tls_cert.empty()  ? "cluster.tls_cert"
                        : c.tls_key.empty() ? "cluster.tls_key"
                                            : "cluster.tls_ca",
                        "tls_cert, tls_key and tls_ca go together (kis-engine cert makes them)"};
  if (c.tls()) {
    if (auto bad = check_tls_files(c.tls_cert, c.tls_key, c.tls_ca))
      return config_error{"cluster.tls_" + bad->which, bad->message};
    return std::nullopt;
  }
  if (serving && !is_loopback_host(c.bind))
    return config_error{
        "cluster.bind",
        "\"" + c.bind +
            "\" is not a loopback address: a link that leaves the machine must be "
            "TLS with certificates (set cluster.tls_cert, tls_key and tls_ca; `kis-engine cert` "
            "makes them), or keep bind = \"127.0.0.1\""};
  if (!peer.empty() && !is_loopback_host(peer))
    return config_error{"cluster.tls_cert",
                        "the core at " + std::string{peer} +
                            " is not on this machine: the link must be TLS (set cluster.tls_cert, "
                            "tls_key and tls_ca; `kis-engine cert` makes them)"};
  return std::nullopt;
}

std::optional<config_error> validate(const engine_config& cfg) {
  if (auto e = validate_budget(cfg))
    return e;
  if (cfg.cluster.serve_port >= 0)
    if (auto e = validate_cluster(cfg.cluster, true))
      return e;
  if (cfg.mode == run_mode::live && !cfg.confirm_live)
    return config_error{"--confirm-live",
                        "live mode sends real orders with real money: pass both --mode live and "
                        "--confirm-live"};
  if (cfg.mode == run_mode::sim)
    return std::nullopt;
  if (cfg.cred.app_key.empty())
    return config_error{"kis.app_key", "missing credential for " +
                                           std::string{to_string_view(cfg.mode)} +
                                           " mode (set KIS_APP_KEY)"};
  if (cfg.cred.app_secret.empty())
    return config_error{"kis.app_secret", "missing credential for " +
                                              std::string{to_string_view(cfg.mode)} +
                                              " mode (set KIS_APP_SECRET)"};
  if (cfg.cred.account_no.empty())
    return config_error{"kis.account", "missing account for " +
                                           std::string{to_string_view(cfg.mode)} +
                                           " mode (set KIS_ACCOUNT as CANO-PRDT)"};
  return std::nullopt;
}

} // namespace kis::runtime
