// How the engine runs: against the embedded simulator, KIS's paper server or the real one.
// One enum for the runtime (which server, which defaults) and the trading actors (whether an
// example strategy may trade). KIS itself knows only two servers: api::environment.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace kis {

enum class run_mode : std::uint8_t { sim, paper, live };

constexpr std::string_view to_string_view(run_mode m) noexcept {
  switch (m) {
  case run_mode::sim:
    return "sim";
  case run_mode::paper:
    return "paper";
  case run_mode::live:
    return "live";
  }
  return "unknown";
}

constexpr std::optional<run_mode> parse_mode(std::string_view s) noexcept {
  if (s == "sim")
    return run_mode::sim;
  if (s == "paper")
    return run_mode::paper;
  if (s == "live")
    return run_mode::live;
  return std::nullopt;
}

} // namespace kis
