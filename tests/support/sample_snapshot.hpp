// A small but complete engine snapshot for exposition, view and server tests.
#pragma once

#include "messages/metrics.hpp"

namespace kis::testing {

inline histogram_point processing(std::uint64_t n) {
  histogram_point h{"actor_processing_seconds", {}, {}, {}, 0.000'05 * static_cast<double>(n), n};
  for (double b : {1e-6, 2.5e-6, 5e-6,   1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3,
                   5e-3, 1e-2,   2.5e-2, 5e-2, 0.1,    0.25, 0.5,  1.0,    2.5,  5.0,  10.0})
    h.bounds.push_back(b);
  for (std::size_t i = 0; i <= h.bounds.size(); ++i)
    h.counts.push_back(i < 5 ? 0 : n);
  return h;
}

inline actor_sample sample_of(std::string actor, std::string role, std::uint64_t processed,
                              std::uint64_t depth) {
  actor_sample s;
  s.actor = std::move(actor);
  s.role = std::move(role);
  s.at_ns = 1'767'225'600'000'000'000;
  s.processed = processed;
  s.mailbox_depth = depth;
  s.mailbox_depth_max = depth;
  s.processing = processing(processed);
  return s;
}

inline metrics_snapshot sample_snapshot() {
  namespace m = metric_names;
  using enum metric_type;
  metrics_snapshot snap;
  snap.at_ns = 1'767'225'601'000'000'000;
  snap.rss_bytes = 48u << 20;
  snap.cpu_seconds = 3.5;
  snap.cpu_percent = 12.5;
  auto gw = sample_of("rest_gateway", "rest_gateway", 240, 2);
  gw.values = {{m::rest_calls_total, counter, {}, 120},
               {m::rest_call_failures_total, counter, {}, 3},
               {m::rest_calls_last_second, gauge, {}, 14},
               {m::rest_rate_limit, gauge, {}, 20}};
  auto gov = sample_of("rate_governor", "rate_governor", 300, 1);
  gov.values = {{m::permits_granted_total, counter, {{"class", "order"}}, 7},
                {m::permits_granted_total, counter, {{"class", "market_data"}}, 113},
                {m::api_error_codes_total, counter, {{"code", "EGW00201"}}, 2}};
  histogram_point wait = processing(120);
  wait.name = m::permit_wait_seconds;
  wait.labels = {{"class", "order"}};
  gov.histograms = {wait};
  auto feed = sample_of("ws_feed", "ws_feed", 9000, 0);
  feed.values = {{m::ws_registrations, gauge, {}, 37}, {m::ws_registrations_limit, gauge, {}, 41}};
  auto an = sample_of("analyzer-1", "analyzer", 5000, 42);
  snap.actors = {gw, gov, feed, an};
  return snap;
}

} // namespace kis::testing
