// Backtest accounting: the fills of a replay (the fill model's prices) made into money with
// the configured costs (commission per side, the securities transaction tax on sells, slippage
// in KRX ticks), marked to market on the replay's mark samples, and summarised as a trader
// reads it: P&L, return, maximum drawdown, win rate, turnover, Sharpe ratio, and the round
// trips (flat -> position -> flat) as trades.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "actors/trading/order_journal.hpp"
#include "runtime/recording_config.hpp"
#include "runtime/replay_driver.hpp"

namespace kis::runtime {

struct backtest_costs {
  double commission_pct = 0;
  double sell_tax_pct = 0;
  std::int64_t slippage_ticks = 0;
  std::int64_t initial_cash = 0;
};

backtest_costs costs_of(const backtest_section& b);

// One round trip of one symbol: from flat to a position and back (or still open at the end).
struct round_trip {
  std::string symbol;
  std::int64_t entry_ns = 0, exit_ns = 0; // exit 0: still open, marked at the last price
  std::int64_t max_qty = 0;
  std::int64_t bought = 0, sold = 0; // KRW at the slipped prices
  std::int64_t costs = 0;            // commission and tax
  std::int64_t net_pnl = 0;          // sold + open value - bought - costs
  bool open = false;
};

struct equity_point {
  std::int64_t at_ns = 0;
  std::int64_t equity = 0; // cash + positions at the mark prices
  double drawdown_pct = 0; // below the running peak, <= 0
  bool mark = false;       // a regular mark sample (not a fill); Sharpe uses these
};

struct backtest_summary {
  std::int64_t initial_cash = 0;
  std::int64_t final_equity = 0;
  std::int64_t net_pnl = 0;
  double return_pct = 0;
  double max_drawdown_pct = 0; // <= 0
  std::int64_t max_drawdown_krw = 0;
  std::size_t trades = 0;                             // closed round trips
  double win_rate_pct = 0;                            // of closed round trips
  double turnover = 0;                                // traded KRW (both sides) / initial cash
  double sharpe = 0;                                  // annualised, risk-free 0
  std::string sharpe_basis;                           // "daily returns" or "1-minute marks"
  std::int64_t commission = 0, tax = 0, slippage = 0; // KRW paid
  std::size_t fills = 0;
};

struct backtest_report {
  backtest_summary summary;
  std::vector<round_trip> trades;
  std::vector<equity_point> equity;
};

// fills: in time order (the journal's order); marks: the replay's samples.
backtest_report account(const std::vector<journal_fill>& fills,
                        const std::vector<mark_sample>& marks, const backtest_costs& costs);

} // namespace kis::runtime
