// Human durations for the CLI and the config: "500ms", "30s", "5m", "2h", "1h30m", "0".
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace kis::runtime {

// nullopt for anything that is not a sequence of <integer><unit> with units ms, s, m, h
// (a bare "0" means zero).
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

std::string format_duration(std::chrono::milliseconds d);

} // namespace kis::runtime
