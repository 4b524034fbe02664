#include "actors/budget/permit_scheduler.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace kis {

namespace {

constexpr std::int64_t ns_per_s = 1'000'000'000;
// "Not by the clock": a gate that only a report (left, unused, answered) can open.
constexpr std::int64_t never_ns = std::numeric_limits<std::int64_t>::max();

std::size_t index_of(permit_class c) noexcept {
  return static_cast<std::size_t>(c);
}

} // namespace

const std::vector<double>& permit_scheduler::wait_bounds() {
  static const std::vector<double> bounds{0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1,
                                          0.2,   0.5,   1.0,   2.0,  5.0,  10.0};
  return bounds;
}

permit_scheduler::permit_scheduler(governor_config cfg)
    : cfg_(cfg) {
  // A zero limit or window would divide by zero below; the spawn function validates the
  // config, this only keeps the arithmetic defined.
  cfg_.limit = std::max<std::uint32_t>(cfg_.limit, 1);
  if (cfg_.window.count() <= 0)
    cfg_.window = std::chrono::seconds{1};
  cfg_.min_rate = std::max(cfg_.min_rate, 0.01);
  rate_ = static_cast<double>(cfg_.limit) * ns_per_s / static_cast<double>(cfg_.window.count());
  margin_ns_ = cfg_.safety_margin.count();
  for (auto& w : waits_)
    w.buckets.assign(wait_bounds().size() + 1, 0);
}

permit_scheduler::shape permit_scheduler::current_shape() const noexcept {
  const double window_s = static_cast<double>(cfg_.window.count()) / ns_per_s;
  // The small epsilon keeps an exact rate * window (18.0) from rounding up to 19.
  auto c = static_cast<std::uint32_t>(std::ceil(rate_ * window_s - 1e-9));
  c = std::clamp<std::uint32_t>(c, 1, cfg_.limit);
  const auto stretched = static_cast<std::int64_t>(std::ceil(c / rate_ * ns_per_s));
  const auto span = std::max(stretched, cfg_.window.count()) + margin_ns_;
  const auto reserve = std::min(cfg_.order_reserve, c - 1);
  return {c, span, reserve, span * reserve / c};
}

std::size_t permit_scheduler::count_since(std::int64_t after_ns) const noexcept {
  auto it = std::upper_bound(spent_.begin(), spent_.end(), after_ns);
  return static_cast<std::size_t>(spent_.end() - it) + unsent_;
}

std::int64_t permit_scheduler::gate_due(std::uint32_t k, std::int64_t len_ns,
                                        std::int64_t now_ns) const noexcept {
  if (count_since(now_ns - len_ns) < k)
    return now_ns;
  if (unsent_ >= k)
    return never_ns;
  // At least k - unsent spent permits are in the window: the gate opens when the (k -
  // unsent)-th most recent leaves it.
  const auto need = k - static_cast<std::uint32_t>(unsent_);
  return spent_[spent_.size() - need] + len_ns;
}

std::int64_t permit_scheduler::lanes_due(permit_class cls) const noexcept {
  if (cfg_.max_in_flight == 0)
    return 0;
  const bool order_like = cls == permit_class::order || cls == permit_class::cancel_revise;
  const auto lanes = order_like
                         ? cfg_.max_in_flight
                         : cfg_.max_in_flight - std::min(cfg_.order_lanes, cfg_.max_in_flight - 1);
  return open_.size() < lanes ? 0 : never_ns;
}

std::int64_t permit_scheduler::class_due(permit_class cls, std::int64_t now_ns) const noexcept {
  const auto s = current_shape();
  auto due = std::max(now_ns, paused_until_ns_);
  due = std::max(due, lanes_due(cls));
  due = std::max(due, gate_due(s.capacity, s.span_ns, now_ns));
  if (cls == permit_class::order || cls == permit_class::cancel_revise)
    return due;
  if (s.reserve > 0)
    due = std::max(due, gate_due(s.capacity - s.reserve, s.span_ns - s.reserve_ns, now_ns));
  if (cfg_.query_spacing > 0 && any_grant_) {
    const auto gap =
        static_cast<std::int64_t>(cfg_.query_spacing * static_cast<double>(s.span_ns) / s.capacity);
    due = std::max(due, last_grant_ns_ + gap);
  }
  return due;
}

bool permit_scheduler::first_waiting(permit_class* cls) const noexcept {
  const auto first_below = index_of(permit_class::pretrade);
  std::optional<std::size_t> best;
  for (std::size_t i = 0; i < permit_class_count; ++i) {
    if (queues_[i].waiting == 0)
      continue;
    if (i < first_below) { // orders and cancels: strict priority
      *cls = static_cast<permit_class>(i);
      return true;
    }
    if (cfg_.floor_every > 0 && passed_over_[i] >= cfg_.floor_every) {
      best = i; // the highest class owed its floor share
      break;
    }
    if (!best)
      best = i;
  }
  if (best)
    *cls = static_cast<permit_class>(*best);
  return best.has_value();
}

std::uint64_t permit_scheduler::enqueue(permit_class cls, std::string requester,
                                        std::int64_t now_ns) {
  auto& q = queues_[index_of(cls)];
  const auto id = next_ticket_++;
  auto& fifo = q.by_requester[requester];
  if (q.waiting == 0)
    passed_over_[index_of(cls)] = 0; // the floor counts from when the class starts waiting
  if (fifo.empty())
    q.turn.push_back(requester);
  fifo.push_back(ticket{id, now_ns});
  ++q.waiting;
  index_.emplace(id, std::make_pair(cls, std::move(requester)));
  return id;
}

std::vector<scheduled_grant> permit_scheduler::poll(std::int64_t now_ns) {
  std::vector<scheduled_grant> out;
  expire(now_ns);
  permit_class cls{};
  // Strict priority: while the best waiting class is held back, nobody below it goes first.
  while (first_waiting(&cls)) {
    if (class_due(cls, now_ns) > now_ns)
      break;
    auto& q = queues_[index_of(cls)];
    auto name = std::move(q.turn.front());
    q.turn.pop_front();
    auto& fifo = q.by_requester[name];
    const auto t = fifo.front();
    fifo.pop_front();
    --q.waiting;
    if (fifo.empty())
      q.by_requester.erase(name);
    else
      q.turn.push_back(name);
    index_.erase(t.id);
    const auto waited = now_ns - t.enqueued_ns;
    record_grant(t.id, cls, now_ns, waited);
    out.push_back(scheduled_grant{t.id, std::move(name),
                                  permit{t.id, cls, now_ns, waited, cfg_.leave_within.count()}});
  }
  return out;
}

void permit_scheduler::record_grant(std::uint64_t id, permit_class cls, std::int64_t now_ns,
                                    std::int64_t waited_ns) {
  last_grant_ns_ = now_ns;
  any_grant_ = true;
  open_.emplace(id, granted_permit{cls, now_ns, false});
  ++unsent_;
  ++total_;
  ++granted_[index_of(cls)];
  if (index_of(cls) >= index_of(permit_class::pretrade)) {
    for (std::size_t i = index_of(permit_class::pretrade); i < permit_class_count; ++i)
      if (queues_[i].waiting > 0)
        ++passed_over_[i];
    passed_over_[index_of(cls)] = 0;
  }
  auto& h = waits_[index_of(cls)];
  const double secs = static_cast<double>(waited_ns) / ns_per_s;
  const auto& b = wait_bounds();
  const auto bucket =
      static_cast<std::size_t>(std::lower_bound(b.begin(), b.end(), secs) - b.begin());
  ++h.buckets[bucket];
  h.sum += secs;
  ++h.count;
}

void permit_scheduler::spend(std::int64_t now_ns) {
  // Reports arrive in the governor's clock order, so appending keeps the deque sorted; a time
  // from assume_spent may lie ahead and is placed where it belongs.
  spent_.insert(std::upper_bound(spent_.begin(), spent_.end(), now_ns), now_ns);
  // One more than the limit, so that a broken rule would still show in max_in_window.
  while (spent_.size() > cfg_.limit + 1u)
    spent_.pop_front();
  auto it = std::upper_bound(spent_.begin(), spent_.end(), now_ns - cfg_.window.count());
  const auto in_window = static_cast<std::uint32_t>(
      std::count_if(it, spent_.end(), [now_ns](std::int64_t t) { return t <= now_ns; }));
  max_in_window_ = std::max(max_in_window_, in_window);
}

void permit_scheduler::on_left(std::uint64_t permit_id, std::int64_t now_ns) {
  auto it = open_.find(permit_id);
  if (it == open_.end() || it->second.left)
    return;
  it->second.left = true;
  --unsent_;
  spend(now_ns);
}

void permit_scheduler::on_unused(std::uint64_t permit_id) {
  auto it = open_.find(permit_id);
  if (it == open_.end())
    return;
  if (!it->second.left)
    --unsent_;
  open_.erase(it);
  ++unused_;
}

void permit_scheduler::assume_spent(const std::vector<std::int64_t>& times_ns) {
  for (auto t : times_ns)
    spent_.insert(std::upper_bound(spent_.begin(), spent_.end(), t), t);
  while (spent_.size() > cfg_.limit + 1u)
    spent_.pop_front();
}

void permit_scheduler::expire(std::int64_t now_ns) {
  for (auto it = open_.begin(); it != open_.end();) {
    auto& g = it->second;
    if (!g.left && now_ns - g.granted_ns >= cfg_.unsent_limit.count()) {
      g.left = true; // its report was lost: take it as spent now, the safe side
      --unsent_;
      spend(now_ns);
    }
    if (now_ns - g.granted_ns >= cfg_.finish_after.count())
      it = open_.erase(it);
    else
      ++it;
  }
}

std::optional<std::int64_t> permit_scheduler::next_expiry() const noexcept {
  std::optional<std::int64_t> out;
  for (const auto& [id, g] : open_) {
    const auto at = g.granted_ns + (g.left ? cfg_.finish_after : cfg_.unsent_limit).count();
    out = out ? std::min(*out, at) : at;
  }
  return out;
}

std::optional<std::int64_t> permit_scheduler::next_due(std::int64_t now_ns) const {
  permit_class cls{};
  if (!first_waiting(&cls))
    return std::nullopt;
  const auto due = class_due(cls, now_ns);
  if (due != never_ns)
    return due;
  return next_expiry(); // only a report can open the gate, or the limit on waiting for one
}

void permit_scheduler::remove_turn(class_queue& q, const std::string& requester) {
  auto it = std::find(q.turn.begin(), q.turn.end(), requester);
  if (it != q.turn.end())
    q.turn.erase(it);
}

std::vector<std::uint64_t> permit_scheduler::cancel_requester(std::string_view requester) {
  std::vector<std::uint64_t> dropped;
  const std::string key{requester};
  for (auto& q : queues_) {
    auto it = q.by_requester.find(key);
    if (it == q.by_requester.end())
      continue;
    for (const auto& t : it->second) {
      dropped.push_back(t.id);
      index_.erase(t.id);
    }
    q.waiting -= it->second.size();
    q.by_requester.erase(it);
    remove_turn(q, key);
  }
  return dropped;
}

bool permit_scheduler::cancel_ticket(std::uint64_t id) {
  auto it = index_.find(id);
  if (it == index_.end())
    return false;
  auto [cls, name] = std::move(it->second);
  index_.erase(it);
  auto& q = queues_[index_of(cls)];
  auto& fifo = q.by_requester[name];
  auto pos = std::find_if(fifo.begin(), fifo.end(), [id](const ticket& t) { return t.id == id; });
  if (pos != fifo.end()) {
    fifo.erase(pos);
    --q.waiting;
  }
  if (fifo.empty()) {
    q.by_requester.erase(name);
    remove_turn(q, name);
  }
  return true;
}

void permit_scheduler::on_outcome(call_result result, std::int64_t now_ns,
                                  std::uint64_t permit_id) {
  if (auto it = open_.find(permit_id); it != open_.end()) {
    if (!it->second.left) { // answered without a report that it left: it left by now
      --unsent_;
      spend(now_ns);
    }
    open_.erase(it);
  }
  const double limit_rate =
      static_cast<double>(cfg_.limit) * ns_per_s / static_cast<double>(cfg_.window.count());
  switch (result) {
  case call_result::success:
    ++successes_;
    rate_ = std::min(limit_rate, rate_ + cfg_.recovery_per_success);
    if (margin_ns_ > cfg_.safety_margin.count() &&
        now_ns - margin_changed_ns_ >= cfg_.relax_after.count()) {
      margin_ns_ = std::max(cfg_.safety_margin.count(), margin_ns_ - cfg_.margin_step.count() / 5);
      margin_changed_ns_ = now_ns;
    }
    break;
  case call_result::failure:
    ++failures_;
    break;
  case call_result::rate_limited:
    ++failures_;
    ++rate_limited_;
    // Calls granted before the pause answer during it; one decrease per pause is enough.
    if (now_ns >= paused_until_ns_) {
      paused_until_ns_ = now_ns + cfg_.backoff_pause.count();
      rate_ = std::max(cfg_.min_rate, rate_ * cfg_.decrease_factor);
      margin_ns_ = std::min(std::max(cfg_.max_margin.count(), cfg_.safety_margin.count()),
                            margin_ns_ + cfg_.margin_step.count());
      margin_changed_ns_ = now_ns;
    }
    break;
  }
}

std::size_t permit_scheduler::waiting() const noexcept {
  std::size_t n = 0;
  for (const auto& q : queues_)
    n += q.waiting;
  return n;
}

api_stats permit_scheduler::stats(std::int64_t now_ns) const {
  api_stats s;
  s.total_calls = total_ - unused_; // permits given back unused were never calls
  s.successes = successes_;
  s.failures = failures_;
  s.rate_limited = rate_limited_;
  const auto answered = successes_ + failures_;
  s.success_rate = answered == 0 ? 1.0 : static_cast<double>(successes_) / answered;
  s.calls_last_second = static_cast<std::uint32_t>(count_since(now_ns - cfg_.window.count()));
  s.limit = cfg_.limit;
  s.effective_rate = rate_;
  s.max_in_window = max_in_window_;
  s.safety_margin_s = static_cast<double>(margin_ns_) / ns_per_s;
  for (std::size_t i = 0; i < permit_class_count; ++i) {
    s.granted_by_class.push_back(granted_[i]);
    s.waiting_by_class.push_back(queues_[i].waiting);
  }
  return s;
}

std::vector<metric_point> permit_scheduler::metric_points(std::int64_t now_ns) const {
  const auto s = stats(now_ns);
  auto gauge = [](std::string name, double v) {
    return metric_point{std::move(name), metric_type::gauge, {}, v};
  };
  auto counter = [](std::string name, double v) {
    return metric_point{std::move(name), metric_type::counter, {}, v};
  };
  std::vector<metric_point> out{
      counter(metric_names::rest_calls_total, static_cast<double>(s.total_calls)),
      counter(metric_names::rest_call_successes_total, static_cast<double>(s.successes)),
      counter(metric_names::rest_call_failures_total, static_cast<double>(s.failures)),
      counter(metric_names::rest_rate_limited_total, static_cast<double>(s.rate_limited)),
      gauge(metric_names::rest_success_ratio, s.success_rate),
      gauge(metric_names::rest_calls_last_second, s.calls_last_second),
      gauge(metric_names::rest_rate_limit, s.limit),
      gauge(metric_names::rest_effective_rate, s.effective_rate),
      gauge(metric_names::rest_max_calls_in_window, s.max_in_window),
      gauge(metric_names::rest_safety_margin_seconds, s.safety_margin_s),
  };
  for (std::size_t i = 0; i < permit_class_count; ++i) {
    const std::vector<label> cls{{"class", to_cstr(static_cast<permit_class>(i))}};
    out.push_back({metric_names::permits_granted_total, metric_type::counter, cls,
                   static_cast<double>(s.granted_by_class[i])});
    out.push_back({metric_names::permits_waiting, metric_type::gauge, cls,
                   static_cast<double>(s.waiting_by_class[i])});
  }
  return out;
}

std::vector<histogram_point> permit_scheduler::wait_histograms() const {
  std::vector<histogram_point> out;
  for (std::size_t i = 0; i < permit_class_count; ++i) {
    const auto& h = waits_[i];
    histogram_point p;
    p.name = metric_names::permit_wait_seconds;
    p.labels = {{"class", to_cstr(static_cast<permit_class>(i))}};
    p.bounds = wait_bounds();
    std::uint64_t acc = 0;
    for (auto n : h.buckets)
      p.counts.push_back(acc += n);
    p.sum = h.sum;
    p.count = h.count;
    out.push_back(std::move(p));
  }
  return out;
}

} // namespace kis
