#include "actors/trading/session_watch.hpp"

#include <algorithm>

namespace kis {

std::vector<session_change> session_watch::start(std::int64_t now_ns) {
  std::vector<session_change> out;
  seen_ns_ = now_ns;
  if (!active())
    return out;
  for (auto v : venues_) {
    auto st = calendar_->status(v, now_ns);
    out.push_back(session_change{st.phase, st, now_ns});
  }
  return out;
}

std::vector<session_change> session_watch::advance(std::int64_t now_ns) {
  std::vector<session_change> out;
  if (!active() || now_ns <= seen_ns_)
    return out;
  for (auto v : venues_) {
    auto changes = calendar_->changes_between(v, seen_ns_, now_ns);
    out.insert(out.end(), changes.begin(), changes.end());
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a.at_ns < b.at_ns; });
  seen_ns_ = now_ns;
  return out;
}

std::int64_t session_watch::next_change(std::int64_t now_ns) const {
  std::int64_t next = 0;
  if (!active())
    return next;
  for (auto v : venues_)
    if (auto t = calendar_->next_change(v, now_ns); t != 0 && (next == 0 || t < next))
      next = t;
  return next;
}

} // namespace kis
