#include "runtime/budget_plan.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "runtime/duration.hpp"

namespace kis::runtime {

budget_plan plan_budget(const engine_config& cfg, std::size_t symbols, std::size_t history_symbols,
                        bool notices) {
  budget_plan p;
  p.rate = effective_rate_limit(cfg);
  const auto& b = cfg.budget;
  auto& g = p.governor;
  g.limit = static_cast<std::uint32_t>(p.rate);
  g.safety_margin = b.safety_margin;
  // The scheduler clamps the reserve to what the budget leaves (none at 1/s); orders go first
  // by priority whatever it is.
  g.order_reserve = static_cast<std::uint32_t>(b.order_reserve);
  g.leave_within = b.leave_within;
  // Enough calls in flight for a second of slow answers at the full rate, and one lane that
  // only orders and cancels may take, so they leave even when every other call hangs.
  const int lanes = b.max_in_flight > 0 ? b.max_in_flight : std::max(4, 2 * p.rate);
  g.max_in_flight = static_cast<std::uint32_t>(lanes);
  g.order_lanes = 1;
  p.connections = lanes;

  p.symbols = symbols;
  const std::size_t ws_slots =
      cfg.feed.enabled ? static_cast<std::size_t>(cfg.feed.max_registrations) - (notices ? 1 : 0)
                       : 0;
  p.on_websocket = std::min(symbols, ws_slots);
  p.polled = symbols - p.on_websocket;
  // Each polled symbol once per interval, all of them inside poll_share of the budget.
  const double per_second = std::max(0.01, b.poll_share * p.rate);
  const auto needed = std::chrono::milliseconds{
      static_cast<std::int64_t>(std::ceil(static_cast<double>(p.polled) / per_second * 1000))};
  p.poll_interval = std::max(cfg.analyzers.poll_interval, needed);

  p.history_symbols = history_symbols;
  // One chart call returns up to 100 daily rows: below 3 calls/s one call per symbol. The
  // analyzer asks for history_days * 7/5 + 10 calendar days, which for 90 trading days is about
  // 97 of them (one page) and for 100 about 104 (a second call for a handful of rows).
  p.history_days = cfg.analyzers.history_days >= 0 ? cfg.analyzers.history_days
                   : p.rate < 3                    ? 90
                                                   : 120;
  return p;
}

std::string budget_plan::describe() const {
  std::ostringstream os;
  os << "budget " << rate << "/s: orders first";
  if (governor.order_reserve > 0 && rate > 1)
    os << " (" << std::min<std::uint32_t>(governor.order_reserve, governor.limit - 1)
       << " slot/s kept for them)";
  os << ", " << on_websocket << " symbols on WebSocket, " << polled << " polled";
  if (polled > 0)
    os << " every "
       << format_duration(std::chrono::duration_cast<std::chrono::seconds>(
              poll_interval + std::chrono::milliseconds{999}));
  os << ", history ";
  if (history_days <= 0 || history_symbols == 0)
    os << "off";
  else
    os << history_days << " days for " << history_symbols << " strategy symbols (cached daily)";
  os << ", " << governor.max_in_flight << " calls in flight at most";
  return os.str();
}

} // namespace kis::runtime
