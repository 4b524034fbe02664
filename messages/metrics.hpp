// Metric values: every actor reports an actor_sample; the metrics actor merges them into a
// metrics_snapshot for /metrics, /metrics.json, `kis-engine metrics` and `kis-engine top`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <caf/meta/type_name.hpp>

namespace kis {

struct label {
  std::string name;
  std::string value;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, label& x) {
  return f(caf::meta::type_name("label"), x.name, x.value);
}

enum class metric_type : std::uint8_t { counter = 0, gauge = 1 };

// One counter or gauge value with its labels (never a secret in a label).
struct metric_point {
  std::string name; // without the kis_ prefix, e.g. "permits_granted_total"
  metric_type type = metric_type::gauge;
  std::vector<label> labels;
  double value = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, metric_point& x) {
  return f(caf::meta::type_name("metric_point"), x.name, x.type, x.labels, x.value);
}

// A cumulative histogram: counts[i] observations <= bounds[i], the last is +Inf.
struct histogram_point {
  std::string name;
  std::vector<label> labels;
  std::vector<double> bounds; // upper bounds, seconds for durations
  std::vector<std::uint64_t> counts;
  double sum = 0;
  std::uint64_t count = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, histogram_point& x) {
  return f(caf::meta::type_name("histogram_point"), x.name, x.labels, x.bounds, x.counts, x.sum,
           x.count);
}

// One actor's figures at one time.
struct actor_sample {
  std::string actor; // instance name, e.g. "analyzer-3"
  std::string role;  // rate_governor, token_keeper, ...
  std::int64_t at_ns = 0;
  std::uint64_t processed = 0;
  std::uint64_t errors = 0;
  std::uint64_t mailbox_depth = 0;
  std::uint64_t mailbox_depth_max = 0;
  histogram_point processing;              // handler time
  std::vector<metric_point> values;        // role-specific counters and gauges
  std::vector<histogram_point> histograms; // role-specific histograms
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, actor_sample& x) {
  return f(caf::meta::type_name("actor_sample"), x.actor, x.role, x.at_ns, x.processed, x.errors,
           x.mailbox_depth, x.mailbox_depth_max, x.processing, x.values, x.histograms);
}

// A warning raised or cleared, as the console lists it.
struct warning_record {
  std::int64_t at_ns = 0;
  std::string key;
  std::string message;
  bool raised = true;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, warning_record& x) {
  return f(caf::meta::type_name("warning_record"), x.at_ns, x.key, x.message, x.raised);
}

// The whole engine at one time.
struct metrics_snapshot {
  std::int64_t at_ns = 0;
  std::vector<actor_sample> actors;
  std::uint64_t rss_bytes = 0;
  double cpu_seconds = 0;
  double cpu_percent = 0;
  std::vector<warning_record> warnings; // the latest raised and cleared, newest last
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, metrics_snapshot& x) {
  return f(caf::meta::type_name("metrics_snapshot"), x.at_ns, x.actors, x.rss_bytes, x.cpu_seconds,
           x.cpu_percent, x.warnings);
}

} // namespace kis

namespace kis::metric_names {
// Well-known role metrics (without the kis_ prefix), so the roles that report a figure and the
// views that read it (`metrics`, `top`, warnings, the Grafana sample) agree on one spelling.
// REST calls (the rate governor sees every outcome, so it reports these)
inline constexpr const char* api_calls = "rest_calls_total";                   // counter
inline constexpr const char* api_successes = "rest_call_successes_total";      // counter
inline constexpr const char* api_failures = "rest_call_failures_total";        // counter
inline constexpr const char* api_calls_last_second = "rest_calls_last_second"; // gauge
inline constexpr const char* api_success_ratio = "rest_success_ratio";         // gauge, 0..1
inline constexpr const char* api_rate_limit = "rest_rate_limit";               // gauge
// rate governor
inline constexpr const char* permits_granted = "permits_granted_total"; // counter{class}
inline constexpr const char* permits_waiting = "permits_waiting";       // gauge{class}
inline constexpr const char* permit_wait = "permit_wait_seconds";       // histogram{class}
inline constexpr const char* permit_rate = "rest_effective_rate";       // gauge
inline constexpr const char* kis_error_codes = "api_error_codes_total"; // counter{code}
// token keeper
inline constexpr const char* token_age = "token_age_seconds";             // gauge
inline constexpr const char* token_remaining = "token_remaining_seconds"; // gauge
inline constexpr const char* token_issues = "token_issues_total";         // counter
// ws feed
inline constexpr const char* ws_registrations = "ws_registrations";             // gauge
inline constexpr const char* ws_registrations_limit = "ws_registrations_limit"; // gauge (41)
inline constexpr const char* ws_reconnects = "ws_reconnects_total";             // counter
inline constexpr const char* ws_frames = "ws_frames_total";                     // counter
inline constexpr const char* ws_frames_per_second = "ws_frames_per_second";     // gauge
inline constexpr const char* ws_drops = "ws_drops_total";                       // counter{reason}
// order executor
inline constexpr const char* executor_queue_depth = "executor_queue_depth"; // gauge
inline constexpr const char* signals = "signals_total";                     // counter
inline constexpr const char* signal_refusals = "signal_refusals_total";     // counter{reason}
inline constexpr const char* orders = "orders";                             // gauge{state}
inline constexpr const char* fills = "fills_total";                         // counter
inline constexpr const char* realized_pnl = "realized_pnl_krw";             // gauge
} // namespace kis::metric_names

namespace kis {

// The sum of one role metric over all its label sets; nullopt when the actor does not report it.
inline std::optional<double> find_total(const actor_sample& s, std::string_view name) {
  std::optional<double> out;
  for (const auto& p : s.values)
    if (p.name == name)
      out = out.value_or(0) + p.value;
  return out;
}

} // namespace kis
