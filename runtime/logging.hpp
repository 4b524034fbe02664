// The one way the engine logs. Every line passes a redacting sink: secrets registered with
// add_secret (app key, app secret, tokens, approval keys) are replaced by "***" wherever they
// appear, whoever logged them.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include <spdlog/spdlog.h>

namespace kis::log {

// Install the redacting logger as spdlog's default (stderr, or a file when path is given).
void init(std::string_view level = "info", const std::string& file_path = {});

// Remember a secret; from now on it never appears in a log line. Short strings are ignored
// (they would redact ordinary words).
void add_secret(std::string secret);

// The redaction itself, for tests and for text that leaves the process another way.
std::string redact(std::string text);

bool set_level(std::string_view level);

template <class... Ts>
void info(spdlog::format_string_t<Ts...> fmt, Ts&&... xs) {
  spdlog::info(fmt, std::forward<Ts>(xs)...);
}
template <class... Ts>
void warn(spdlog::format_string_t<Ts...> fmt, Ts&&... xs) {
  spdlog::warn(fmt, std::forward<Ts>(xs)...);
}
template <class... Ts>
void error(spdlog::format_string_t<Ts...> fmt, Ts&&... xs) {
  spdlog::error(fmt, std::forward<Ts>(xs)...);
}
template <class... Ts>
void debug(spdlog::format_string_t<Ts...> fmt, Ts&&... xs) {
  spdlog::debug(fmt, std::forward<Ts>(xs)...);
}

} // namespace kis::log
