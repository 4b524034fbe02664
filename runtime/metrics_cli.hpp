// What a person reads: `kis-engine metrics` (one snapshot), `kis-engine top` (a live view
// refreshing every second) and the one-line status of `kis-engine run`. All read the JSON
// snapshot that /metrics.json serves; nothing here talks to an actor.
#pragma once

#include <chrono>
#include <cstddef>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>

#include "messages/metrics.hpp"

namespace kis {

inline constexpr const char* default_metrics_url = "http://127.0.0.1:9464";

// "127.0.0.1:9464", "http://host:port" or a full ".../metrics.json" URL -> the JSON URL.
std::string metrics_json_url(std::string_view url);

// HTTP GET of /metrics.json (libcurl, 2 s timeout). Sets *error on failure.
std::optional<metrics_snapshot> fetch_snapshot(const std::string& url, std::string* error);

// `kis-engine metrics [--url URL] [--json]`: 0 on success, 1 when the engine cannot be read.
// With json the body is printed as served; otherwise format_report.
int run_metrics_command(const std::string& url, bool json, std::ostream& out, std::ostream& err);

enum class top_sort { mailbox, time, processed, name };
std::optional<top_sort> parse_top_sort(std::string_view text); // mailbox|time|processed|name

// `kis-engine top`: redraws every `refresh` until `iterations` frames (0 = until killed).
int run_top_command(const std::string& url, top_sort sort, int iterations, std::ostream& out,
                    std::ostream& err, std::chrono::milliseconds refresh = std::chrono::seconds{1});

// The text of `kis-engine metrics`: the three API figures first, then one line per actor.
std::string format_report(const metrics_snapshot& snap);

// One frame of `top` (no screen control codes). `previous` gives per-second rates.
std::string format_top(const metrics_snapshot& snap, const metrics_snapshot* previous,
                       top_sort sort, std::size_t width = 100);

// One line for `kis-engine run`'s status, e.g.
// "api 1234 calls, 99.9% ok, 14/20 last s | ws 37/41 | orders 12 fills 9 | 11 actors, rss 48 MiB"
std::string format_status_line(const metrics_snapshot& snap);

// The end-of-run summary, several lines, from the same snapshot.
std::string format_run_summary(const metrics_snapshot& snap);

} // namespace kis
