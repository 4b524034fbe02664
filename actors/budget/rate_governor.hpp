// The rate governor: one per app key, the single source of REST call permits. The scheduling
// rules live in permit_scheduler (plain, testable without CAF); this actor adds the clock,
// the response promises of waiting requesters and the timer that wakes it when one is due.
#pragma once

#include <optional>
#include <string>

#include <caf/fwd.hpp>

#include "actors/budget/permit_scheduler.hpp"
#include "messages/interfaces.hpp"

namespace kis {

// What is wrong with a configuration, or nullopt when it can be used.
std::optional<std::string> validate(const governor_config& cfg);

// Spawns a governor; an invalid config is a programming error the caller checks with validate()
// first (the actor then clamps to the nearest usable values).
rate_governor_actor spawn_rate_governor(caf::actor_system& sys, governor_config cfg);

} // namespace kis
