// parse_config (runtime/config.hpp): the TOML text read with toml++ (only this file includes it: it
// is slow to compile) into an engine_config, every key typed and every unknown key an error
// naming it.
#include "runtime/config.hpp"

#include <algorithm>
#include <filesystem>
#include <initializer_list>
#include <set>
#include <sstream>
#include <string>

#include <toml++/toml.h>

#include "kis/kst.hpp"
#include "kis/venues.hpp"
#include "runtime/duration.hpp"

namespace kis::runtime {

namespace {

// Reads the keys of one TOML table into typed fields, remembering which keys it knew, so that
// anything left over is reported as unknown (a misspelt key must never be silently ignored).
class table_reader {
public:
  table_reader(const toml::table* t, std::string prefix, std::optional<config_error>& err)
      : table_(t)
      , prefix_(std::move(prefix))
      , err_(err) {}

  template <class T>
  void read(std::string_view key, T& out) {
    known_.insert(std::string{key});
    if (err_ || table_ == nullptr)
      return;
    if (const auto* node = table_->get(key))
      convert(*node, path(key), out);
  }

  const toml::node* raw(std::string_view key) {
    known_.insert(std::string{key});
    return table_ ? table_->get(key) : nullptr;
  }

  void finish() {
    if (err_ || table_ == nullptr)
      return;
    for (auto&& [k, v] : *table_) {
      if (!known_.contains(std::string{k.str()})) {
        fail(path(k.str()), "unknown key (see config/engine.example.toml for the keys)");
        return;
      }
    }
  }

  std::string path(std::string_view key) const {
    return prefix_.empty() ? std::string{key} : prefix_ + "." + std::string{key};
  }

  void fail(std::string key, std::string message) {
    if (!err_)
      err_ = config_error{std::move(key), std::move(message)};
  }

  // A key whose value must be one of a few words: 'expected "a", "b" or "c"' otherwise.
  void expect_one_of(std::string_view key, const std::string& value,
                     std::initializer_list<std::string_view> choices) {
    if (err_ || std::find(choices.begin(), choices.end(), value) != choices.end())
      return;
    std::string list;
    std::size_t i = 0;
    for (auto c : choices) {
      list += i == 0 ? "" : i + 1 == choices.size() ? " or " : ", ";
      list += "\"" + std::string{c} + "\"";
      ++i;
    }
    fail(path(key), "expected " + list);
  }

private:
  void convert(const toml::node& n, const std::string& key, std::string& out) {
    if (auto v = n.value_exact<std::string>())
      out = *v;
    else
      fail(key, "expected a string");
  }
  void convert(const toml::node& n, const std::string& key, bool& out) {
    if (auto v = n.value_exact<bool>())
      out = *v;
    else
      fail(key, "expected true or false");
  }
  void convert(const toml::node& n, const std::string& key, double& out) {
    if (auto v = n.value<double>(); v && (n.is_floating_point() || n.is_integer()))
      out = *v;
    else
      fail(key, "expected a number");
  }
  template <class Int>
  requires std::is_integral_v<Int>
  void convert(const toml::node& n, const std::string& key, Int& out) {
    auto v = n.value_exact<std::int64_t>();
    if (!v) {
      fail(key, "expected an integer");
      return;
    }
    if (!std::in_range<Int>(*v)) {
      fail(key, "integer out of range");
      return;
    }
    out = static_cast<Int>(*v);
  }
  void convert(const toml::node& n, const std::string& key, std::chrono::milliseconds& out) {
    auto v = n.value_exact<std::string>();
    if (!v) {
      fail(key, "expected a duration string such as \"500ms\", \"30s\", \"5m\"");
      return;
    }
    if (auto d = parse_duration(*v))
      out = *d;
    else
      fail(key, "malformed duration \"" + *v + "\" (use e.g. \"500ms\", \"30s\", \"5m\", \"1h\")");
  }
  void convert(const toml::node& n, const std::string& key, std::vector<std::string>& out) {
    const auto* arr = n.as_array();
    if (!arr) {
      fail(key, "expected an array of strings");
      return;
    }
    out.clear();
    for (const auto& item : *arr) {
      auto v = item.value_exact<std::string>();
      if (!v) {
        fail(key, "expected an array of strings");
        return;
      }
      out.push_back(*v);
    }
  }

  const toml::table* table_;
  std::string prefix_;
  std::optional<config_error>& err_;
  std::set<std::string> known_;
};

const toml::table* sub_table(table_reader& top, const toml::table& root, std::string_view name,
                             std::optional<config_error>& err) {
  const auto* node = top.raw(name);
  if (node == nullptr)
    return nullptr;
  if (!node->is_table()) {
    if (!err)
      err = config_error{std::string{name}, "expected a table ([" + std::string{name} + "])"};
    return nullptr;
  }
  (void)root;
  return node->as_table();
}

// "strategies/my_strategy.py" -> "my_strategy", "pkg.mod" -> "mod".
std::string python_strategy_name(const std::string& file) {
  if (file.ends_with(".py") || file.find('/') != std::string::npos)
    return std::filesystem::path{file}.stem().string();
  auto dot = file.rfind('.');
  return dot == std::string::npos ? file : file.substr(dot + 1);
}

void read_strategy(const toml::table& t, const std::string& prefix, strategy_entry& s,
                   std::optional<config_error>& err) {
  table_reader r{&t, prefix, err};
  r.read("name", s.name);
  r.read("id", s.id);
  r.read("file", s.file);
  r.read("class", s.class_name);
  r.read("symbols", s.symbols);
  r.read("enabled", s.enabled);
  std::string venue_name;
  r.read("venue", venue_name);
  if (auto v = parse_venue_name(venue_name))
    s.default_venue = *v;
  else if (!err)
    err = config_error{prefix + ".venue", "expected \"krx\", \"nxt\" or \"sor\""};
  if (const auto* trade = r.raw("trade")) {
    if (auto v = trade->value_exact<bool>())
      s.trade = *v;
    else if (!err)
      err = config_error{prefix + ".trade", "expected true or false"};
  }
  if (const auto* p = r.raw("params")) {
    if (const auto* pt = p->as_table()) {
      for (auto&& [k, v] : *pt) {
        std::string key{k.str()};
        if (auto i = v.value_exact<std::int64_t>())
          s.params[key] = *i;
        else if (auto d = v.value_exact<double>())
          s.params[key] = *d;
        else if (auto b = v.value_exact<bool>())
          s.params[key] = *b;
        else if (auto str = v.value_exact<std::string>())
          s.params[key] = *str;
        else if (!err)
          err = config_error{prefix + ".params." + key,
                             "expected an integer, number, bool or string"};
      }
    } else if (!err) {
      err = config_error{prefix + ".params", "expected a table of parameters"};
    }
  }
  r.finish();
  if (s.name.empty() && !s.file.empty())
    s.name = python_strategy_name(s.file);
  if (!err && s.name.empty())
    err = config_error{prefix + ".name",
                       "missing: every [[strategy]] needs a name (or a Python file)"};
  if (!err && !s.class_name.empty() && s.file.empty())
    err = config_error{prefix + ".class", "only a Python strategy (file = ...) names a class"};
  if (s.id.empty())
    s.id = s.name;
}

// [sessions]: enforce (a bool) and the calendar's settings, each leaf's dotted path a key and
// its value a string (an array of strings joined with commas), as docs/sessions.md says.
void flatten_sessions(const toml::table& t, const std::string& prefix, sessions_section& out,
                      std::optional<config_error>& err) {
  for (auto&& [k, v] : t) {
    const auto key = prefix.empty() ? std::string{k.str()} : prefix + "." + std::string{k.str()};
    if (key == "enforce") {
      if (auto b = v.value_exact<bool>())
        out.enforce = *b;
      else if (!err)
        err = config_error{"sessions.enforce", "expected true or false"};
    } else if (const auto* sub = v.as_table()) {
      flatten_sessions(*sub, key, out, err);
    } else if (const auto* arr = v.as_array()) {
      std::string joined;
      for (auto&& item : *arr)
        joined += (joined.empty() ? "" : ",") + item.value_or(std::string{});
      out.settings.emplace_back(key, joined);
    } else if (auto s = v.value_exact<std::string>()) {
      out.settings.emplace_back(key, *s);
    } else if (!err) {
      err = config_error{"sessions." + key, "expected a string or an array of strings"};
    }
  }
}

void read_sessions(table_reader& top, const toml::table& root, sessions_section& out,
                   std::optional<config_error>& err) {
  const auto* t = sub_table(top, root, "sessions", err);
  if (t == nullptr || err)
    return;
  flatten_sessions(*t, "", out, err);
  if (err)
    return;
  if (auto cal = sessions_calendar(out); !cal)
    err = config_error{"sessions", cal.error().message};
}

void read_kis(table_reader& top, const toml::table& root, engine_config& cfg,
              std::optional<config_error>& err) {
  table_reader r{sub_table(top, root, "kis", err), "kis", err};
  r.read("rest_url", cfg.rest_url);
  r.read("ws_url", cfg.ws_url);
  r.read("app_key", cfg.cred.app_key);
  r.read("app_secret", cfg.cred.app_secret);
  std::string account;
  r.read("account", account);
  r.read("hts_id", cfg.cred.hts_id);
  r.read("custtype", cfg.cred.custtype);
  r.finish();
  if (!err && !account.empty())
    if (auto e = parse_account(account, cfg.cred))
      err = config_error{"kis.account", e->message};
}

void read_budget(table_reader& top, const toml::table& root, engine_config& cfg,
                 std::optional<config_error>& err) {
  table_reader r{sub_table(top, root, "budget", err), "budget", err};
  r.read("rate_limit", cfg.budget.rate_limit);
  r.read("safety_margin", cfg.budget.safety_margin);
  r.read("order_reserve", cfg.budget.order_reserve);
  r.read("quote_cache_ttl", cfg.budget.quote_cache_ttl);
  r.read("query_retries", cfg.budget.query_retries);
  r.read("leave_within", cfg.budget.leave_within);
  r.read("max_in_flight", cfg.budget.max_in_flight);
  r.read("poll_share", cfg.budget.poll_share);
  r.finish();
}

void read_sim(table_reader& top, const toml::table& root, engine_config& cfg,
              std::optional<config_error>& err) {
  table_reader r{sub_table(top, root, "sim", err), "sim", err};
  r.read("seed", cfg.sim.seed);
  r.read("rate_limit", cfg.sim.rate_limit);
  r.read("env", cfg.sim.env);
  r.read("fault_profile", cfg.sim.fault_profile);
  r.read("start", cfg.sim.start);
  r.read("speed", cfg.sim.speed);
  r.finish();
  if (!err && !api::parse_environment(cfg.sim.env))
    err = config_error{"sim.env", "expected \"real\" or \"paper\""};
  if (!err && !cfg.sim.start.empty() && !api::kst::parse_datetime(cfg.sim.start))
    err = config_error{"sim.start", "expected a KST time \"YYYY-MM-DD HH:MM[:SS]\""};
  if (!err && !(cfg.sim.speed > 0 && cfg.sim.speed <= 3600))
    err = config_error{"sim.speed", "must be above 0 and at most 3600"};
}

void read_feed(table_reader& top, const toml::table& root, engine_config& cfg,
               std::optional<config_error>& err) {
  table_reader r{sub_table(top, root, "feed", err), "feed", err};
  r.read("enabled", cfg.feed.enabled);
  r.read("max_registrations", cfg.feed.max_registrations);
  r.read("silence_timeout", cfg.feed.silence_timeout);
  r.read("path", cfg.feed.path);
  r.read("rerank_interval", cfg.feed.rerank_interval);
  r.finish();
  if (!err && (cfg.feed.max_registrations < 1 || cfg.feed.max_registrations > 41))
    err = config_error{"feed.max_registrations", "must be between 1 and 41 (KIS's cap)"};
}

void read_analyzers(table_reader& top, const toml::table& root, engine_config& cfg,
                    std::optional<config_error>& err) {
  table_reader r{sub_table(top, root, "analyzers", err), "analyzers", err};
  r.read("count", cfg.analyzers.count);
  r.read("symbol_count", cfg.analyzers.symbol_count);
  r.read("symbols", cfg.analyzers.symbols);
  r.read("poll_interval", cfg.analyzers.poll_interval);
  r.read("bar_seconds", cfg.analyzers.bar_seconds);
  r.read("history_days", cfg.analyzers.history_days);
  r.read("market", cfg.analyzers.market);
  if (const auto* node = r.raw("markets"); node && !err) {
    if (const auto* t = node->as_table()) {
      for (auto&& [symbol, code] : *t) {
        auto value = code.value<std::string>();
        if (!value) {
          r.fail("analyzers.markets." + std::string{symbol.str()}, "expected a string");
          break;
        }
        cfg.analyzers.markets[std::string{symbol.str()}] = *value;
      }
    } else {
      r.fail("analyzers.markets", "expected a table of symbol = \"J\" | \"NX\" | \"UN\"");
    }
  }
  r.finish();
  if (!err && cfg.analyzers.count < 1)
    err = config_error{"analyzers.count", "must be at least 1"};
  auto check_market = [&err](const std::string& key, const std::string& code) {
    if (!err && !api::parse_market_div_code(code))
      err = config_error{key, "expected \"J\", \"NX\" or \"UN\""};
  };
  check_market("analyzers.market", cfg.analyzers.market);
  for (const auto& [symbol, code] : cfg.analyzers.markets)
    check_market("analyzers.markets." + symbol, code);
}

void read_executor(table_reader& top, const toml::table& root, engine_config& cfg,
                   std::optional<config_error>& err) {
  table_reader r{sub_table(top, root, "executor", err), "executor", err};
  auto& e = cfg.executor;
  r.read("queue_capacity", e.queue_capacity);
  r.read("journal", e.journal);
  r.read("max_order_qty", e.max_order_qty);
  r.read("max_order_notional", e.max_order_notional);
  r.read("max_position_qty", e.max_position_qty);
  r.read("daily_loss_limit", e.daily_loss_limit);
  r.read("price_collar_pct", e.price_collar_pct);
  r.read("dedup_window", e.dedup_window);
  r.read("check_buyable", e.check_buyable);
  r.read("drain", e.drain);
  r.finish();
  r.expect_one_of("drain", e.drain, {"cancel", "finish"});
  if (!err && e.queue_capacity == 0)
    err = config_error{"executor.queue_capacity", "must be at least 1"};
}

void read_metrics(table_reader& top, const toml::table& root, engine_config& cfg,
                  std::optional<config_error>& err) {
  table_reader r{sub_table(top, root, "metrics", err), "metrics", err};
  auto& m = cfg.metrics;
  r.read("port", m.port);
  r.read("interval", m.interval);
  r.read("warn_cpu_pct", m.warn_cpu_pct);
  r.read("warn_rss_pct", m.warn_rss_pct);
  r.read("warn_mailbox_depth", m.warn_mailbox_depth);
  r.read("warn_queue_depth", m.warn_queue_depth);
  r.read("warn_token_left", m.warn_token_left);
  r.read("warn_feed_silence", m.warn_feed_silence);
  r.finish();
  if (!err && (m.port < -1 || m.port > 65535))
    err = config_error{"metrics.port", "expected -1 (off), 0 (any) or a port number"};
}

void read_cluster(table_reader& top, const toml::table& root, engine_config& cfg,
                  std::optional<config_error>& err) {
  table_reader r{sub_table(top, root, "cluster", err), "cluster", err};
  r.read("serve_port", cfg.cluster.serve_port);
  r.read("bind", cfg.cluster.bind);
  r.read("tls_cert", cfg.cluster.tls_cert);
  r.read("tls_key", cfg.cluster.tls_key);
  r.read("tls_ca", cfg.cluster.tls_ca);
  r.finish();
  if (!err && (cfg.cluster.serve_port < -1 || cfg.cluster.serve_port > 65535))
    err = config_error{"cluster.serve_port", "expected -1 (off), 0 (any) or a port number"};
}

void read_recorder(table_reader& top, const toml::table& root, engine_config& cfg,
                   std::optional<config_error>& err) {
  table_reader r{sub_table(top, root, "recorder", err), "recorder", err};
  auto& rc = cfg.recorder;
  r.read("enabled", rc.enabled);
  r.read("path", rc.path);
  r.read("segment_mb", rc.segment_mb);
  r.read("chunk_kb", rc.chunk_kb);
  r.read("flush_interval", rc.flush_interval);
  r.read("zstd_level", rc.zstd_level);
  r.read("queue_limit", rc.queue_limit);
  r.read("max_total_mb", rc.max_total_mb);
  r.finish();
  r.expect_one_of("enabled", rc.enabled, {"auto", "on", "off"});
  if (!err && (rc.segment_mb < 1 || rc.chunk_kb < 1 || rc.queue_limit < 1 || rc.max_total_mb < 0))
    err = config_error{"recorder", "sizes must be positive (max_total_mb: 0 = no limit)"};
}

void read_backtest(table_reader& top, const toml::table& root, engine_config& cfg,
                   std::optional<config_error>& err) {
  table_reader r{sub_table(top, root, "backtest", err), "backtest", err};
  auto& b = cfg.backtest;
  r.read("commission_pct", b.commission_pct);
  r.read("sell_tax_pct", b.sell_tax_pct);
  r.read("slippage_ticks", b.slippage_ticks);
  r.read("initial_cash", b.initial_cash);
  r.read("session_rules", b.session_rules);
  r.read("mark_every", b.mark_every);
  r.finish();
  r.expect_one_of("session_rules", b.session_rules, {"auto", "krx", "none"});
  if (!err &&
      (b.commission_pct < 0 || b.sell_tax_pct < 0 || b.slippage_ticks < 0 || b.initial_cash <= 0))
    err = config_error{"backtest", "costs must not be negative, initial_cash must be positive"};
}

// [[strategy]] tables, in order.
void read_strategies(table_reader& top, engine_config& cfg, std::optional<config_error>& err) {
  const auto* node = top.raw("strategy");
  if (node == nullptr || err)
    return;
  cfg.strategies_configured = true;
  const auto* arr = node->as_array();
  if (arr == nullptr) {
    err = config_error{"strategy", "expected [[strategy]] tables"};
    return;
  }
  std::size_t i = 0;
  for (const auto& item : *arr) {
    auto prefix = "strategy[" + std::to_string(i++) + "]";
    if (const auto* t = item.as_table()) {
      strategy_entry s;
      read_strategy(*t, prefix, s, err);
      cfg.strategies.push_back(std::move(s));
    } else if (!err) {
      err = config_error{prefix, "expected a [[strategy]] table"};
    }
  }
}

config_result read_config(const toml::table& root) {
  engine_config cfg;
  std::optional<config_error> err;
  table_reader top{&root, "", err};
  std::string mode = std::string{to_string_view(cfg.mode)};
  top.read("mode", mode);
  top.read("duration", cfg.duration);
  top.read("log_level", cfg.log_level);
  top.read("log_file", cfg.log_file);
  top.read("data_dir", cfg.data_dir);
  if (!err) {
    if (auto m = parse_mode(mode))
      cfg.mode = *m;
    else
      err = config_error{"mode", "expected \"sim\", \"paper\" or \"live\", got \"" + mode + "\""};
  }

  read_kis(top, root, cfg, err);
  read_budget(top, root, cfg, err);
  read_sim(top, root, cfg, err);
  read_feed(top, root, cfg, err);
  read_analyzers(top, root, cfg, err);
  read_executor(top, root, cfg, err);
  read_metrics(top, root, cfg, err);
  read_cluster(top, root, cfg, err);
  read_recorder(top, root, cfg, err);
  read_backtest(top, root, cfg, err);
  read_sessions(top, root, cfg.sessions, err);
  read_strategies(top, cfg, err);
  top.finish();
  if (err)
    return *err;
  return cfg;
}

} // namespace

config_result parse_config(std::string_view toml_text, std::string_view source) {
  toml::table root;
  try {
    root = toml::parse(toml_text, source);
  } catch (const toml::parse_error& e) {
    std::ostringstream os;
    os << "TOML syntax error at line " << e.source().begin.line << ", column "
       << e.source().begin.column << ": " << e.description();
    return config_error{"", os.str()};
  }
  return read_config(root);
}

} // namespace kis::runtime
