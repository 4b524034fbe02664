// `kis-engine backtest`: a replay of a recording, or of daily bars fetched once through the
// budgeted gateway and cached, turned into a backtest report with costs (backtest.hpp) and
// written as trades.csv, backtest.txt and report.html next to the replay's own outputs.
#pragma once

#include <iosfwd>
#include <string>

namespace kis::runtime {

struct backtest_flags {
  std::string recording; // a recording directory; or, with bars = "D", daily bars
  std::string bars;      // "D"
  std::string config_path;
  std::string symbols;  // comma-separated (required with --bars)
  std::string from, to; // recording: as `replay`; bars: YYYYMMDD
  std::string out;
  std::string mode; // where bars come from: sim (default), paper, live
  bool confirm_live = false;
  bool refresh = false; // fetch bars even when cached
  bool quiet = false;
  int metrics_port = -1;
};

int run_backtest_command(const backtest_flags& flags, std::ostream& out, std::ostream& err);

} // namespace kis::runtime
