#include "actors/trading/signal_queue.hpp"

namespace kis {

void signal_queue::push(queued_signal q) {
  auto key = std::make_pair(-q.sig.priority, ++seq_);
  queue_.emplace(key, std::move(q));
}

queued_signal signal_queue::pop() {
  auto node = queue_.extract(queue_.begin());
  return std::move(node.mapped());
}

std::vector<queued_signal> signal_queue::take_all() {
  std::vector<queued_signal> out;
  out.reserve(queue_.size());
  for (auto& [key, q] : queue_)
    out.push_back(std::move(q));
  queue_.clear();
  return out;
}

std::vector<queued_signal> signal_queue::take_expired(std::int64_t now_ns) {
  std::vector<queued_signal> out;
  for (auto it = queue_.begin(); it != queue_.end();) {
    if (it->second.sig.expires_ns != 0 && it->second.sig.expires_ns <= now_ns) {
      out.push_back(std::move(it->second));
      it = queue_.erase(it);
    } else {
      ++it;
    }
  }
  return out;
}

void signal_queue::stage(const signal& s, std::int64_t sign) {
  auto& e = staged_[s.symbol];
  (s.dir == side::buy ? e.pending_buy : e.pending_sell) += sign * s.qty;
}

exposure signal_queue::staged(const std::string& symbol) const {
  auto i = staged_.find(symbol);
  return i != staged_.end() ? i->second : exposure{};
}

} // namespace kis
