#include "runtime/replay_command.hpp"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <iostream>
#include <map>
#include <sstream>

#include <boost/json/parse.hpp>

#include "kis/kst.hpp"
#include "runtime/duration.hpp"
#include "runtime/logging.hpp"

namespace kis::runtime {

namespace {

namespace fs = std::filesystem;

std::vector<std::string> split_symbols(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    auto comma = text.find(',');
    auto one = text.substr(0, comma);
    while (!one.empty() && one.front() == ' ')
      one.remove_prefix(1);
    while (!one.empty() && one.back() == ' ')
      one.remove_suffix(1);
    if (!one.empty() && std::find(out.begin(), out.end(), one) == out.end())
      out.emplace_back(one);
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
  }
  return out;
}

// "HH:MM" or "HH:MM:SS" -> "HHMMSS"; "" when malformed.
std::string hhmmss(std::string_view t) {
  if (t.size() != 5 && t.size() != 8)
    return {};
  if (t[2] != ':' || (t.size() == 8 && t[5] != ':'))
    return {};
  std::string out{t.substr(0, 2)};
  out += t.substr(3, 2);
  out += t.size() == 8 ? std::string{t.substr(6, 2)} : std::string{"00"};
  return out;
}

std::string local_stamp() {
  auto t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%d-%H%M%S", &tm);
  return buf;
}

} // namespace

api::result<recorded_run> read_recorded_run(const fs::path& recording) {
  auto src = open_recording(recording, {});
  if (!src)
    return std::move(src).error();
  recorded_run run;
  rec::record r;
  if (!(*src)->next(r))
    return api::make_api_error(errc::io, "replay: \"" + recording.string() + "\" holds no records");
  run.first_ns = r.recv_ns;
  for (int i = 0; i < 64; ++i) {
    if (r.src == rec::source::marker) {
      boost::system::error_code ec;
      auto v = boost::json::parse(r.text, ec);
      if (!ec && v.is_object()) {
        const auto& o = v.as_object();
        if (const auto* m = o.if_contains("mode"); m && m->is_string())
          run.mode = std::string{m->as_string()};
        if (const auto* e = o.if_contains("env"); e && e->is_string())
          if (auto env = api::parse_environment(std::string{e->as_string()}))
            run.env = *env;
        if (const auto* s = o.if_contains("symbols"); s && s->is_array())
          for (const auto& x : s->as_array())
            if (x.is_string())
              run.symbols.emplace_back(x.as_string());
      }
      break;
    }
    if (!(*src)->next(r))
      break;
  }
  return run;
}

std::optional<std::int64_t> parse_replay_time(std::string_view text, std::int32_t day) {
  if (text.size() >= 8 && text.find(':') != 2) { // YYYYMMDD[-HH:MM[:SS]]
    auto date = text.substr(0, 8);
    std::string time = "000000";
    if (text.size() > 8) {
      if (text[8] != '-')
        return std::nullopt;
      time = hhmmss(text.substr(9));
      if (time.empty())
        return std::nullopt;
    }
    auto ns = api::kst::parse_date_time(date, time);
    return ns ? std::optional<std::int64_t>{*ns} : std::nullopt;
  }
  auto time = hhmmss(text);
  if (time.empty())
    return std::nullopt;
  auto ns = api::kst::parse_date_time(api::kst::format_date(day), time);
  return ns ? std::optional<std::int64_t>{*ns} : std::nullopt;
}

std::variant<engine_config, config_error> load_replay_config(const std::string& path) {
  engine_config cfg;
  if (!path.empty()) {
    auto r = load_config_file(path);
    if (auto* e = std::get_if<config_error>(&r))
      return *e;
    cfg = std::get<engine_config>(std::move(r));
  }
  if (auto e = apply_env(cfg, process_env()))
    return *e;
  return cfg;
}

replay_setup replay_setup_for(const engine_config& cfg, const recorded_run& run,
                              const std::vector<std::string>& symbols) {
  replay_setup s;
  s.cfg = cfg;
  // Strategies as the recorded mode ran them: a sim run without [[strategy]] tables ran the
  // examples, a paper or live run only what its config named.
  if (run.mode != "sim")
    s.cfg.strategies_configured = true;
  if (s.cfg.analyzers.bar_seconds <= 0)
    s.cfg.analyzers.bar_seconds = run.mode == "sim" ? 2 : 60;
  s.env = run.env;
  s.symbols = symbols;
  const auto& rules = cfg.backtest.session_rules;
  s.session_rules = rules == "krx" || (rules == "auto" && run.mode != "sim");
  s.initial_cash = cfg.backtest.initial_cash;
  return s;
}

std::string format_replay_summary(const replay_result& r, const std::string& what,
                                  const fs::path& out_dir) {
  std::ostringstream os;
  const double span = static_cast<double>(r.last_ns - r.first_ns) / 1e9;
  os << "\n== kis-engine " << what << " (" << api::kst::format_datetime(r.first_ns) << " to "
     << api::kst::format_datetime(r.last_ns) << " KST, " << r.records << " records in "
     << r.wall_seconds << " s";
  if (r.wall_seconds > 0)
    os << ", " << static_cast<std::int64_t>(span / r.wall_seconds) << "x real time";
  os << ") ==\n";
  const auto& v = r.venue;
  os << "frames    " << v.frames_delivered << " to the feed, " << v.frames_skipped << " skipped; "
     << r.trades << " trades printed to the fill model\n";
  os << "REST      " << v.answers_recorded << " answered from the recording, "
     << v.answers_from_tape << " from the tape, " << v.answers_missing << " with nothing recorded; "
     << v.fill_model_calls << " to the fill model; " << v.notices_sent << " notices\n";
  std::map<std::string, std::size_t> by_status;
  for (const auto& e : r.orders)
    ++by_status[std::string{to_string_view(e.status)}];
  os << "orders    " << r.orders.size();
  for (const auto& [st, n] : by_status)
    os << ", " << n << " " << st;
  os << "\nfills     " << r.fills.size() << "\nP&L       " << r.realized_pnl
     << " KRW realised (fill model prices, before costs)\n";
  for (const auto& p : r.problems)
    os << "damaged   " << p << "\n";
  os << "out       " << out_dir.string() << " (orders.csv, fills.csv, summary.txt)\n";
  os << "digest    " << r.digest << "\n";
  return os.str();
}

api::result<prepared_replay> prepare_recording_replay(const replay_flags& f,
                                                      const engine_config& cfg) {
  auto run = read_recorded_run(f.recording);
  if (!run)
    return run.error();
  double speed = 0;
  if (f.speed != "max") {
    try {
      speed = std::stod(f.speed);
    } catch (const std::exception&) {
      speed = -1;
    }
    if (!(speed > 0))
      return config_refused("--speed: expected \"max\" or a positive number");
  }
  const auto day = api::kst::date_of(run->first_ns);
  std::int64_t start = 0, end = std::numeric_limits<std::int64_t>::max();
  for (auto [text, into, name] : {std::tuple{&f.from, &start, "--from"}, {&f.to, &end, "--to"}}) {
    if (text->empty())
      continue;
    auto t = parse_replay_time(*text, day);
    if (!t)
      return config_refused(std::string{name} +
                            ": expected HH:MM[:SS] or YYYYMMDD[-HH:MM[:SS]] (KST), got \"" + *text +
                            "\"");
    *into = *t;
  }
  recording_filter filter;
  // Records before --from still seed the fill model: read from the start of that day.
  if (start != 0)
    filter.from_ns =
        api::kst::parse_date_time(api::kst::format_date(api::kst::date_of(start))).value();
  filter.to_ns = end;
  auto symbols = split_symbols(f.symbols);
  filter.symbols = symbols;
  if (symbols.empty())
    symbols = !cfg.analyzers.symbols.empty() ? cfg.analyzers.symbols : run->symbols;
  if (symbols.empty())
    return config_refused("--symbols: the recording names no symbols; give them");
  auto source = open_recording(f.recording, filter);
  if (!source)
    return source.error();
  prepared_replay p;
  p.setup = replay_setup_for(cfg, *run, symbols);
  p.setup.ws_symbols = recorded_ws_symbols(f.recording);
  p.setup.start_ns = start;
  p.setup.end_ns = end;
  p.setup.speed = speed;
  p.setup.out_dir = !f.out.empty()
                        ? fs::path{f.out}
                        : fs::path{cfg.data_dir} / "replays" /
                              (fs::path{f.recording}.filename().string() + "-" + local_stamp());
  p.source = std::move(*source);
  return p;
}

int run_replay_command(const replay_flags& f, std::ostream& out, std::ostream& err) {
  auto loaded = load_replay_config(f.config_path);
  if (auto* e = std::get_if<config_error>(&loaded)) {
    err << "kis-engine: config error: " << e->to_string() << "\n";
    return 2;
  }
  auto cfg = std::get<engine_config>(std::move(loaded));
  log::init(cfg.log_level, cfg.log_file);
  auto prepared = prepare_recording_replay(f, cfg);
  if (!prepared)
    return report_startup_failure(prepared.error(), err);
  auto& p = *prepared;
  auto result = run_prepared(p, f.quiet, f.metrics_port, "replay", err);
  if (!result)
    return 1;
  out << format_replay_summary(*result, "replay", p.setup.out_dir);
  return 0;
}

std::optional<replay_result> run_prepared(prepared_replay& p, bool quiet, int metrics_port,
                                          const char* what, std::ostream& err) {
  p.setup.progress = quiet ? nullptr : &err;
  p.setup.metrics_port = metrics_port;
  auto result = run_replay(p.setup, *p.source);
  for (const auto& problem : result.problems)
    err << "kis-engine: replay: damaged chunk skipped: " << problem << "\n";
  if (!result.ok) {
    err << "kis-engine: " << what << " failed: " << result.error << "\n";
    return std::nullopt;
  }
  return result;
}

} // namespace kis::runtime
