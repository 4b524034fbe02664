#include "actors/observability/instrumentation.hpp"

#include <algorithm>
#include <bit>
#include <iterator>

#include <caf/actor_cast.hpp>
#include <caf/actor_registry.hpp>
#include <caf/actor_system.hpp>
#include <caf/scheduled_actor.hpp>
#include <caf/send.hpp>

namespace kis {

namespace {

bool is_alnum(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

std::vector<label> make_labels(label_args args) {
  std::vector<label> out;
  out.reserve(args.size());
  for (const auto& [name, value] : args)
    if (is_valid_metric_name(name))
      out.push_back({std::string{name}, safe_label_value(value)});
  return out;
}

bool same_labels(const std::vector<label>& xs, const std::vector<label>& ys) {
  return std::equal(xs.begin(), xs.end(), ys.begin(), ys.end(), [](const auto& x, const auto& y) {
    return x.name == y.name && x.value == y.value;
  });
}

void sanitize_labels(std::vector<label>& labels) {
  std::erase_if(labels, [](const label& l) { return !is_valid_metric_name(l.name); });
  for (auto& l : labels)
    if (!is_safe_label_value(l.value))
      l.value = "redacted";
}

std::int64_t wall_now_ns() {
  // Display only: the sample's timestamp. Rates and intervals use the actor's clock.
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

} // namespace

caf::atom_value metrics_registry_key() noexcept {
  return caf::atom("metrics");
}

bool is_safe_label_value(std::string_view value) noexcept {
  if (value.empty() || value.size() > 32)
    return false;
  std::size_t run = 0;
  for (char c : value) {
    if (is_alnum(c)) {
      if (++run > 16)
        return false;
    } else if (c == '_' || c == '.' || c == ':' || c == '-') {
      run = 0;
    } else {
      return false;
    }
  }
  return true;
}

std::string safe_label_value(std::string_view value) {
  return is_safe_label_value(value) ? std::string{value} : std::string{"redacted"};
}

bool is_valid_metric_name(std::string_view name) noexcept {
  if (name.empty() || name.size() > 64 || (name.front() >= '0' && name.front() <= '9'))
    return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

void sanitize(actor_sample& sample) {
  sample.actor = safe_label_value(sample.actor);
  sample.role = safe_label_value(sample.role);
  sanitize_labels(sample.processing.labels);
  std::erase_if(sample.values, [](const metric_point& p) { return !is_valid_metric_name(p.name); });
  for (auto& p : sample.values)
    sanitize_labels(p.labels);
  std::erase_if(sample.histograms,
                [](const histogram_point& h) { return !is_valid_metric_name(h.name); });
  for (auto& h : sample.histograms)
    sanitize_labels(h.labels);
}

void latency_histogram::observe(double seconds) noexcept {
  auto i = std::lower_bound(latency_bounds.begin(), latency_bounds.end(), seconds);
  ++counts_[static_cast<std::size_t>(i - latency_bounds.begin())];
  sum_ += seconds;
  ++count_;
}

histogram_point latency_histogram::to_point(std::string name, std::vector<label> labels) const {
  histogram_point out{std::move(name), std::move(labels), {}, {}, sum_, count_};
  out.bounds.assign(latency_bounds.begin(), latency_bounds.end());
  out.counts.reserve(counts_.size());
  std::uint64_t running = 0;
  for (auto c : counts_)
    out.counts.push_back(running += c);
  return out;
}

actor_recorder::actor_recorder(std::string actor, std::string role, recorder_options opts)
    : actor_(safe_label_value(actor))
    , role_(safe_label_value(role))
    , opts_(opts) {}

void actor_recorder::attach(metrics_actor sink) {
  sink_ = std::move(sink);
}

void actor_recorder::on_publish(std::function<void(actor_sample&)> fill) {
  fill_ = std::move(fill);
}

void actor_recorder::rename(std::string actor) {
  actor_ = safe_label_value(actor);
}

void actor_recorder::poke(caf::scheduled_actor* self, caf::timespan delay) {
  poke_pending_ = true;
  caf::delayed_anon_send(caf::actor_cast<caf::actor>(self), delay, publish_atom_v);
}

void actor_recorder::arm_poke(caf::scheduled_actor* self) {
  auto now = self->clock().now();
  poke(self, next_publish_ > now ? caf::timespan{next_publish_ - now} : caf::timespan{0});
}

void actor_recorder::start_timed(caf::scheduled_actor* self) noexcept {
  // Safe only here: mailbox() drains the inbox, so it belongs to the actor's own thread.
  depth_ = self->mailbox().size();
  depth_max_ = std::max(depth_max_, depth_);
  timing_ = true;
  t0_ = std::chrono::steady_clock::now();
}

void actor_recorder::finish_timed(caf::scheduled_actor* self) {
  timing_ = false;
  processing_.observe(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count());
  // A burst backs off at once instead of timing every message until the next publish.
  if (opts_.max_timed_per_interval > 0 && ++timed_ >= opts_.max_timed_per_interval &&
      stride_ < (1u << 16)) {
    stride_ *= 2;
    timed_ = 0;
  }
  // The first timed message publishes at once, so a new actor shows up without delay.
  if (self->clock().now() >= next_publish_)
    publish(self);
}

void actor_recorder::publish(caf::scheduled_actor* self) {
  next_publish_ = self->clock().now() + opts_.publish_every;
  unpublished_ = false;
  poke_pending_ = false;
  // Adapt the timing stride so a busy actor times about max_timed_per_interval messages.
  auto handled = processed_ - processed_at_publish_;
  processed_at_publish_ = processed_;
  timed_ = 0;
  if (opts_.max_timed_per_interval > 0) {
    auto want = std::max<std::uint64_t>(1, handled / opts_.max_timed_per_interval);
    stride_ = static_cast<std::uint32_t>(std::bit_floor(std::min<std::uint64_t>(want, 1u << 16)));
  }
  if (!sink_)
    sink_ =
        caf::actor_cast<metrics_actor>(self->home_system().registry().get(metrics_registry_key()));
  if (sink_)
    caf::send_as(caf::actor_cast<caf::actor>(self), sink_, sample(wall_now_ns()));
  depth_max_ = depth_;
}

actor_sample actor_recorder::sample(std::int64_t at_ns) const {
  actor_sample out;
  out.actor = actor_;
  out.role = role_;
  out.at_ns = at_ns;
  out.processed = processed_;
  out.errors = errors_;
  out.mailbox_depth = depth_;
  out.mailbox_depth_max = depth_max_;
  out.processing = processing_.to_point(metric_names::actor_processing_seconds, {});
  std::copy_if(values_.begin(), values_.end(), std::back_inserter(out.values),
               [](const metric_point& p) { return !p.name.empty(); });
  out.histograms.reserve(histograms_.size());
  for (const auto& h : histograms_)
    if (!h.name.empty())
      out.histograms.push_back(h.hist.to_point(h.name, h.labels));
  if (fill_)
    fill_(out);
  return out;
}

metric_handle actor_recorder::series(std::string_view name, metric_type type, label_args args) {
  auto labels = make_labels(args);
  // A bad name still gets a slot so callers need no error path; it is never exported.
  std::string clean = is_valid_metric_name(name) ? std::string{name} : std::string{};
  for (std::size_t i = 0; i < values_.size(); ++i)
    if (values_[i].name == clean && values_[i].type == type &&
        same_labels(values_[i].labels, labels))
      return {static_cast<std::uint32_t>(i)};
  values_.push_back({std::move(clean), type, std::move(labels), 0});
  return {static_cast<std::uint32_t>(values_.size() - 1)};
}

metric_handle actor_recorder::counter(std::string_view name, label_args labels) {
  return series(name, metric_type::counter, labels);
}

metric_handle actor_recorder::gauge(std::string_view name, label_args labels) {
  return series(name, metric_type::gauge, labels);
}

histogram_handle actor_recorder::histogram(std::string_view name, label_args args) {
  auto labels = make_labels(args);
  std::string clean = is_valid_metric_name(name) ? std::string{name} : std::string{};
  for (std::size_t i = 0; i < histograms_.size(); ++i)
    if (histograms_[i].name == clean && same_labels(histograms_[i].labels, labels))
      return {static_cast<std::uint32_t>(i)};
  histograms_.push_back({std::move(clean), std::move(labels), {}});
  return {static_cast<std::uint32_t>(histograms_.size() - 1)};
}

} // namespace kis
