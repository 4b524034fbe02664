// The [recorder] and [backtest] sections of the engine's configuration (documented, with their
// defaults, in config/engine.example.toml).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace kis::runtime {

struct recorder_section {
  std::string enabled = "auto"; // auto (paper and live record, sim does not) | on | off
  std::string path;             // empty = <data_dir>/recordings
  std::int64_t segment_mb = 256;
  std::int64_t chunk_kb = 1024;
  std::chrono::milliseconds flush_interval{1000};
  int zstd_level = 3;
  std::int64_t queue_limit = 200'000;
  std::int64_t max_total_mb = 0; // 0 = keep every segment
};

struct backtest_section {
  // Broker commission per side, percent of the traded amount: KIS BanKIS (non-face-to-face)
  // accounts, KOSPI/KOSDAQ, fees of the market institutions included (as listed 2026).
  double commission_pct = 0.0140527;
  // Securities transaction tax on sells, percent: KOSPI 0.05 + rural special tax 0.15, KOSDAQ
  // 0.20, for sales from 2026-01-01 (enforcement decree of the Securities Transaction Tax Act).
  double sell_tax_pct = 0.20;
  std::int64_t slippage_ticks = 0; // each fill this many KRX ticks worse
  std::int64_t initial_cash = 100'000'000;
  std::string session_rules = "auto";           // auto | krx | none
  std::chrono::milliseconds mark_every{60'000}; // equity curve resolution of recordings
};

} // namespace kis::runtime
