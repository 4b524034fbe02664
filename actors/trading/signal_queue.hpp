// The order executor's intake: a bounded priority queue of accepted signals (higher priority
// first, then arrival order), each with the client id it was accepted under, and the exposure
// of signals that
// left the queue but are not journaled yet, so that signals in flight together cannot overrun
// a limit. Plain code; the executor owns one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "actors/trading/risk_checks.hpp"
#include "messages/orders.hpp"

namespace kis {

struct queued_signal {
  signal sig;
  std::string client_id;
  std::int64_t seq = 0; // the journal's seq the order will have
};

class signal_queue {
public:
  explicit signal_queue(std::size_t capacity)
      : capacity_(capacity) {}

  std::size_t capacity() const noexcept { return capacity_; }
  std::size_t size() const noexcept { return queue_.size(); }
  bool empty() const noexcept { return queue_.empty(); }
  bool full() const noexcept { return queue_.size() >= capacity_; }

  // The caller checks full() first.
  void push(queued_signal q);
  // The highest priority, oldest first; the queue must not be empty.
  queued_signal pop();
  // Empties the queue (kill switch, drain): the caller tells every strategy.
  std::vector<queued_signal> take_all();
  // Takes the signals whose time to live is over at wall time now_ns.
  std::vector<queued_signal> take_expired(std::int64_t now_ns);

  // Adds (sign +1) or removes (-1) a dequeued signal's quantity to its symbol's pending side.
  void stage(const signal& s, std::int64_t sign);
  // The pending quantities of the symbol's dequeued signals (position left at 0).
  exposure staged(const std::string& symbol) const;

private:
  std::size_t capacity_;
  std::map<std::pair<std::int32_t, std::uint64_t>, queued_signal> queue_; // {-priority, seq}
  std::uint64_t seq_ = 0;
  std::map<std::string, exposure> staged_;
};

} // namespace kis
