#include "kis/sessions.hpp"

#include <algorithm>
#include <array>
#include <chrono>

#include "kis/kst.hpp"

namespace kis::api::sessions {

namespace {

using namespace std::chrono;

constexpr std::array<std::int32_t, 14> holidays_2026{
    20260101, 20260216, 20260217, 20260218, 20260302, 20260501, 20260505,
    20260525, 20260603, 20260817, 20260924, 20260925, 20261005, 20261009,
};

constexpr std::int64_t ns_per_s = 1'000'000'000;

year_month_day ymd_of(std::int32_t d) noexcept {
  return year_month_day{year{d / 10000}, month{static_cast<unsigned>(d / 100 % 100)},
                        day{static_cast<unsigned>(d % 100)}};
}

} // namespace

std::span<const std::int32_t> krx_holidays_2026() noexcept {
  return holidays_2026;
}

bool krx_trading_day(std::int32_t yyyymmdd, std::span<const std::int32_t> holidays) noexcept {
  auto wd = weekday{sys_days{ymd_of(yyyymmdd)}}.c_encoding();
  if (wd == 0 || wd == 6)
    return false;
  return std::find(holidays.begin(), holidays.end(), yyyymmdd) == holidays.end();
}

std::int64_t kst_instant(std::int32_t yyyymmdd, int minute_of_day, int second) noexcept {
  auto days = sys_days{ymd_of(yyyymmdd)}.time_since_epoch().count();
  auto secs = days * 86'400 + minute_of_day * 60 + second - 9 * 3600;
  return secs * ns_per_s;
}

bool krx_regular_open(std::int64_t utc_ns, std::span<const std::int32_t> holidays) noexcept {
  const auto date = kst::date_of(utc_ns);
  if (!krx_trading_day(date, holidays))
    return false;
  return utc_ns >= kst_instant(date, krx_open_minute) &&
         utc_ns < kst_instant(date, krx_close_minute);
}

} // namespace kis::api::sessions
