#include "runtime/metrics_cli.hpp"

#include <algorithm>
#include <map>
#include <cstdarg>
#include <cstdio>
#include <ctime>
#include <ostream>
#include <thread>
#include <vector>

#include <curl/curl.h>

#include "runtime/exposition.hpp"

namespace kis {

namespace {

[[gnu::format(printf, 1, 2)]] std::string fmt(const char* format, ...) {
  char buf[512];
  va_list args;
  va_start(args, format);
  std::vsnprintf(buf, sizeof buf, format, args);
  va_end(args);
  return buf;
}

std::optional<std::string> http_get(const std::string& url, std::string* error) {
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> h{curl_easy_init(), curl_easy_cleanup};
  if (!h) {
    *error = "cannot start libcurl";
    return std::nullopt;
  }
  std::string body;
  auto sink = +[](char* data, std::size_t size, std::size_t n, void* out) {
    static_cast<std::string*>(out)->append(data, size * n);
    return size * n;
  };
  curl_easy_setopt(h.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(h.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h.get(), CURLOPT_TIMEOUT_MS, 2000L);
  curl_easy_setopt(h.get(), CURLOPT_WRITEFUNCTION, sink);
  curl_easy_setopt(h.get(), CURLOPT_WRITEDATA, &body);
  if (auto rc = curl_easy_perform(h.get()); rc != CURLE_OK) {
    *error = "cannot read " + url + ": " + curl_easy_strerror(rc);
    return std::nullopt;
  }
  long status = 0;
  curl_easy_getinfo(h.get(), CURLINFO_RESPONSE_CODE, &status);
  if (status != 200) {
    *error = url + " answered HTTP " + std::to_string(status);
    return std::nullopt;
  }
  return body;
}

std::string clock_time(std::int64_t at_ns) {
  std::time_t t = static_cast<std::time_t>(at_ns / 1'000'000'000);
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

double mib(std::uint64_t bytes) {
  return static_cast<double>(bytes) / (1024.0 * 1024.0);
}

double mean_ms(const actor_sample& s) {
  return s.processing.count > 0 ? 1e3 * s.processing.sum / static_cast<double>(s.processing.count)
                                : 0.0;
}

std::string bar(double value, double limit, std::size_t width) {
  auto filled = limit > 0
                    ? static_cast<std::size_t>(
                          std::clamp(value / limit, 0.0, 1.0) * static_cast<double>(width) + 0.5)
                    : 0;
  return '[' + std::string(filled, '#') + std::string(width - filled, '.') + ']';
}

std::string fit(std::string s, std::size_t width) {
  if (s.size() > width)
    s.resize(width);
  return s;
}

// Messages per second of one actor between two snapshots; 0 without a previous one.
double rate(const actor_sample& s, const metrics_snapshot* prev, std::int64_t now_ns) {
  if (prev == nullptr || now_ns <= prev->at_ns)
    return 0;
  for (const auto& p : prev->actors)
    if (p.actor == s.actor && s.processed >= p.processed)
      return static_cast<double>(s.processed - p.processed) * 1e9 /
             static_cast<double>(now_ns - prev->at_ns);
  return 0;
}

std::string api_lines(const engine_summary& sum) {
  std::string out;
  out += fmt("API calls total        %.0f\n", sum.api_calls);
  out += fmt("API success rate       %.2f %%\n", 100.0 * sum.api_success_ratio);
  if (sum.api_rate_limit > 0)
    out +=
        fmt("API calls last second  %.0f / %.0f\n", sum.api_calls_last_second, sum.api_rate_limit);
  else
    out += fmt("API calls last second  %.0f\n", sum.api_calls_last_second);
  return out;
}

// REST permits by class and EGW00201 answers: where the budget went.
std::string budget_line(const metrics_snapshot& snap) {
  static constexpr const char* classes[] = {"order",         "cancel_revise", "pretrade",
                                            "account_query", "market_data",   "history"};
  std::map<std::string, double> by_class;
  double rate_limited = 0;
  for (const auto& a : snap.actors)
    for (const auto& p : a.values) {
      if (p.name == metric_names::permits_granted_total)
        for (const auto& l : p.labels)
          if (l.name == "class")
            by_class[l.value] += p.value;
      if (p.name == metric_names::rest_rate_limited_total)
        rate_limited += p.value;
    }
  std::string out = "REST by class          ";
  for (const char* c : classes)
    out += fmt("%s %.0f  ", c, by_class[c]);
  out += fmt("| EGW00201 %.0f\n", rate_limited);
  return out;
}

} // namespace

std::string metrics_json_url(std::string_view url) {
  std::string out{url.empty() ? std::string_view{default_metrics_url} : url};
  if (out.find("://") == std::string::npos)
    out = "http://" + out;
  auto scheme_end = out.find("://") + 3;
  if (out.find('/', scheme_end) == std::string::npos)
    out += "/metrics.json";
  return out;
}

std::optional<metrics_snapshot> fetch_snapshot(const std::string& url, std::string* error) {
  std::string ignored;
  auto& why = error ? *error : ignored;
  auto body = http_get(metrics_json_url(url), &why);
  if (!body)
    return std::nullopt;
  return snapshot_from_json(*body, &why);
}

std::string format_report(const metrics_snapshot& snap) {
  auto sum = summarize(snap);
  std::string out = api_lines(sum);
  out += fmt("process                rss %.1f MiB, cpu %.1f %%, %s\n", mib(snap.rss_bytes),
             snap.cpu_percent, clock_time(snap.at_ns).c_str());
  out += fmt("ws registrations       %.0f / %.0f\n", sum.ws_slots, sum.ws_slots_limit);
  out += fmt("orders %.0f, fills %.0f, signals %.0f, queue %.0f, realized P&L %.0f KRW\n\n",
             sum.orders, sum.fills, sum.signals, sum.executor_queue, sum.realized_pnl);
  out += fmt("%-24s %-16s %12s %8s %8s %8s %10s\n", "ACTOR", "ROLE", "PROCESSED", "ERRORS",
             "MAILBOX", "MAX", "MEAN ms");
  for (const auto& s : snap.actors)
    out += fmt("%-24s %-16s %12llu %8llu %8llu %8llu %10.3f\n", fit(s.actor, 24).c_str(),
               fit(s.role, 16).c_str(), static_cast<unsigned long long>(s.processed),
               static_cast<unsigned long long>(s.errors),
               static_cast<unsigned long long>(s.mailbox_depth),
               static_cast<unsigned long long>(s.mailbox_depth_max), mean_ms(s));
  return out;
}

std::string format_top(const metrics_snapshot& snap, const metrics_snapshot* previous,
                       top_sort sort, std::size_t width) {
  auto sum = summarize(snap);
  auto bar_width = std::clamp<std::size_t>(width / 4, 10, 40);
  static constexpr const char* sort_names[] = {"mailbox", "time", "processed", "name"};
  std::string out = fmt("kis-engine top  %s  sort: %s\n", clock_time(snap.at_ns).c_str(),
                        sort_names[static_cast<int>(sort)]);
  out += fmt("API budget %s %4.0f/%-4.0f per s   success %.1f %%   calls %.0f\n",
             bar(sum.api_calls_last_second, sum.api_rate_limit, bar_width).c_str(),
             sum.api_calls_last_second, sum.api_rate_limit, 100.0 * sum.api_success_ratio,
             sum.api_calls);
  out += fmt("WS slots   %s %4.0f/%-4.0f         orders %.0f  fills %.0f  queue %.0f  P&L %.0f\n",
             bar(sum.ws_slots, sum.ws_slots_limit, bar_width).c_str(), sum.ws_slots,
             sum.ws_slots_limit, sum.orders, sum.fills, sum.executor_queue, sum.realized_pnl);
  out += fmt("process    rss %.1f MiB  cpu %.1f %%  actors %llu  errors %llu\n\n",
             mib(snap.rss_bytes), snap.cpu_percent, static_cast<unsigned long long>(sum.actors),
             static_cast<unsigned long long>(sum.errors));

  struct row {
    const actor_sample* s;
    double per_second;
    double mean;
    double load; // busy share with a previous frame, else the mean handler time
  };
  std::vector<row> rows;
  for (const auto& s : snap.actors) {
    auto per_second = rate(s, previous, snap.at_ns);
    rows.push_back({&s, per_second, mean_ms(s), previous ? mean_ms(s) * per_second : mean_ms(s)});
  }
  std::stable_sort(rows.begin(), rows.end(), [sort](const row& x, const row& y) {
    switch (sort) {
    case top_sort::mailbox:
      return x.s->mailbox_depth_max > y.s->mailbox_depth_max;
    case top_sort::time:
      return x.load > y.load;
    case top_sort::processed:
      return x.s->processed > y.s->processed;
    case top_sort::name:
      break;
    }
    return x.s->actor < y.s->actor;
  });
  out += fmt("%-24s %-16s %10s %8s %8s %10s %6s %8s\n", "ACTOR", "ROLE", "MSG/S", "MAILBOX", "MAX",
             "MEAN ms", "BUSY%", "ERRORS");
  for (const auto& r : rows)
    out += fmt("%-24s %-16s %10.1f %8llu %8llu %10.3f %6.1f %8llu\n", fit(r.s->actor, 24).c_str(),
               fit(r.s->role, 16).c_str(), r.per_second,
               static_cast<unsigned long long>(r.s->mailbox_depth),
               static_cast<unsigned long long>(r.s->mailbox_depth_max), r.mean,
               r.mean * r.per_second / 10.0, // ms per message * messages/s -> percent
               static_cast<unsigned long long>(r.s->errors));
  return out;
}

std::string format_status_line(const metrics_snapshot& snap) {
  auto sum = summarize(snap);
  return fmt("api %.0f calls, %.1f%% ok, %.0f/%.0f last s | ws %.0f/%.0f | signals %.0f orders "
             "%.0f fills %.0f queue %.0f | %llu actors, rss %.0f MiB, cpu %.0f%%",
             sum.api_calls, 100.0 * sum.api_success_ratio, sum.api_calls_last_second,
             sum.api_rate_limit, sum.ws_slots, sum.ws_slots_limit, sum.signals, sum.orders,
             sum.fills, sum.executor_queue, static_cast<unsigned long long>(sum.actors),
             mib(snap.rss_bytes), snap.cpu_percent);
}

std::string format_run_summary(const metrics_snapshot& snap) {
  auto sum = summarize(snap);
  std::string out = "run summary\n" + api_lines(sum) + budget_line(snap);
  out += fmt("signals %.0f, orders %.0f, fills %.0f, realized P&L %.0f KRW\n", sum.signals,
             sum.orders, sum.fills, sum.realized_pnl);
  out += fmt("%llu messages over %llu actors, %llu errors; peak rss %.1f MiB, cpu %.1f s\n",
             static_cast<unsigned long long>(sum.processed),
             static_cast<unsigned long long>(sum.actors),
             static_cast<unsigned long long>(sum.errors), mib(snap.rss_bytes), snap.cpu_seconds);
  return out;
}

int run_metrics_command(const std::string& url, bool json, std::ostream& out, std::ostream& err) {
  std::string error;
  auto target = metrics_json_url(url);
  if (json) {
    auto body = http_get(target, &error);
    if (!body) {
      err << "kis-engine metrics: " << error << '\n';
      return 1;
    }
    out << *body << '\n';
    return 0;
  }
  auto snap = fetch_snapshot(target, &error);
  if (!snap) {
    err << "kis-engine metrics: " << error << '\n';
    return 1;
  }
  out << format_report(*snap);
  return 0;
}

std::optional<top_sort> parse_top_sort(std::string_view text) {
  if (text == "mailbox")
    return top_sort::mailbox;
  if (text == "time")
    return top_sort::time;
  if (text == "processed")
    return top_sort::processed;
  if (text == "name")
    return top_sort::name;
  return std::nullopt;
}

int run_top_command(const std::string& url, top_sort sort, int iterations, std::ostream& out,
                    std::ostream& err, std::chrono::milliseconds refresh) {
  auto target = metrics_json_url(url);
  std::optional<metrics_snapshot> previous;
  for (int i = 0; iterations <= 0 || i < iterations; ++i) {
    if (i > 0)
      std::this_thread::sleep_for(refresh);
    std::string error;
    auto snap = fetch_snapshot(target, &error);
    if (!snap) {
      err << "kis-engine top: " << error << '\n';
      return 1;
    }
    out << "\x1b[H\x1b[2J" << format_top(*snap, previous ? &*previous : nullptr, sort)
        << std::flush;
    previous = std::move(snap);
  }
  return 0;
}

} // namespace kis
