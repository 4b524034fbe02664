#include "runtime/sessions_config.hpp"

#include <cctype>
#include <string>

namespace kis::runtime {

api::result<sessions::calendar> sessions_calendar(const sessions_section& s) {
  return sessions::calendar_with_settings(sessions::calendar::year_2026(), s.settings);
}

std::optional<venue> parse_venue_name(std::string_view name) noexcept {
  std::string lower;
  for (char c : name)
    lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower.empty())
    return venue::unset;
  if (lower == "krx")
    return venue::krx;
  if (lower == "nxt")
    return venue::nxt;
  if (lower == "sor")
    return venue::sor;
  return std::nullopt;
}

std::shared_ptr<const sessions::calendar> run_calendar(const sessions_section& s,
                                                       bool off_by_default) {
  if (!s.enforce.value_or(!off_by_default))
    return nullptr;
  auto cal = sessions_calendar(s);
  if (!cal)
    return nullptr;
  return std::make_shared<const sessions::calendar>(std::move(cal.value()));
}

} // namespace kis::runtime
