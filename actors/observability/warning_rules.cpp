#include "actors/observability/warning_rules.hpp"

#include <cmath>
#include <sstream>

namespace kis {

namespace {

std::string fixed(double v, int digits = 0) {
  std::ostringstream os;
  os.setf(std::ios::fixed);
  os.precision(digits);
  os << v;
  return os.str();
}

double value_with(const actor_sample& s, std::string_view name, std::string_view label_value) {
  double out = 0;
  for (const auto& p : s.values)
    if (p.name == name)
      for (const auto& l : p.labels)
        if (l.value == label_value)
          out += p.value;
  return out;
}

} // namespace

std::vector<metrics_warning> warning_rules::evaluate(const metrics_snapshot& snap,
                                                     std::uint64_t memory_bytes, time_point now) {
  now_ = now;
  at_ns_ = snap.at_ns;
  edges_.clear();
  ceiling("process_cpu", snap.cpu_percent, t_.cpu_percent,
          "the engine uses " + fixed(snap.cpu_percent) +
              " % of all cores: watch fewer symbols ([analyzers] symbol_count) or run analyzers "
              "on another machine (kis-engine node)");
  if (memory_bytes > 0) {
    const double pct =
        100.0 * static_cast<double>(snap.rss_bytes) / static_cast<double>(memory_bytes);
    ceiling("process_rss", pct, t_.rss_percent,
            "the engine holds " + fixed(pct) +
                " % of the machine's memory: watch fewer symbols or give it more memory");
  }
  for (const auto& s : snap.actors)
    actor_rules(s);
  return edges_;
}

void warning_rules::actor_rules(const actor_sample& s) {
  namespace m = metric_names;
  const auto& name = s.actor;
  // Mailbox growth: a backlog that stays for several evaluations, not one burst.
  auto& rounds = mailbox_rounds_[name];
  rounds = s.mailbox_depth_max >= t_.mailbox_depth ? rounds + 1 : 0;
  level("mailbox:" + name, rounds >= t_.mailbox_rounds,
        static_cast<double>(s.mailbox_depth_max) <
            static_cast<double>(t_.mailbox_depth) * (1 - t_.hysteresis),
        name + " cannot keep up: " + std::to_string(s.mailbox_depth_max) +
            " messages waiting in its mailbox; spread the symbols over more analyzers "
            "([analyzers] count) or watch fewer");
  if (auto q = find_total(s, m::executor_queue_depth))
    ceiling("executor_queue:" + name, *q, t_.executor_queue_depth,
            fixed(*q) + " signals wait in the executor: strategies signal faster than the "
                        "budget sends orders; slow them down or lower their quantity of signals");
  if (find_total(s, m::api_error_codes_total))
    event("egw00201:" + name, value_with(s, m::api_error_codes_total, "EGW00201"),
          "KIS answered EGW00201 (over its per-second limit): another program is using this app "
          "key, or [budget] rate_limit is above KIS's figure for this account; stop the other "
          "program or lower rate_limit");
  if (auto errors = find_total(s, metric_names::executor_journal_errors_total))
    event("journal:" + name, *errors,
          "the order journal failed to write: check free disk space and the permissions of "
          "data_dir (orders are not sent while their intent cannot be made durable)");
  if (auto left = find_total(s, m::token_remaining_seconds);
      left && *left > 0 && t_.token_life_seconds > 0)
    level("token_life:" + name, *left < t_.token_life_seconds,
          *left >= t_.token_life_seconds * (1 + t_.hysteresis),
          "the access token expires in " + fixed(*left) +
              " s and could not be refreshed: check the network and KIS_APP_KEY / "
              "KIS_APP_SECRET (KIS allows one issue a minute); every call stops at expiry");
  feed_rule(s);
  order_wait_rule(s);
}

// Silent feed: registrations held and no frame (not even PINGPONG) for feed_silence.
void warning_rules::feed_rule(const actor_sample& s) {
  namespace m = metric_names;
  auto frames = find_total(s, m::ws_frames_total);
  auto regs = find_total(s, m::ws_registrations);
  if (!frames || !regs)
    return;
  auto [it, fresh] = frames_.try_emplace(s.actor, *frames, now_);
  if (!fresh && (it->second.first != *frames || *regs <= 0))
    it->second = {*frames, now_}; // silence counts only while registrations are held
  const auto silent = now_ - it->second.second;
  level("feed_silent:" + s.actor, *regs > 0 && silent >= t_.feed_silence, silent < t_.feed_silence,
        "no WebSocket frame for " + fixed(std::chrono::duration<double>(silent).count()) +
            " s with " + fixed(*regs) +
            " registrations: check the network and KIS's status page; the feed reconnects "
            "by itself ([feed] silence_timeout)");
}

// An order that waited longer than one budget slot for its permit: something holds the order
// lane, or the reserve is too small. A slot is the governor's: its window (1 s plus the safety
// margin it reports) over the rate, so at 1/s an order that came just after a grant and
// waited the whole slot is the design, not trouble. Counted from the governor's order-class
// histogram at the first bound at or above the slot.
void warning_rules::order_wait_rule(const actor_sample& s) {
  namespace m = metric_names;
  auto rate = find_total(s, m::rest_rate_limit);
  if (!rate || *rate <= 0)
    return;
  const double margin = find_total(s, metric_names::rest_safety_margin_seconds).value_or(0.0);
  const double slot = (1.0 + margin) / *rate;
  for (const auto& h : s.histograms) {
    if (h.name != m::permit_wait_seconds || h.labels.empty() || h.labels.front().value != "order")
      continue;
    std::size_t i = 0;
    while (i < h.bounds.size() && h.bounds[i] < slot)
      ++i;
    if (i >= h.counts.size())
      return;
    const double over = static_cast<double>(h.count - h.counts[i]);
    event("order_wait:" + s.actor, over,
          "orders waited longer than one budget slot (" + fixed(h.bounds[i] * 1000) +
              " ms) for their permit: orders come faster than the budget (send fewer at once), or "
              "other calls hold the slots (lower [analyzers] symbol_count or poll_interval, or "
              "raise [budget] order_reserve where the rate allows one)");
  }
}

void warning_rules::level(const std::string& key, bool over, bool back,
                          const std::string& message) {
  const bool was = raised_.count(key) != 0;
  metrics_warning w{key, message, true};
  if (over && !was) {
    raised_.insert(key);
    ++raised_total_;
  } else if (was && back) {
    raised_.erase(key);
    w = {key, key + " is back to normal", false};
  } else {
    return;
  }
  edges_.push_back(w);
  recent_.push_back({at_ns_, w.key, w.message, w.raised});
  while (recent_.size() > keep)
    recent_.pop_front();
}

void warning_rules::event(const std::string& key, double count, const std::string& message) {
  auto [it, fresh] = counts_.try_emplace(key, count, time_point{});
  bool grew = false;
  if (fresh) {
    grew = count > 0; // present before the first evaluation: happened during this run
    it->second.second = grew ? now_ : time_point{};
  } else if (count > it->second.first) {
    grew = true;
    it->second.second = now_;
  }
  const double before = fresh ? 0 : it->second.first;
  it->second.first = count;
  const bool quiet =
      it->second.second == time_point{} || now_ - it->second.second >= t_.quiet_after;
  // A fresh episode names how many; a running one is not re-raised.
  level(key, grew, quiet, message + " (" + fixed(count - before) + " new)");
}

void warning_rules::ceiling(const std::string& key, double value, double limit,
                            const std::string& message) {
  if (limit <= 0)
    return;
  level(key, value >= limit, value < limit * (1 - t_.hysteresis), message);
}

} // namespace kis
