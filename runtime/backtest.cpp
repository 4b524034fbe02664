#include "runtime/backtest.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <iterator>
#include <numeric>

#include "kis/kst.hpp"
#include "messages/orders.hpp"

namespace kis::runtime {

namespace {

constexpr double trading_days_per_year = 252;
constexpr double session_minutes = 390; // KRX 09:00-15:30

std::int64_t krw(double x) {
  return static_cast<std::int64_t>(std::floor(x)); // brokers and the tax office cut the won
}

struct holding {
  std::int64_t qty = 0;
  std::int64_t last_price = 0;
  std::size_t trip = 0; // index into trades of the open round trip
};

class ledger {
public:
  ledger(const backtest_costs& c, backtest_report& out)
      : c_(c)
      , out_(out)
      , cash_(c.initial_cash) {}

  void fill(const journal_fill& f) {
    const auto tick = krx_tick_size(f.price);
    const auto slip = c_.slippage_ticks * tick;
    const auto px = f.dir == side::buy ? f.price + slip : std::max<std::int64_t>(1, f.price - slip);
    const auto amount = f.qty * px;
    const auto commission = krw(static_cast<double>(amount) * c_.commission_pct / 100.0);
    const auto tax =
        f.dir == side::sell ? krw(static_cast<double>(amount) * c_.sell_tax_pct / 100.0) : 0;
    auto& s = out_.summary;
    s.commission += commission;
    s.tax += tax;
    s.slippage += f.qty * (px - f.price) * (f.dir == side::buy ? 1 : -1);
    ++s.fills;
    traded_ += amount;
    auto& h = held_[f.symbol];
    if (h.qty == 0) { // a new round trip
      h.trip = out_.trades.size();
      out_.trades.push_back({f.symbol, f.at_ns, 0, 0, 0, 0, 0, 0, true});
    }
    auto& t = out_.trades[h.trip];
    if (f.dir == side::buy) {
      cash_ -= amount + commission;
      h.qty += f.qty;
      t.bought += amount;
    } else {
      cash_ += amount - commission - tax;
      h.qty -= f.qty;
      t.sold += amount;
    }
    t.costs += commission + tax;
    t.max_qty = std::max(t.max_qty, std::abs(h.qty));
    h.last_price = f.price;
    if (h.qty == 0) {
      t.exit_ns = f.at_ns;
      t.open = false;
      t.net_pnl = t.sold - t.bought - t.costs;
    }
  }

  void mark(const std::map<std::string, std::int64_t>& prices) {
    for (auto& [sym, h] : held_)
      if (auto it = prices.find(sym); it != prices.end() && it->second > 0)
        h.last_price = it->second;
  }

  std::int64_t equity() const {
    std::int64_t e = cash_;
    for (const auto& [sym, h] : held_)
      e += h.qty * h.last_price;
    return e;
  }

  // Open round trips valued at their last prices.
  void close_books() {
    for (auto& [sym, h] : held_) {
      if (h.qty == 0)
        continue;
      auto& t = out_.trades[h.trip];
      t.net_pnl = t.sold + h.qty * h.last_price - t.bought - t.costs;
    }
  }

  std::int64_t traded() const { return traded_; }

private:
  const backtest_costs& c_;
  backtest_report& out_;
  std::int64_t cash_;
  std::int64_t traded_ = 0;
  std::map<std::string, holding> held_;
};

// Mean over standard deviation of the returns, scaled by the square root of periods a year.
double sharpe_of(const std::vector<double>& returns, double periods_per_year) {
  if (returns.size() < 2)
    return 0;
  const double mean =
      std::accumulate(returns.begin(), returns.end(), 0.0) / static_cast<double>(returns.size());
  double var = 0;
  for (auto r : returns)
    var += (r - mean) * (r - mean);
  var /= static_cast<double>(returns.size() - 1);
  return var <= 0 ? 0 : mean / std::sqrt(var) * std::sqrt(periods_per_year);
}

void summarise(backtest_report& r, const backtest_costs& c, std::int64_t traded) {
  auto& s = r.summary;
  s.initial_cash = c.initial_cash;
  s.final_equity = r.equity.empty() ? c.initial_cash : r.equity.back().equity;
  s.net_pnl = s.final_equity - c.initial_cash;
  s.return_pct = 100.0 * static_cast<double>(s.net_pnl) / static_cast<double>(c.initial_cash);
  std::int64_t peak = c.initial_cash;
  for (auto& p : r.equity) {
    peak = std::max(peak, p.equity);
    p.drawdown_pct = 100.0 * static_cast<double>(p.equity - peak) / static_cast<double>(peak);
    if (p.drawdown_pct < s.max_drawdown_pct) {
      s.max_drawdown_pct = p.drawdown_pct;
      s.max_drawdown_krw = p.equity - peak;
    }
  }
  std::size_t wins = 0;
  for (const auto& t : r.trades)
    if (!t.open) {
      ++s.trades;
      wins += t.net_pnl > 0 ? 1 : 0;
    }
  s.win_rate_pct =
      s.trades == 0 ? 0 : 100.0 * static_cast<double>(wins) / static_cast<double>(s.trades);
  s.turnover = static_cast<double>(traded) / static_cast<double>(c.initial_cash);
  // Daily returns (each KST day's last equity) when the run spans days; else per mark.
  std::map<std::int32_t, std::int64_t> close_of_day;
  for (const auto& p : r.equity)
    close_of_day[api::kst::date_of(p.at_ns)] = p.equity;
  std::vector<double> returns;
  if (close_of_day.size() >= 3) {
    std::int64_t prev = c.initial_cash;
    for (const auto& [day, e] : close_of_day) {
      returns.push_back(static_cast<double>(e - prev) / static_cast<double>(prev));
      prev = e;
    }
    s.sharpe = sharpe_of(returns, trading_days_per_year);
    s.sharpe_basis = "daily returns";
  } else {
    std::vector<equity_point> at_marks;
    std::copy_if(r.equity.begin(), r.equity.end(), std::back_inserter(at_marks),
                 [](const equity_point& p) { return p.mark; });
    if (at_marks.size() < 3)
      return;
    const double step_min = static_cast<double>(at_marks[1].at_ns - at_marks[0].at_ns) / 60e9;
    for (std::size_t i = 1; i < at_marks.size(); ++i)
      returns.push_back(static_cast<double>(at_marks[i].equity - at_marks[i - 1].equity) /
                        static_cast<double>(at_marks[i - 1].equity));
    const double per_day = step_min > 0 ? session_minutes / step_min : 1;
    s.sharpe = sharpe_of(returns, trading_days_per_year * per_day);
    s.sharpe_basis = "returns between marks, annualised over a 390-minute session";
  }
}

} // namespace

backtest_costs costs_of(const backtest_section& b) {
  return {b.commission_pct, b.sell_tax_pct, b.slippage_ticks, b.initial_cash};
}

backtest_report account(const std::vector<journal_fill>& fills,
                        const std::vector<mark_sample>& marks, const backtest_costs& costs) {
  backtest_report out;
  ledger book{costs, out};
  std::size_t m = 0;
  for (const auto& f : fills) {
    while (m < marks.size() && marks[m].at_ns <= f.at_ns) {
      book.mark(marks[m].prices);
      out.equity.push_back({marks[m].at_ns, book.equity(), 0, true});
      ++m;
    }
    book.fill(f);
    out.equity.push_back({f.at_ns, book.equity(), 0, false});
  }
  for (; m < marks.size(); ++m) {
    book.mark(marks[m].prices);
    out.equity.push_back({marks[m].at_ns, book.equity(), 0, true});
  }
  book.close_books();
  summarise(out, costs, book.traded());
  return out;
}

} // namespace kis::runtime
