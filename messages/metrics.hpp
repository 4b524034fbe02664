// Metric values: every actor reports an actor_sample; the metrics actor merges them into a
// metrics_snapshot for /metrics, /metrics.json, `kis-engine metrics` and `kis-engine top`.
#pragma once

#include <string_view>

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

// Every role metric the engine reports (without the kis_ prefix), each constant named as it is
// exported, so the roles that report a figure and the views that read it (`metrics`, `top`,
// warnings, summaries) agree on one spelling. The web console's script spells a few of them
// itself (runtime/console_page.cpp); a test holds it to this list.
// clang-format off
#define KIS_METRIC_NAMES(X) \
  /* REST calls and permits (the rate governor sees every outcome, so it reports these) */ \
  X(rest_calls_total)                    /* counter */ \
  X(rest_call_successes_total)           /* counter */ \
  X(rest_call_failures_total)            /* counter */ \
  X(rest_rate_limited_total)             /* counter */ \
  X(rest_success_ratio)                  /* gauge, 0..1 */ \
  X(rest_calls_last_second)              /* gauge */ \
  X(rest_rate_limit)                     /* gauge */ \
  X(rest_effective_rate)                 /* gauge */ \
  X(rest_max_calls_in_window)            /* gauge */ \
  X(rest_safety_margin_seconds)          /* gauge */ \
  X(permits_granted_total)               /* counter{class} */ \
  X(permits_waiting)                     /* gauge{class} */ \
  X(permit_wait_seconds)                 /* histogram{class} */ \
  X(api_error_codes_total)               /* counter{code} */ \
  /* rest gateway */ \
  X(gateway_calls_total)                 /* counter{endpoint} */ \
  X(gateway_call_errors_total)           /* counter{endpoint,error} */ \
  X(gateway_calls_in_flight)             /* gauge */ \
  X(gateway_quote_cache_entries)         /* gauge */ \
  X(gateway_quote_cache_hits_total)      /* counter */ \
  X(gateway_quotes_coalesced_total)      /* counter */ \
  X(gateway_retries_total)               /* counter{reason} */ \
  X(gateway_permits_returned_total)      /* counter */ \
  /* token keeper */ \
  X(token_age_seconds)                   /* gauge */ \
  X(token_remaining_seconds)             /* gauge */ \
  X(token_issues_total)                  /* counter */ \
  X(token_from_cache)                    /* gauge, 0/1 */ \
  X(token_valid)                         /* gauge, 0/1 */ \
  X(token_waiters)                       /* gauge */ \
  /* ws feed */ \
  X(ws_registrations)                    /* gauge */ \
  X(ws_registrations_limit)              /* gauge (41) */ \
  X(ws_reconnects_total)                 /* counter */ \
  X(ws_frames_total)                     /* counter */ \
  X(ws_frames_per_second)                /* gauge */ \
  X(ws_drops_total)                      /* counter{reason} */ \
  X(ws_connected)                        /* gauge, 0/1 */ \
  X(ws_records_total)                    /* counter */ \
  X(ws_parse_errors_total)               /* counter */ \
  X(ws_pings_answered_total)             /* counter */ \
  X(ws_last_recovery_seconds)            /* gauge */ \
  X(ws_market_closed)                    /* gauge, 0/1 */ \
  X(ws_quiet_spells_total)               /* counter */ \
  X(ws_slot_moves_total)                 /* counter */ \
  X(ws_slot_score)                       /* gauge{symbol} */ \
  X(ws_slot_waiting)                     /* gauge */ \
  X(ws_subscribers)                      /* gauge */ \
  /* analyzers */ \
  X(analyzer_symbols)                    /* gauge */ \
  X(analyzer_ticks_total)                /* counter */ \
  X(analyzer_quotes_total)               /* counter */ \
  X(analyzer_polls_total)                /* counter */ \
  X(analyzer_closed_waits_total)         /* counter */ \
  X(analyzer_poll_errors_total)          /* counter */ \
  X(analyzer_ws_cap_fallbacks_total)     /* counter */ \
  X(analyzer_bars_total)                 /* counter */ \
  X(analyzer_events_total)               /* counter */ \
  X(analyzer_history_errors_total)       /* counter */ \
  X(analyzer_history_calls_total)        /* counter */ \
  X(analyzer_history_cached_total)       /* counter */ \
  /* strategy hosts */ \
  X(strategy_events_total)               /* counter */ \
  X(strategy_signals_total)              /* counter */ \
  X(strategy_signals_accepted_total)     /* counter */ \
  X(strategy_signals_refused_total)      /* counter */ \
  X(strategy_errors_total)               /* counter */ \
  X(strategy_executor_unreachable_total) /* counter */ \
  X(strategy_session_events_total)       /* counter */ \
  /* order executor */ \
  X(executor_queue_depth)                /* gauge */ \
  X(signals_total)                       /* counter */ \
  X(signals_accepted_total)              /* counter */ \
  X(signal_refusals_total)               /* counter{reason} */ \
  X(orders)                              /* gauge{state} */ \
  X(fills_total)                         /* counter */ \
  X(realized_pnl_krw)                    /* gauge */ \
  X(executor_in_flight)                  /* gauge */ \
  X(executor_orders_open)                /* gauge */ \
  X(executor_killed)                     /* gauge, 0/1 */ \
  X(executor_journal_errors_total)       /* counter */ \
  X(order_signal_to_ack_seconds)         /* histogram */ \
  X(position_qty)                        /* gauge{symbol} */ \
  X(position_avg_price)                  /* gauge{symbol} */ \
  X(position_last_price)                 /* gauge{symbol} */ \
  X(position_realized_pnl_krw)           /* gauge{symbol} */ \
  X(blotter_qty)                         /* gauge{order} */ \
  X(blotter_filled_qty)                  /* gauge{order} */ \
  X(blotter_avg_price)                   /* gauge{order} */ \
  X(blotter_life_seconds)                /* gauge{order} */ \
  /* order journal */ \
  X(journal_commits_total)               /* counter */ \
  X(journal_writes_total)                /* counter */ \
  X(journal_errors_total)                /* counter */ \
  X(journal_batch_max)                   /* gauge */ \
  /* metrics actor and every actor's recorder */ \
  X(metric_samples_total)                /* counter */ \
  X(metric_warnings_total)               /* counter */ \
  X(metric_warnings_active)              /* gauge */ \
  X(metric_actors_reporting)             /* gauge */ \
  X(actor_processing_seconds)            /* histogram */ \
  /* replay */ \
  X(replay_records_total)                /* counter */ \
  X(replay_fill_model_calls_total)       /* counter */ \
  X(replay_progress_ratio)               /* gauge, 0..1 */ \
  X(replay_virtual_time_seconds)         /* gauge */
// clang-format on

namespace kis::metric_names {

#define KIS_METRIC_NAME(name) inline constexpr const char* name = #name;
KIS_METRIC_NAMES(KIS_METRIC_NAME)
#undef KIS_METRIC_NAME

// All of the above, for the checks that hold other spellings (the console's script) to them.
#define KIS_METRIC_NAME(name) std::string_view{name},
inline constexpr std::string_view all[] = {KIS_METRIC_NAMES(KIS_METRIC_NAME)};
#undef KIS_METRIC_NAME

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
