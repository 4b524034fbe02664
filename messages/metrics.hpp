// Metric values: every actor reports an actor_sample; the metrics actor merges them into a
// metrics_snapshot for /metrics, /metrics.json, `kis-engine metrics` and `kis-engine top`.
#pragma once

#include <cstdint>
#include <string>
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

// The whole engine at one time.
struct metrics_snapshot {
  std::int64_t at_ns = 0;
  std::vector<actor_sample> actors;
  std::uint64_t rss_bytes = 0;
  double cpu_seconds = 0;
  double cpu_percent = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, metrics_snapshot& x) {
  return f(caf::meta::type_name("metrics_snapshot"), x.at_ns, x.actors, x.rss_bytes, x.cpu_seconds,
           x.cpu_percent);
}

} // namespace kis
