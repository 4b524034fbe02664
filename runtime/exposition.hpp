// A metrics_snapshot as Prometheus text exposition (/metrics) and as JSON (/metrics.json),
// the JSON read back (for `kis-engine metrics` and `top`), and the few engine-wide figures
// that every view shows first. Plain code: no actors, no sockets.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "messages/metrics.hpp"

namespace kis {

// Prometheus text format 0.0.4: names prefixed kis_, HELP and TYPE per family, labels
// actor and role on every actor series, label values escaped.
std::string to_prometheus(const metrics_snapshot& snap);

// Backslash, double quote and newline escaped as the text format requires.
std::string escape_label_value(std::string_view value);

// The snapshot as JSON, with a derived "summary" object (see engine_summary) on top.
std::string to_json(const metrics_snapshot& snap);

// Reads what to_json wrote; the summary is recomputed, not trusted. Sets *error on failure.
std::optional<metrics_snapshot> snapshot_from_json(std::string_view text,
                                                   std::string* error = nullptr);

// Engine-wide figures: the three API figures first (calls, success ratio, calls in the last
// second), then the rest of the headline.
struct engine_summary {
  double api_calls = 0;
  double api_failures = 0;
  double api_success_ratio = 1; // 1 while no call has been made
  double api_calls_last_second = 0;
  double api_rate_limit = 0; // 0 when no actor reports it
  double ws_slots = 0;
  double ws_slots_limit = 0;
  double orders = 0;
  double signals = 0;
  double fills = 0;
  double realized_pnl = 0;
  double executor_queue = 0;
  std::uint64_t actors = 0;
  std::uint64_t processed = 0;
  std::uint64_t errors = 0;
};

engine_summary summarize(const metrics_snapshot& snap);

} // namespace kis
