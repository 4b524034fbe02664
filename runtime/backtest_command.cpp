#include "runtime/backtest_command.hpp"

#include <algorithm>
#include <ostream>

#include "kis/kst.hpp"
#include "runtime/backtest.hpp"
#include "runtime/backtest_bars.hpp"
#include "runtime/backtest_report.hpp"
#include "runtime/logging.hpp"
#include "runtime/replay_command.hpp"

namespace kis::runtime {

namespace {

namespace fs = std::filesystem;

std::vector<std::string> symbol_list(const std::string& text) {
  std::vector<std::string> out;
  std::string one;
  for (char c : text + ",") {
    if (c == ',') {
      if (!one.empty() && std::find(out.begin(), out.end(), one) == out.end())
        out.push_back(one);
      one.clear();
    } else if (c != ' ') {
      one += c;
    }
  }
  return out;
}

// The replay set up over daily bars: one analyzer bar a day, the KRX session, the bars' chart
// answers for the history, a quiet feed watchdog for the nights.
api::result<prepared_replay> prepare_bar_replay(const backtest_flags& f, const engine_config& cfg,
                                                std::ostream& err,
                                                std::shared_ptr<bar_answers>& answers) {
  if (f.bars != "D")
    return config_refused("--bars: only D (daily bars) is supported; intraday backtests replay a "
                          "recording (--recording)");
  bar_request req;
  req.symbols = symbol_list(f.symbols);
  if (req.symbols.empty())
    return config_refused("--symbols: name the symbols to backtest");
  auto from = api::kst::parse_date(f.from);
  auto to = api::kst::parse_date(f.to);
  if (!from || !to || *from > *to)
    return config_refused("--from/--to: expected two dates YYYYMMDD, from <= to");
  req.from = *from;
  req.to = *to;
  req.history_days = cfg.analyzers.history_days;
  auto fetched = load_bars(cfg, req, f.refresh, f.quiet ? nullptr : &err);
  if (!fetched)
    return fetched.error();
  if (!f.quiet)
    err << "bars: " << fetched->from_cache << " symbols from the cache, " << fetched->fetched
        << " fetched (" << fetched->calls << " REST calls)\n";
  auto series = std::make_shared<const bar_series>(std::move(fetched->bars));
  auto records = bar_records(*series, req.from, req.to);
  if (records.empty())
    return config_refused("--from/--to/--symbols: no bars between " + f.from + " and " + f.to +
                          " for these symbols");
  answers = std::make_shared<bar_answers>(series);
  recorded_run run; // sim: the examples trade when no [[strategy]] is configured, as in `run`
  run.mode = std::string{to_string_view(cfg.mode)};
  run.env = fetched->env;
  run.first_ns = records.front().recv_ns;
  prepared_replay p;
  p.setup = replay_setup_for(cfg, run, req.symbols);
  p.setup.cfg.analyzers.bar_seconds = 86'400; // one bar a day, closed by the next day's open
  p.setup.cfg.feed.silence_timeout = std::chrono::hours{24 * 5};
  p.setup.feed_tick = std::chrono::minutes{1};
  p.setup.session_rules = cfg.backtest.session_rules != "none";
  p.setup.start_ns =
      records.front().recv_ns - std::chrono::nanoseconds{std::chrono::minutes{10}}.count();
  p.setup.mark_every = std::chrono::hours{24};
  p.setup.extra_answers = [answers](const std::string& key, std::int64_t now) {
    return answers->answer(key, now);
  };
  p.setup.label = "backtest";
  p.setup.out_dir = !f.out.empty()
                        ? fs::path{f.out}
                        : fs::path{cfg.data_dir} / "backtests" / ("bars-" + f.from + "-" + f.to);
  p.source = memory_source(std::move(records));
  return p;
}

} // namespace

int run_backtest_command(const backtest_flags& f, std::ostream& out, std::ostream& err) {
  auto loaded = load_replay_config(f.config_path);
  if (auto* e = std::get_if<config_error>(&loaded)) {
    err << "kis-engine: config error: " << e->to_string() << "\n";
    return 2;
  }
  auto cfg = std::get<engine_config>(std::move(loaded));
  if (!f.mode.empty()) {
    auto m = parse_mode(f.mode);
    if (!m) {
      err << "kis-engine: config error: --mode: expected sim, paper or live\n";
      return 2;
    }
    cfg.mode = *m;
  }
  cfg.confirm_live = f.confirm_live;
  if (auto e = validate(cfg); e && !f.bars.empty()) { // bars from KIS need the credentials
    err << "kis-engine: config error: " << e->to_string() << "\n";
    return 2;
  }
  log::init(cfg.log_level, cfg.log_file);
  if (f.recording.empty() == f.bars.empty()) {
    err << "kis-engine: config error: give --recording DIR or --bars D\n";
    return 2;
  }
  std::shared_ptr<bar_answers> answers;
  std::optional<api::result<prepared_replay>> prepared;
  std::string source_text;
  if (!f.recording.empty()) {
    replay_flags rf;
    rf.recording = f.recording;
    rf.symbols = f.symbols;
    rf.from = f.from;
    rf.to = f.to;
    rf.out = f.out;
    prepared = prepare_recording_replay(rf, cfg);
    if (*prepared) {
      auto* p = &**prepared;
      p->setup.mark_every = cfg.backtest.mark_every;
      p->setup.label = "backtest";
    }
    source_text = "recording " + f.recording;
  } else {
    prepared = prepare_bar_replay(f, cfg, err, answers);
    source_text = "daily bars " + f.from + "-" + f.to + " of " + f.symbols + " (" +
                  std::string{to_string_view(cfg.mode)} + ")";
  }
  if (!*prepared)
    return report_startup_failure(prepared->error(), err);
  auto& p = **prepared;
  auto run = run_prepared(p, f.quiet, f.metrics_port, "backtest", err);
  if (!run)
    return 1;
  const auto& result = *run;
  const auto costs = costs_of(cfg.backtest);
  auto report = account(result.fills, result.marks, costs);
  report_context ctx{"kis-engine backtest", source_text, result.digest};
  if (!write_backtest_outputs(p.setup.out_dir, report, costs, ctx)) {
    err << "kis-engine: cannot write the backtest report into " << p.setup.out_dir << "\n";
    return 1;
  }
  out << format_replay_summary(result, "backtest", p.setup.out_dir) << "\n"
      << summary_text(report, costs, ctx) << "report    "
      << (p.setup.out_dir / "report.html").string() << " (trades.csv, backtest.txt)\n";
  return 0;
}

} // namespace kis::runtime
