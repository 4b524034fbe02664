// The run's calendar of sessions and holidays (issue #14, docs/sessions.md): the 2026 calendar
// with the [sessions] settings, its holidays corrected once a KST day by what KIS's chk-holiday
// says (real only). The answer is cached in data_dir, so a restart the same day asks nothing.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include <caf/fwd.hpp>

#include "kis/endpoints.hpp"
#include "kis/result.hpp"
#include "kis/sessions.hpp"
#include "messages/interfaces.hpp"
#include "runtime/lifetime.hpp"

namespace kis::runtime {

// The cache file: "asked YYYYMMDD", then a line "YYYYMMDD Y|N" (opnd_yn) a day. nullopt when
// the file is missing, from another day, or damaged (then it is asked again).
std::filesystem::path holiday_cache_path(const std::filesystem::path& data_dir,
                                         api::environment env);
std::optional<std::vector<market_day>> read_holiday_cache(const std::filesystem::path& file,
                                                          std::int32_t today);
// nullopt when written; else why not (the run goes on, asking again at the next start).
std::optional<api::api_error> write_holiday_cache(const std::filesystem::path& file,
                                                  std::int32_t today,
                                                  std::span<const market_day> days);

// chk-holiday from `today` on, its pages followed (at most max_pages), each a history-class
// call through the gateway. The main thread waits; a stop request ends the wait (an error).
inline constexpr int holiday_max_pages = 4;
api::result<std::vector<market_day>> ask_holidays(caf::actor_system& sys, actor_owner& owner,
                                                  const rest_gateway_actor& gateway,
                                                  std::int32_t today, std::chrono::seconds limit);

// `base` corrected by KIS's days (the cache's, else asked and cached). Any failure is logged as
// a warning and leaves `base` (its fallback holiday list) in force: never a reason not to start.
std::shared_ptr<const sessions::calendar>
with_kis_holidays(caf::actor_system& sys, actor_owner& owner, const rest_gateway_actor& gateway,
                  std::shared_ptr<const sessions::calendar> base,
                  const std::filesystem::path& cache, std::int32_t today);

} // namespace kis::runtime
