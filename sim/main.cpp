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

} // namespace

int main(int argc, char** argv) {
  kis::sim::options opts;
  CLI::App app{"kis-sim: a KIS-compatible exchange on 127.0.0.1 (REST + WebSocket)"};
  std::string env = "real", account;
  app.add_option("--env", env, "real or paper")->check(CLI::IsMember({"real", "paper"}));
  app.add_option("--rest-port", opts.rest_port, "REST port (0 = ephemeral)");
  app.add_option("--ws-port", opts.ws_port, "WebSocket port (0 = ephemeral)");
  app.add_option("--rate", opts.rate_limit, "REST calls per sliding second (0 = KIS: 18/1)");
  app.add_option("--seed", opts.seed, "market seed");
  app.add_option("--app-key", opts.cred.app_key, "app key to accept");
  app.add_option("--app-secret", opts.cred.app_secret, "app secret to accept");
  app.add_option("--account", account, "account as CANO-PRDT, e.g. 50000000-01");
  app.add_option("--hts-id", opts.cred.hts_id, "HTS id for execution notices");
  app.add_option("--cash", opts.initial_cash, "KRW on the account at start");

  // Faults on the REST side.
  auto& f = opts.fault;
  std::vector<duration_flag> durations;
  durations.push_back({{}, &f.delay, "--delay"});
  durations.push_back({{}, &f.hold_for, "--hold-for"});
  durations.push_back({{}, &opts.ws.ping_interval, "--ping-interval"});
  durations.push_back({{}, &opts.ws.drop_every, "--ws-drop-every"});
  durations.push_back({{}, &opts.market_step, "--market-step"});
  std::string token_spacing;
  app.add_option("--error-rate", f.error_rate, "share of uapi calls answered EGW00001 (HTTP 500)")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--delay", durations[0].text, "added before every uapi answer, e.g. 150ms");
  app.add_option("--hold-rate", f.hold_rate,
                 "share of uapi calls executed at once but answered only after --hold-for")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--hold-for", durations[1].text, "how long a held answer waits (default 20s)");
  app.add_flag("--market-closed", f.market_closed, "orders get 40580000 (market closed)");
  app.add_option("--token-spacing", token_spacing, "tokenP answers at most once per this (60s)");
  bool lenient = false;
  app.add_flag("--lenient-inputs", lenient,
               "accept lower-case body keys and requests that leave documented parameters out");

  // The real-time side.
  std::size_t book_fields = 0;
  bool single_record = false;
  app.add_option("--book-fields", book_fields,
                 "H0STASP0 record width: 59 or 62 (default, as the live feed)")
      ->check(CLI::IsMember({59, 62}));
  app.add_option("--multi-record-share", opts.multi_record_share,
                 "share of printing steps that print several trades, sent in one frame (0.3)")
      ->check(CLI::Range(0.0, 1.0));
  app.add_flag("--single-record", single_record, "one trade per H0STCNT0 frame, never packed");
  app.add_option("--ping-interval", durations[2].text, "PINGPONG interval (default 10s)");
  app.add_option("--unanswered-pings", opts.ws.unanswered_pings_to_drop,
                 "unanswered pings before a session is dropped")
      ->check(CLI::PositiveNumber);
  app.add_option("--ws-drop-every", durations[3].text, "cut every WebSocket session this often");
  app.add_option("--max-registrations", opts.ws.max_registrations,
                 "registrations per app key (KIS: 41)");
  app.add_option("--market-step", durations[4].text, "one market step per symbol (250ms)");

  // The market's clock and calendar.
  std::string start;
  std::vector<std::string> session_settings;
  app.add_option("--start", start,
                 "market clock starts at this KST time, \"YYYY-MM-DD HH:MM[:SS]\" (implies "
                 "--sessions)");
  app.add_option("--speed", opts.speed,
                 "market clock runs this many times faster (60: an hour "
                 "a minute)")
      ->check(CLI::PositiveNumber);
  app.add_flag("--sessions", opts.sessions,
               "venues trade in their sessions only, weekends and holidays shut (default: the "
               "market never closes)");
  app.add_option("--session", session_settings,
                 "a [sessions] setting KEY=VALUE, e.g. nxt.regular=09:00:30-15:20 (repeatable)");
  bool list_symbols = false;
  app.add_flag("--list-symbols", list_symbols,
               "print the simulated market's codes, one a line (largest first), and exit");
  CLI11_PARSE(app, argc, argv);
  if (list_symbols) {
    for (const auto& code : kis::sim::default_universe())
      std::cout << code << '\n';
    return 0;
  }
  if (!apply_market_clock(start, session_settings, opts))
    return 2;

  opts.env = *kis::api::parse_environment(env);
  if (!account.empty()) {
    auto dash = account.find('-');
    if (dash != 8 || account.size() != 11) {
      std::cerr << "kis-sim: --account must look like 50000000-01\n";
      return 2;
    }
    opts.cred.account_no = account.substr(0, dash);
    opts.cred.account_product = account.substr(dash + 1);
  }
  std::chrono::milliseconds spacing = opts.token_spacing;
  durations.push_back({token_spacing, &spacing, "--token-spacing"});
  if (!apply(durations))
    return 2;
  opts.token_spacing = std::chrono::duration_cast<std::chrono::seconds>(spacing);
  if (book_fields != 0)
    opts.ws.wide_book = book_fields == 62;
  if (single_record)
    opts.ws.multi_record = false;
  opts.strict_params = !lenient;

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
