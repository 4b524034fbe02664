// Which session each venue is in, for the strategy hosts' on_session events: the venues'
// status when a host starts, then every change of phase as its clock passes it, oldest first
// across the venues. Plain class over the calendar (kis/sessions.hpp); the host asks it on a
// timer, so a clock that jumps (a replay, a sped-up simulator) loses no change.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "kis/sessions.hpp"
#include "messages/sessions.hpp"

namespace kis {

class session_watch {
public:
  session_watch(std::shared_ptr<const sessions::calendar> calendar, std::vector<venue> venues)
      : calendar_(std::move(calendar))
      , venues_(std::move(venues)) {}

  bool active() const noexcept { return calendar_ != nullptr && !venues_.empty(); }

  // Where each venue stands at now_ns, as one event a venue (previous = the phase itself);
  // later calls to advance report what changed after now_ns.
  std::vector<session_change> start(std::int64_t now_ns);
  // The changes in (last call, now_ns], oldest first.
  std::vector<session_change> advance(std::int64_t now_ns);
  // The next change of any venue after now_ns; 0 when none within a year.
  std::int64_t next_change(std::int64_t now_ns) const;

private:
  std::shared_ptr<const sessions::calendar> calendar_;
  std::vector<venue> venues_;
  std::int64_t seen_ns_ = 0;
};

} // namespace kis
