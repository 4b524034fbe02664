// The rate governor's arithmetic without CAF: who may call KIS now, who waits and until when.
// Time is plain nanoseconds on a monotonic clock chosen by the caller (the actor passes its
// CAF clock, virtual under the test coordinator).
//
// Window rule: a permit is spent when its request leaves, not when it is granted. The scheduler
// remembers when each spent permit's request left (as the governor learned it, never earlier
// than it really left) and counts every granted permit whose request has not left yet as if it
// left just now. A grant at t is allowed only if fewer than c permits are spent in (t - L, t] or
// still outstanding, where c is the per-window capacity and L the window plus a safety margin
// for network jitter. So however late a request leaves after its grant (a stalled connection
// pool), no sliding second at the server sees more than c calls: the last of any c + 1 calls
// inside a second was granted while the other c were outstanding or spent inside its window.
// A permit whose request could not leave is given back and counts for nothing.
//
// Reserve rule: classes below `order` must also leave R grants free in the window shortened by
// R slots (slot = L / c). Under full query load queries still reach c grants per window, but
// at any instant one of the last c grants expires within R slots, so an arriving order waits
// at most about one slot instead of up to a whole window.
//
// Spacing rule: classes below `order` are also spread evenly, one per slot, so the server sees
// a steady stream instead of bursts whose tails jitter into the next second.
//
// Floor rule: orders and cancels go strictly first, but among the classes below them a class
// with waiters that has been passed over floor_every times in a row goes next, so polling that
// fills what orders leave cannot starve account queries or a strategy's history warm-up.
//
// In-flight rule: at most max_in_flight permits are between grant and answer (the transport
// can send no more at once; more would wait inside it and leave late, in a burst). Orders and
// cancels may use all of them, other classes all but order_lanes, so an order still leaves
// when slow answers hold every other connection.
//
// Back-off (AIMD): a rate_limited outcome pauses all grants, then multiplies the effective
// rate by decrease_factor; each success adds recovery_per_success back, up to the limit. The
// capacity follows the rate: c = ceil(rate * window), window stretched to c / rate.
//
// Learned margin: the server counts arrivals, we count departures; when the path's jitter
// (network, a descheduled process) exceeds safety_margin, a rate_limited outcome widens the
// margin by margin_step (up to max_margin), and each relax_after without one narrows it by a
// fifth of a step, back down to safety_margin.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "messages/metrics.hpp"
#include "messages/rest.hpp"

namespace kis {

struct governor_config {
  std::uint32_t limit = 18;                                              // grants per window
  std::chrono::nanoseconds window = std::chrono::seconds{1};             // KIS counts per second
  std::chrono::nanoseconds safety_margin = std::chrono::milliseconds{5}; // network jitter
  std::chrono::nanoseconds margin_step = std::chrono::milliseconds{25};
  std::chrono::nanoseconds max_margin = std::chrono::milliseconds{250};
  std::chrono::nanoseconds relax_after = std::chrono::seconds{60};
  std::uint32_t order_reserve = 1; // slots of each window only orders may take
  // Classes below `order` are spread at least this many slots apart (slot = window / limit):
  // a burst of grants reaches the server as a burst, and the tail of one delayed burst plus
  // the next one would overfill a second on the server's side. 0 allows bursts.
  double query_spacing = 1.0;
  // Floor rule: a waiting class below cancel_revise gets at least one of every floor_every + 1
  // grants made to those classes. 0 = strict priority.
  std::uint32_t floor_every = 2;
  std::chrono::nanoseconds backoff_pause = std::chrono::seconds{1};
  double decrease_factor = 0.5;       // multiplicative decrease on EGW00201
  double recovery_per_success = 0.25; // calls/s regained per successful call
  double min_rate = 1.0;              // never back off below this (calls/s)
  std::chrono::nanoseconds leave_within = std::chrono::milliseconds{500}; // see permit
  std::uint32_t max_in_flight = 0; // permits between grant and answer; 0 = unbounded
  std::uint32_t order_lanes = 1;   // of those, kept for orders and cancels
  // A permit whose request has neither left nor been given back after this long is taken as
  // spent now (its reports were lost); one without an answer after finish_after is closed.
  std::chrono::nanoseconds unsent_limit = std::chrono::seconds{10};
  std::chrono::nanoseconds finish_after = std::chrono::seconds{120};
};

// A permit the scheduler handed out, with the ticket it answers.
struct scheduled_grant {
  std::uint64_t ticket = 0;
  std::string requester;
  permit value;
};

class permit_scheduler {
public:
  // Upper bounds of the wait-time histogram, in seconds (the last bucket is +Inf).
  static const std::vector<double>& wait_bounds();

  explicit permit_scheduler(governor_config cfg);

  // Queues a request; returns its ticket. poll() decides when it is granted.
  std::uint64_t enqueue(permit_class cls, std::string requester, std::int64_t now_ns);

  // Grants every waiting ticket that may go at now_ns, in priority and round-robin order.
  // Each granted permit is outstanding until on_left, on_unused or on_outcome names it.
  std::vector<scheduled_grant> poll(std::int64_t now_ns);

  // The permit's request left (the transport started to send it).
  void on_left(std::uint64_t permit_id, std::int64_t now_ns);
  // The permit's request never left: the permit is given back and counts for nothing.
  void on_unused(std::uint64_t permit_id);
  // Calls a previous process (or a lost state) may have made: each time is when a request may
  // have reached the server, on this scheduler's clock.
  void assume_spent(const std::vector<std::int64_t>& times_ns);

  // When the first waiting ticket can be granted; nullopt when nobody waits.
  std::optional<std::int64_t> next_due(std::int64_t now_ns) const;

  // Drops every waiting ticket of a requester; returns their ticket numbers.
  std::vector<std::uint64_t> cancel_requester(std::string_view requester);

  // Drops one waiting ticket; false if it was not waiting (already granted or unknown).
  bool cancel_ticket(std::uint64_t ticket);

  // Feedback from the gateway about one permitted call that left (permit_id 0: statistics and
  // back-off only). The permit is spent (now, if no earlier report said it left) and answered.
  void on_outcome(call_result result, std::int64_t now_ns, std::uint64_t permit_id = 0);

  api_stats stats(std::int64_t now_ns) const;
  double effective_rate() const noexcept { return rate_; }
  std::size_t waiting() const noexcept;
  std::size_t in_flight() const noexcept { return open_.size(); }
  std::size_t unsent() const noexcept { return unsent_; }

  // Counters and gauges in the metrics vocabulary (names without the kis_ prefix).
  std::vector<metric_point> metric_points(std::int64_t now_ns) const;
  // Permit wait time per class, cumulative buckets in seconds.
  std::vector<histogram_point> wait_histograms() const;

private:
  struct ticket {
    std::uint64_t id = 0;
    std::int64_t enqueued_ns = 0;
  };

  // One class's queue: a FIFO per requester, served round-robin.
  struct class_queue {
    std::unordered_map<std::string, std::deque<ticket>> by_requester;
    std::deque<std::string> turn; // requesters with waiting tickets, next first
    std::size_t waiting = 0;
  };

  struct wait_histogram {
    std::vector<std::uint64_t> buckets; // non-cumulative, one per bound plus +Inf
    double sum = 0;
    std::uint64_t count = 0;
  };

  // A permit between grant and answer.
  struct granted_permit {
    permit_class cls;
    std::int64_t granted_ns;
    bool left;
  };

  struct shape {
    std::uint32_t capacity;  // c
    std::int64_t span_ns;    // L: stretched window plus margin
    std::uint32_t reserve;   // R, at most c - 1
    std::int64_t reserve_ns; // R slots
  };

  shape current_shape() const noexcept;
  std::size_t count_since(std::int64_t after_ns) const noexcept;
  // Earliest time >= now at which fewer than k permits are spent in the trailing len_ns or
  // outstanding; never_ns while the outstanding ones alone fill k.
  std::int64_t gate_due(std::uint32_t k, std::int64_t len_ns, std::int64_t now_ns) const noexcept;
  std::int64_t lanes_due(permit_class cls) const noexcept;
  void spend(std::int64_t now_ns);  // one request left at now_ns
  void expire(std::int64_t now_ns); // reports that never came
  std::optional<std::int64_t> next_expiry() const noexcept;
  std::int64_t class_due(permit_class cls, std::int64_t now_ns) const noexcept;
  bool first_waiting(permit_class* cls) const noexcept; // the best class with waiters
  void record_grant(std::uint64_t id, permit_class cls, std::int64_t now_ns,
                    std::int64_t waited_ns);
  void remove_turn(class_queue& q, const std::string& requester);

  governor_config cfg_;
  double rate_; // effective calls per second
  std::int64_t paused_until_ns_ = 0;
  std::int64_t margin_ns_ = 0;         // safety_margin, widened by refusals
  std::int64_t margin_changed_ns_ = 0; // when it last moved
  std::deque<std::int64_t> spent_;     // when the last limit + 1 requests left, oldest first
  std::int64_t last_grant_ns_ = 0;
  bool any_grant_ = false;
  std::unordered_map<std::uint64_t, granted_permit> open_; // between grant and answer
  std::size_t unsent_ = 0;                                 // of those, not left yet
  class_queue queues_[permit_class_count];
  std::unordered_map<std::uint64_t, std::pair<permit_class, std::string>> index_;
  std::uint64_t next_ticket_ = 1;
  std::uint64_t total_ = 0, successes_ = 0, failures_ = 0, rate_limited_ = 0, unused_ = 0;
  std::uint32_t max_in_window_ = 0;
  std::uint64_t granted_[permit_class_count] = {};
  std::uint32_t passed_over_[permit_class_count] = {}; // floor rule, while waiting
  wait_histogram waits_[permit_class_count];
};

} // namespace kis
