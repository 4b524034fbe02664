// The engine's wiring: starts the backend (the embedded simulator in sim mode), spawns the
// actors in dependency order, runs until the duration is over or SIGINT/SIGTERM, drains the
// order executor and prints a summary.
#pragma once

#include <iosfwd>

#include "runtime/config.hpp"

namespace kis::runtime {

// Returns the process exit code. status (may be null) receives the live status line.
int run_engine(const engine_config& cfg, std::ostream* status);

} // namespace kis::runtime
