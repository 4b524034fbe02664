// What a backtest leaves behind: trades.csv (the round trips), backtest.txt (the figures and
// the costs they include) and report.html, one self-contained page with the summary, an equity
// curve and a drawdown chart as inline SVG (no script, no network, no external file).
#pragma once

#include <filesystem>
#include <string>

#include "runtime/backtest.hpp"

namespace kis::runtime {

// Where the figures came from, for the page and the summary.
struct report_context {
  std::string title;  // e.g. "backtest of .kis-engine/recordings (2026-12-02)"
  std::string source; // "recording ..." or "daily bars ..."
  std::string digest; // of the replay's orders, fills and P&L
};

std::string trades_csv(const backtest_report& r);
std::string summary_text(const backtest_report& r, const backtest_costs& c,
                         const report_context& ctx);
std::string report_html(const backtest_report& r, const backtest_costs& c,
                        const report_context& ctx);

// The two charts alone (each an <svg> element), for the page and the tests.
std::string equity_svg(const backtest_report& r);
std::string drawdown_svg(const backtest_report& r);

// Writes trades.csv, backtest.txt and report.html into dir; false when a file cannot be written.
bool write_backtest_outputs(const std::filesystem::path& dir, const backtest_report& r,
                            const backtest_costs& c, const report_context& ctx);

} // namespace kis::runtime
