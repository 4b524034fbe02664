// The rate governor: one per app key, the single source of REST call permits. The scheduling
// rules live in permit_scheduler (plain, testable without CAF); this actor adds the clock,
// the response promises of waiting requesters and the timer that wakes it when one is due.
#pragma once

#include <optional>
#include <string>

#include <caf/fwd.hpp>

#include "actors/budget/permit_scheduler.hpp"
#include "actors/budget/spent_ledger.hpp"
#include "kis/clock.hpp"
#include "kis/result.hpp"
#include "messages/interfaces.hpp"

namespace kis {

// What is wrong with a configuration (errc::config), or nullopt when it can be used.
std::optional<api::api_error> validate(const governor_config& cfg);

// What a governor knows of the calls made before it started. With a ledger it reads the calls
// of the last window from it and keeps it current; without one (or when the ledger had to be
// reset) it assumes the last window may be full when assume_full_when_unknown, because a
// process restarted within a second of a crash must not grant a second's budget on top of
// calls the server still counts. Tests on a virtual clock pass neither.
struct governor_memory {
  std::shared_ptr<spent_ledger> ledger;
  std::shared_ptr<const wall_clock> clock = default_wall_clock();
  bool assume_full_when_unknown = false;
};

// Spawns a governor; an invalid config is a programming error the caller checks with validate()
// first (the actor then clamps to the nearest usable values).
rate_governor_actor spawn_rate_governor(caf::actor_system& sys, governor_config cfg,
                                        governor_memory memory = {});

} // namespace kis
