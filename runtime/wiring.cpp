#include "runtime/wiring.hpp"

#include <algorithm>
#include <filesystem>
#include <set>
#include <sstream>
#include <thread>

#include "messages/registry.hpp"

namespace kis::runtime {

caf_config::caf_config() {
  register_messages(*this);
  // Two cores are common for this engine; CAF's default is max(cores, 4) workers.
  set("scheduler.max-threads", static_cast<int>(std::max(2u, std::thread::hardware_concurrency())));
  set("scheduler.max-throughput", 300);
}

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

std::vector<std::string> watched_symbols(const engine_config& cfg,
                                         const std::vector<std::string>& universe) {
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
         i < universe.size() && out.size() < static_cast<std::size_t>(cfg.analyzers.symbol_count);
         ++i)
      add(universe[i]);
  for (const auto& st : cfg.strategies)
    if (st.enabled)
      for (const auto& s : st.symbols)
        add(s);
  return out;
}

std::optional<std::string> symbol_shortfall(const engine_config& cfg,
                                            const std::vector<std::string>& universe) {
  const auto asked = static_cast<std::size_t>(std::max(cfg.analyzers.symbol_count, 0));
  if (!cfg.analyzers.symbols.empty() || universe.empty() || asked <= universe.size())
    return std::nullopt;
  return "asked for " + std::to_string(asked) + " symbols ([analyzers] symbol_count) but the " +
         "market has " + std::to_string(universe.size()) + ": watching all " +
         std::to_string(universe.size());
}

std::size_t strategy_symbol_count(const engine_config& cfg,
                                  const std::vector<std::string>& symbols) {
  std::set<std::string> followed;
  for (const auto& st : strategies_to_run(cfg, symbols))
    if (st.enabled)
      followed.insert(st.symbols.begin(), st.symbols.end());
  return followed.size();
}

std::string journal_path(const engine_config& cfg) {
  if (!cfg.executor.journal.empty())
    return cfg.executor.journal;
  return (std::filesystem::path{cfg.data_dir} /
          ("journal-" + std::string{to_string_view(cfg.mode)} + ".sqlite"))
      .string();
}

std::optional<api::api_error> retire_sim_journal(const engine_config& cfg) {
  const std::string path = journal_path(cfg);
  std::error_code ec;
  for (const char* ext : {"", "-wal", "-shm"}) {
    const std::filesystem::path from{path + ext};
    if (!std::filesystem::exists(from, ec))
      continue;
    std::filesystem::rename(from, path + ".previous" + ext, ec);
    if (ec)
      return api::make_api_error(errc::io, "journal: cannot move the last simulator run's " +
                                               from.string() + " aside: " + ec.message());
  }
  return std::nullopt;
}

trading_config make_trading_config(const engine_config& cfg, const std::string& hts_id,
                                   std::vector<std::string> symbols, const budget_plan& plan) {
  trading_config p;
  p.mode = cfg.mode;
  p.symbols = std::move(symbols);
  p.analyzers = static_cast<std::size_t>(cfg.analyzers.count);
  p.analyzer.poll_interval = plan.poll_interval;
  p.analyzer.poll_max_interval = std::max(p.analyzer.poll_max_interval, 4 * plan.poll_interval);
  p.analyzer.bar_seconds = cfg.analyzers.bar_seconds > 0 ? cfg.analyzers.bar_seconds
                           : cfg.mode == run_mode::sim   ? 2
                                                         : 60;
  p.analyzer.history_days = plan.history_days;
  p.analyzer.interest_interval = cfg.feed.rerank_interval; // fresh figures for every re-rank
  auto& e = p.executor;
  e.queue_capacity = cfg.executor.queue_capacity;
  e.journal_path = journal_path(cfg);
  e.risk.max_order_qty = cfg.executor.max_order_qty;
  e.risk.max_order_notional = cfg.executor.max_order_notional;
  e.risk.max_position_qty = cfg.executor.max_position_qty;
  e.risk.daily_loss_limit = cfg.executor.daily_loss_limit;
  e.risk.price_collar_pct = cfg.executor.price_collar_pct;
  e.dedup_window = cfg.executor.dedup_window;
  e.check_buyable = cfg.executor.check_buyable;
  e.drain = cfg.executor.drain == "finish" ? drain_policy::finish : drain_policy::cancel;
  e.hts_id = cfg.feed.enabled ? hts_id : std::string{};
  e.venues.env = run_environment(cfg);
  e.venues.calendar =
      run_calendar(cfg.sessions, cfg.mode == run_mode::sim && cfg.sim.start.empty());
  p.analyzer.calendar = e.venues.calendar; // quiet when closed
  p.analyzer.poll_market = cfg.analyzers.market;
  p.analyzer.markets = cfg.analyzers.markets;
  for (const auto& st : strategies_to_run(cfg, p.symbols)) {
    if (!st.enabled)
      continue;
    strategy_config sc;
    sc.name = st.name;
    sc.id = st.id;
    sc.file = st.file;
    sc.class_name = st.class_name;
    sc.symbols = st.symbols;
    sc.params = strategy_params{st.params};
    sc.trade = st.trade;
    sc.default_venue = st.default_venue;
    p.strategies.push_back(std::move(sc));
  }
  return p;
}

void use_market_time(trading_config& p, std::shared_ptr<const sessions::calendar> calendar,
                     std::shared_ptr<const wall_clock> clock, double speed) {
  // Timers run in real time: a sped-up market is looked at as often in its own time.
  if (speed > 1)
    p.analyzer.closed_check = std::max(
        std::chrono::milliseconds{1000},
        std::chrono::duration_cast<std::chrono::milliseconds>(p.analyzer.closed_check / speed));
  p.executor.venues.calendar = calendar;
  p.analyzer.calendar = std::move(calendar);
  p.executor.clock = clock;
  p.analyzer.clock = std::move(clock);
}

std::string format_trading_summary(const trading_summary& s, std::size_t watched) {
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
  if (e.strategies_lost > 0 || e.signals_settled > 0)
    os << "\nlost      " << e.strategies_lost << " strategies (their node went without stopping); "
       << e.signals_settled << " signals of gone strategies settled unsent";
  os << "\nP&L       " << e.realized_pnl << " KRW realised" << (e.killed ? " (kill switch on)" : "")
     << "\njournal   " << e.journal_path << "\n";
  return os.str();
}

} // namespace kis::runtime
