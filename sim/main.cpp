// kis-sim: run the KIS-compatible exchange on loopback until SIGINT/SIGTERM. Prints one JSON
// line once it listens, so a script or test can read the ports:
//   {"rest_url": "http://127.0.0.1:PORT", "ws_url": "ws://127.0.0.1:PORT"}
// Every fault switch of kis::sim::server is a flag (see README, "kis-sim, the simulator").
#include <charconv>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <optional>

#include <CLI/CLI.hpp>

#include "kis/kst.hpp"
#include "sim/server.hpp"
#include "sim/universe.hpp"

namespace {

// "250ms", "20s", "2m" or a bare number of milliseconds.
std::optional<std::chrono::milliseconds> parse_duration(const std::string& text) {
  std::int64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc{} || n < 0)
    return std::nullopt;
  const std::string_view unit{end, static_cast<std::size_t>(text.data() + text.size() - end)};
  if (unit.empty() || unit == "ms")
    return std::chrono::milliseconds{n};
  if (unit == "s")
    return std::chrono::seconds{n};
  if (unit == "m")
    return std::chrono::minutes{n};
  return std::nullopt;
}

// A duration flag: kept as text by CLI11, checked here so a typo is named.
struct duration_flag {
  std::string text;
  std::chrono::milliseconds* target;
  const char* name;
};

bool apply(const std::vector<duration_flag>& flags) {
  for (const auto& f : flags) {
    if (f.text.empty())
      continue;
    auto d = parse_duration(f.text);
    if (!d) {
      std::cerr << "kis-sim: " << f.name << ": expected a duration such as 250ms, 20s or 2m\n";
      return false;
    }
    *f.target = *d;
  }
  return true;
}

// --start and --session: the market clock's first instant and the calendar's settings.
bool apply_market_clock(const std::string& start, const std::vector<std::string>& settings,
                        kis::sim::options& opts) {
  if (!start.empty()) {
    auto at = kis::api::kst::parse_datetime(start);
    if (!at) {
      std::cerr << "kis-sim: --start: expected a KST time such as \"2026-12-01 19:30\"\n";
      return false;
    }
    opts.start_ns = *at;
  }
  std::vector<kis::sessions::setting> parsed;
  for (const auto& s : settings) {
    auto eq = s.find('=');
    if (eq == std::string::npos || eq == 0) {
      std::cerr << "kis-sim: --session: expected KEY=VALUE, e.g. krx.after_market=off\n";
      return false;
    }
    parsed.emplace_back(s.substr(0, eq), s.substr(eq + 1));
  }
  auto cal = kis::sessions::calendar_with_settings(opts.calendar, parsed);
  if (!cal) {
    std::cerr << "kis-sim: --session: " << cal.error().message << '\n';
    return false;
  }
  opts.calendar = std::move(*cal);
  return true;
}

} // namespace

namespace {

// What the server saw, as one JSON line on stdout when it stops (scripts read it).
void print_stats(std::ostream& out, const kis::sim::stats& st) {
  out << R"({"stats": {"http_requests": )" << st.http_requests << R"(, "max_calls_in_window": )"
      << st.max_calls_in_window << R"(, "rate_rejections": )" << st.rate_rejections
      << R"(, "token_issues": )" << st.token_issues << R"(, "orders_received": )"
      << st.orders_received << R"(, "orders_accepted": )" << st.orders_accepted << R"(, "fills": )"
      << st.fills << R"(, "calls_by_tr_id": {)";
  const char* sep = "";
  for (const auto& [tr, n] : st.calls_by_tr_id) {
    out << sep << '"' << tr << "\": " << n;
    sep = ", ";
  }
  out << "}}}" << std::endl;
}

// What the command line gives, before it is applied to the options.
struct cli_args {
  kis::sim::options opts;
  std::string env = "real";
  std::string account;
  std::string token_spacing;
  // --delay, --hold-for, --ping-interval, --ws-drop-every, --market-step, in this order.
  std::vector<duration_flag> durations;
  bool lenient = false;
  std::size_t book_fields = 0;
  bool single_record = false;
  std::string start;
  std::vector<std::string> session_settings;
  bool list_symbols = false;

  cli_args() {
    durations.push_back({{}, &opts.fault.delay, "--delay"});
    durations.push_back({{}, &opts.fault.hold_for, "--hold-for"});
    durations.push_back({{}, &opts.ws.ping_interval, "--ping-interval"});
    durations.push_back({{}, &opts.ws.drop_every, "--ws-drop-every"});
    durations.push_back({{}, &opts.market_step, "--market-step"});
  }
  cli_args(const cli_args&) = delete; // the durations point into opts
  cli_args& operator=(const cli_args&) = delete;
};

// The account, the REST side and its faults.
void add_rest_options(CLI::App& app, cli_args& a) {
  app.add_option("--env", a.env, "real or paper")->check(CLI::IsMember({"real", "paper"}));
  app.add_option("--rest-port", a.opts.rest_port, "REST port (0 = ephemeral)");
  app.add_option("--ws-port", a.opts.ws_port, "WebSocket port (0 = ephemeral)");
  app.add_option("--rate", a.opts.rate_limit, "REST calls per sliding second (0 = KIS: 18/1)");
  app.add_option("--seed", a.opts.seed, "market seed");
  app.add_option("--app-key", a.opts.cred.app_key, "app key to accept");
  app.add_option("--app-secret", a.opts.cred.app_secret, "app secret to accept");
  app.add_option("--account", a.account, "account as CANO-PRDT, e.g. 50000000-01");
  app.add_option("--hts-id", a.opts.cred.hts_id, "HTS id for execution notices");
  app.add_option("--cash", a.opts.initial_cash, "KRW on the account at start");

  // Faults on the REST side.
  app.add_option("--error-rate", a.opts.fault.error_rate,
                 "share of uapi calls answered EGW00001 (HTTP 500)")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--delay", a.durations[0].text, "added before every uapi answer, e.g. 150ms");
  app.add_option("--hold-rate", a.opts.fault.hold_rate,
                 "share of uapi calls executed at once but answered only after --hold-for")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--hold-for", a.durations[1].text, "how long a held answer waits (default 20s)");
  app.add_flag("--market-closed", a.opts.fault.market_closed,
               "orders get 40580000 (market closed)");
  app.add_option("--token-spacing", a.token_spacing, "tokenP answers at most once per this (60s)");
  app.add_flag("--lenient-inputs", a.lenient,
               "accept lower-case body keys and requests that leave documented parameters out");
}

// The real-time side.
void add_realtime_options(CLI::App& app, cli_args& a) {
  app.add_option("--book-fields", a.book_fields,
                 "H0STASP0 record width: 59 or 62 (default, as the live feed)")
      ->check(CLI::IsMember({59, 62}));
  app.add_option("--multi-record-share", a.opts.multi_record_share,
                 "share of printing steps that print several trades, sent in one frame (0.3)")
      ->check(CLI::Range(0.0, 1.0));
  app.add_flag("--single-record", a.single_record, "one trade per H0STCNT0 frame, never packed");
  app.add_option("--ping-interval", a.durations[2].text, "PINGPONG interval (default 10s)");
  app.add_option("--unanswered-pings", a.opts.ws.unanswered_pings_to_drop,
                 "unanswered pings before a session is dropped")
      ->check(CLI::PositiveNumber);
  app.add_option("--ws-drop-every", a.durations[3].text, "cut every WebSocket session this often");
  app.add_option("--max-registrations", a.opts.ws.max_registrations,
                 "registrations per app key (KIS: 41)");
  app.add_option("--market-step", a.durations[4].text, "one market step per symbol (250ms)");
}

// The market's clock and calendar.
void add_clock_options(CLI::App& app, cli_args& a) {
  app.add_option("--start", a.start,
                 "market clock starts at this KST time, \"YYYY-MM-DD HH:MM[:SS]\" (implies "
                 "--sessions)");
  app.add_option("--speed", a.opts.speed,
                 "market clock runs this many times faster (60: an hour "
                 "a minute)")
      ->check(CLI::PositiveNumber);
  app.add_flag("--sessions", a.opts.sessions,
               "venues trade in their sessions only, weekends and holidays shut (default: the "
               "market never closes)");
  app.add_option("--session", a.session_settings,
                 "a [sessions] setting KEY=VALUE, e.g. nxt.regular=09:00:30-15:20 (repeatable)");
  app.add_flag("--list-symbols", a.list_symbols,
               "print the simulated market's codes, one a line (largest first), and exit");
}

// The parsed flags into the options; false after saying what is wrong.
bool apply_args(cli_args& a) {
  a.opts.env = *kis::api::parse_environment(a.env);
  if (!a.account.empty()) {
    auto dash = a.account.find('-');
    if (dash != 8 || a.account.size() != 11) {
      std::cerr << "kis-sim: --account must look like 50000000-01\n";
      return false;
    }
    a.opts.cred.account_no = a.account.substr(0, dash);
    a.opts.cred.account_product = a.account.substr(dash + 1);
  }
  std::chrono::milliseconds spacing = a.opts.token_spacing;
  a.durations.push_back(
      {a.token_spacing, &spacing, "--token-spacing"}); // used at once: spacing is local
  if (!apply(a.durations))
    return false;
  a.opts.token_spacing = std::chrono::duration_cast<std::chrono::seconds>(spacing);
  if (a.book_fields != 0)
    a.opts.ws.wide_book = a.book_fields == 62;
  if (a.single_record)
    a.opts.ws.multi_record = false;
  a.opts.strict_params = !a.lenient;
  return true;
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"kis-sim: a KIS-compatible exchange on 127.0.0.1 (REST + WebSocket)"};
  cli_args a;
  add_rest_options(app, a);
  add_realtime_options(app, a);
  add_clock_options(app, a);
  CLI11_PARSE(app, argc, argv);
  if (a.list_symbols) {
    for (const auto& code : kis::sim::default_universe())
      std::cout << code << '\n';
    return 0;
  }
  if (!apply_market_clock(a.start, a.session_settings, a.opts) || !apply_args(a))
    return 2;
  auto& opts = a.opts;

  // Block the stop signals before any thread starts, then wait for one on this thread.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  kis::sim::server sim{opts};
  try {
    sim.start();
  } catch (const std::exception& e) {
    std::cerr << "kis-sim: cannot listen: " << e.what() << '\n';
    return 1;
  }
  std::cout << R"({"rest_url": ")" << sim.rest_url() << R"(", "ws_url": ")" << sim.ws_url() << "\"}"
            << std::endl;

  int sig = 0;
  sigwait(&stop_signals, &sig);
  sim.stop();
  print_stats(std::cout, sim.stats());
  return 0;
}
