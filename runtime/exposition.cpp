#include "runtime/exposition.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <vector>

#include <boost/json.hpp>

namespace kis {

namespace {

namespace json = boost::json;

// HELP text for the families every engine exports; role metrics not listed get a generic one.
const std::map<std::string_view, std::string_view>& help_texts() {
  namespace m = metric_names;
  static const std::map<std::string_view, std::string_view> texts{
      {m::rest_calls_total, "REST calls made to KIS."},
      {m::rest_call_successes_total, "REST calls that succeeded."},
      {m::rest_call_failures_total, "REST calls that failed (transport, HTTP or KIS error)."},
      {m::rest_calls_last_second, "REST calls in the last second."},
      {m::rest_success_ratio, "Share of REST calls that succeeded."},
      {m::rest_rate_limit, "REST calls allowed per second."},
      {m::permits_granted_total, "Call permits granted by the rate governor, by class."},
      {m::permits_waiting, "Requesters waiting for a permit, by class."},
      {m::permit_wait_seconds, "Time from permit request to grant, by class."},
      {m::rest_effective_rate, "Effective permit rate over the last second."},
      {m::api_error_codes_total, "KIS error codes seen, by code (EGW00201 rate, EGW00133 token)."},
      {m::token_age_seconds, "Age of the access token."},
      {m::token_remaining_seconds, "Remaining life of the access token."},
      {m::token_issues_total, "Access tokens issued."},
      {m::ws_registrations, "WebSocket registrations in use."},
      {m::ws_registrations_limit, "WebSocket registrations allowed (41)."},
      {m::ws_reconnects_total, "WebSocket reconnects."},
      {m::ws_frames_total, "WebSocket frames received."},
      {m::ws_frames_per_second, "WebSocket frames received per second."},
      {m::ws_drops_total, "Frames or ticks dropped, by reason."},
      {m::executor_queue_depth, "Signals waiting in the order executor's queue."},
      {m::signals_total, "Signals received by the order executor."},
      {m::signal_refusals_total, "Signals refused, by reason."},
      {m::orders, "Orders, by state."},
      {m::fills_total, "Fills reconciled."},
      {m::realized_pnl_krw, "Realized profit and loss in won."},
  };
  return texts;
}

std::string number(double x) {
  if (std::isnan(x))
    return "NaN";
  if (std::isinf(x))
    return x > 0 ? "+Inf" : "-Inf";
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, x);
  return std::string(buf, r.ptr);
}

std::string help_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

// One metric family: HELP, TYPE and its series, rendered in the order families first appear.
struct family {
  std::string type;
  std::string help;
  std::string body;
};

class text_writer {
public:
  // Returns null when `name` already exists with another type: a family has one type.
  family* get(const std::string& name, std::string_view type, std::string_view help) {
    auto [it, fresh] = families_.try_emplace(name);
    if (fresh) {
      order_.push_back(name);
      it->second.type = type;
      it->second.help = help;
    }
    return it->second.type == type ? &it->second : nullptr;
  }

  static void series(family& f, const std::string& name, const std::vector<label>& labels,
                     const std::string& value) {
    f.body += name;
    if (!labels.empty()) {
      f.body += '{';
      for (std::size_t i = 0; i < labels.size(); ++i) {
        if (i > 0)
          f.body += ',';
        f.body += labels[i].name + "=\"" + escape_label_value(labels[i].value) + '"';
      }
      f.body += '}';
    }
    f.body += ' ' + value + '\n';
  }

  void histogram(const std::string& name, std::string_view help, std::vector<label> labels,
                 const histogram_point& h) {
    auto* f = get(name, "histogram", help);
    if (f == nullptr || h.counts.size() != h.bounds.size() + 1)
      return;
    labels.push_back({"le", ""});
    for (std::size_t i = 0; i < h.counts.size(); ++i) {
      labels.back().value = i < h.bounds.size() ? number(h.bounds[i]) : "+Inf";
      series(*f, name + "_bucket", labels, std::to_string(h.counts[i]));
    }
    labels.pop_back();
    series(*f, name + "_sum", labels, number(h.sum));
    series(*f, name + "_count", labels, std::to_string(h.count));
  }

  std::string str() const {
    std::string out;
    for (const auto& name : order_) {
      const auto& f = families_.at(name);
      out += "# HELP " + name + ' ' + help_escape(f.help) + '\n';
      out += "# TYPE " + name + ' ' + f.type + '\n';
      out += f.body;
    }
    return out;
  }

private:
  std::map<std::string, family> families_;
  std::vector<std::string> order_;
};

std::vector<label> actor_labels(const actor_sample& s, const std::vector<label>& extra = {}) {
  std::vector<label> out{{"actor", s.actor}, {"role", s.role}};
  out.insert(out.end(), extra.begin(), extra.end());
  return out;
}

std::string_view help_for(const std::string& name) {
  auto it = help_texts().find(name);
  return it != help_texts().end() ? it->second
                                  : std::string_view{"Role metric reported by an actor."};
}

// Role metrics go out in name order so that every scrape looks the same.
void role_metrics(text_writer& w, const std::vector<const actor_sample*>& actors) {
  std::vector<std::pair<const actor_sample*, const metric_point*>> points;
  std::vector<std::pair<const actor_sample*, const histogram_point*>> hists;
  for (const auto* s : actors) {
    for (const auto& p : s->values)
      points.emplace_back(s, &p);
    for (const auto& h : s->histograms)
      hists.emplace_back(s, &h);
  }
  auto by_name = [](const auto& x, const auto& y) { return x.second->name < y.second->name; };
  std::stable_sort(points.begin(), points.end(), by_name);
  std::stable_sort(hists.begin(), hists.end(), by_name);
  for (const auto& [s, p] : points) {
    if (p->name.empty())
      continue;
    auto name = "kis_" + p->name;
    auto type = p->type == metric_type::counter ? "counter" : "gauge";
    if (auto* f = w.get(name, type, help_for(p->name)))
      text_writer::series(*f, name, actor_labels(*s, p->labels), number(p->value));
  }
  for (const auto& [s, h] : hists)
    if (!h->name.empty())
      w.histogram("kis_" + h->name, help_for(h->name), actor_labels(*s, h->labels), *h);
}

// --- JSON ---

json::array labels_json(const std::vector<label>& labels) {
  json::array out;
  for (const auto& l : labels)
    out.push_back(json::object{{"name", l.name}, {"value", l.value}});
  return out;
}

double finite(double x) {
  return std::isfinite(x) ? x : 0.0;
}

json::object histogram_json(const histogram_point& h) {
  json::array bounds, counts;
  for (auto b : h.bounds)
    bounds.push_back(finite(b));
  for (auto c : h.counts)
    counts.push_back(c);
  return {{"name", h.name},       {"labels", labels_json(h.labels)},
          {"bounds", bounds},     {"counts", counts},
          {"sum", finite(h.sum)}, {"count", h.count}};
}

json::object summary_json(const engine_summary& s) {
  return {{metric_names::rest_calls_total, s.api_calls},
          {metric_names::rest_success_ratio, s.api_success_ratio},
          {metric_names::rest_calls_last_second, s.api_calls_last_second},
          {metric_names::rest_call_failures_total, s.api_failures},
          {metric_names::rest_rate_limit, s.api_rate_limit},
          {metric_names::ws_registrations, s.ws_slots},
          {metric_names::ws_registrations_limit, s.ws_slots_limit},
          {metric_names::orders, s.orders},
          {metric_names::signals_total, s.signals},
          {metric_names::fills_total, s.fills},
          {metric_names::realized_pnl_krw, s.realized_pnl},
          {metric_names::executor_queue_depth, s.executor_queue},
          {"actors", s.actors},
          {"messages_processed_total", s.processed},
          {"errors_total", s.errors}};
}

std::vector<label> labels_from(const json::value& v) {
  std::vector<label> out;
  for (const auto& l : v.as_array())
    out.push_back(
        {json::value_to<std::string>(l.at("name")), json::value_to<std::string>(l.at("value"))});
  return out;
}

histogram_point histogram_from(const json::value& v) {
  histogram_point h;
  h.name = json::value_to<std::string>(v.at("name"));
  h.labels = labels_from(v.at("labels"));
  h.bounds = json::value_to<std::vector<double>>(v.at("bounds"));
  h.counts = json::value_to<std::vector<std::uint64_t>>(v.at("counts"));
  h.sum = json::value_to<double>(v.at("sum"));
  h.count = json::value_to<std::uint64_t>(v.at("count"));
  return h;
}

actor_sample sample_from(const json::value& v) {
  actor_sample s;
  s.actor = json::value_to<std::string>(v.at("actor"));
  s.role = json::value_to<std::string>(v.at("role"));
  s.at_ns = json::value_to<std::int64_t>(v.at("at_ns"));
  s.processed = json::value_to<std::uint64_t>(v.at("processed"));
  s.errors = json::value_to<std::uint64_t>(v.at("errors"));
  s.mailbox_depth = json::value_to<std::uint64_t>(v.at("mailbox_depth"));
  s.mailbox_depth_max = json::value_to<std::uint64_t>(v.at("mailbox_depth_max"));
  s.processing = histogram_from(v.at("processing"));
  for (const auto& p : v.at("values").as_array()) {
    auto type = json::value_to<std::string>(p.at("type"));
    s.values.push_back({json::value_to<std::string>(p.at("name")),
                        type == "counter" ? metric_type::counter : metric_type::gauge,
                        labels_from(p.at("labels")), json::value_to<double>(p.at("value"))});
  }
  for (const auto& h : v.at("histograms").as_array())
    s.histograms.push_back(histogram_from(h));
  return s;
}

} // namespace

std::string escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string to_prometheus(const metrics_snapshot& snap) {
  text_writer w;
  auto one = [&](const std::string& name, std::string_view type, std::string_view help,
                 double value) {
    if (auto* f = w.get(name, type, help))
      text_writer::series(*f, name, {}, number(value));
  };
  one("kis_process_resident_memory_bytes", "gauge", "Resident memory of the engine process.",
      static_cast<double>(snap.rss_bytes));
  one("kis_process_cpu_seconds_total", "counter", "User and system CPU time of the process.",
      snap.cpu_seconds);
  one("kis_process_cpu_usage_ratio", "gauge", "CPU use over the last interval, 1 = all cores.",
      snap.cpu_percent / 100.0);
  one("kis_snapshot_timestamp_seconds", "gauge", "When the metrics actor built this snapshot.",
      static_cast<double>(snap.at_ns) / 1e9);

  std::vector<const actor_sample*> actors;
  for (const auto& s : snap.actors)
    actors.push_back(&s);
  std::stable_sort(actors.begin(), actors.end(),
                   [](const auto* x, const auto* y) { return x->actor < y->actor; });
  auto per_actor = [&](const std::string& name, std::string_view type, std::string_view help,
                       auto value_of) {
    auto* f = w.get(name, type, help);
    for (const auto* s : actors)
      text_writer::series(*f, name, actor_labels(*s), std::to_string(value_of(*s)));
  };
  per_actor("kis_actor_messages_processed_total", "counter", "Messages an actor has handled.",
            [](const actor_sample& s) { return s.processed; });
  per_actor("kis_actor_errors_total", "counter", "Messages whose handling failed.",
            [](const actor_sample& s) { return s.errors; });
  per_actor("kis_actor_mailbox_depth", "gauge", "Messages waiting, sampled inside the actor.",
            [](const actor_sample& s) { return s.mailbox_depth; });
  per_actor("kis_actor_mailbox_depth_max", "gauge", "Deepest mailbox seen in the last interval.",
            [](const actor_sample& s) { return s.mailbox_depth_max; });
  for (const auto* s : actors)
    w.histogram("kis_actor_processing_seconds", "Handler time (sampled observations).",
                actor_labels(*s), s->processing);
  role_metrics(w, actors);
  return w.str();
}

engine_summary summarize(const metrics_snapshot& snap) {
  namespace m = metric_names;
  engine_summary out;
  auto total = [&](const char* name) {
    double sum = 0;
    for (const auto& s : snap.actors)
      sum += find_total(s, name).value_or(0);
    return sum;
  };
  out.api_calls = total(m::rest_calls_total);
  out.api_failures = total(m::rest_call_failures_total);
  out.api_success_ratio =
      out.api_calls > 0 ? (out.api_calls - out.api_failures) / out.api_calls : 1;
  out.api_calls_last_second = total(m::rest_calls_last_second);
  out.api_rate_limit = total(m::rest_rate_limit);
  out.ws_slots = total(m::ws_registrations);
  out.ws_slots_limit = total(m::ws_registrations_limit);
  out.orders = total(m::orders);
  out.signals = total(m::signals_total);
  out.fills = total(m::fills_total);
  out.realized_pnl = total(m::realized_pnl_krw);
  out.executor_queue = total(m::executor_queue_depth);
  out.actors = snap.actors.size();
  for (const auto& s : snap.actors) {
    out.processed += s.processed;
    out.errors += s.errors;
  }
  return out;
}

std::string to_json(const metrics_snapshot& snap) {
  json::array actors;
  for (const auto& s : snap.actors) {
    json::array values, hists;
    for (const auto& p : s.values)
      values.push_back(json::object{{"name", p.name},
                                    {"type", p.type == metric_type::counter ? "counter" : "gauge"},
                                    {"labels", labels_json(p.labels)},
                                    {"value", finite(p.value)}});
    for (const auto& h : s.histograms)
      hists.push_back(histogram_json(h));
    actors.push_back(json::object{{"actor", s.actor},
                                  {"role", s.role},
                                  {"at_ns", s.at_ns},
                                  {"processed", s.processed},
                                  {"errors", s.errors},
                                  {"mailbox_depth", s.mailbox_depth},
                                  {"mailbox_depth_max", s.mailbox_depth_max},
                                  {"processing", histogram_json(s.processing)},
                                  {"values", values},
                                  {"histograms", hists}});
  }
  json::array warnings;
  for (const auto& w : snap.warnings)
    warnings.push_back(json::object{
        {"at_ns", w.at_ns}, {"key", w.key}, {"message", w.message}, {"raised", w.raised}});
  json::object root{{"summary", summary_json(summarize(snap))},
                    {"at_ns", snap.at_ns},
                    {"rss_bytes", snap.rss_bytes},
                    {"cpu_seconds", finite(snap.cpu_seconds)},
                    {"cpu_percent", finite(snap.cpu_percent)},
                    {"actors", actors},
                    {"warnings", warnings}};
  return json::serialize(root);
}

std::optional<metrics_snapshot> snapshot_from_json(std::string_view text, std::string* error) {
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  if (ec) {
    if (error)
      *error = "not JSON: " + ec.message();
    return std::nullopt;
  }
  try {
    metrics_snapshot snap;
    snap.at_ns = json::value_to<std::int64_t>(v.at("at_ns"));
    snap.rss_bytes = json::value_to<std::uint64_t>(v.at("rss_bytes"));
    snap.cpu_seconds = json::value_to<double>(v.at("cpu_seconds"));
    snap.cpu_percent = json::value_to<double>(v.at("cpu_percent"));
    for (const auto& a : v.at("actors").as_array())
      snap.actors.push_back(sample_from(a));
    if (const auto* ws = v.as_object().if_contains("warnings"); ws && ws->is_array())
      for (const auto& w : ws->as_array())
        snap.warnings.push_back(
            {json::value_to<std::int64_t>(w.at("at_ns")), json::value_to<std::string>(w.at("key")),
             json::value_to<std::string>(w.at("message")), w.at("raised").as_bool()});
    return snap;
  } catch (const std::exception& e) {
    if (error)
      *error = std::string{"not a metrics snapshot: "} + e.what();
    return std::nullopt;
  }
}

} // namespace kis
