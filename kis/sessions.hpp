// Venue session rules as data (KIS-PROTOCOL.md §9.6, §9.7): when the KRX regular session takes
// orders and trades. Used where the engine must act like the venue without asking it: the fill
// model of backtests refuses orders outside the session, and bar backtests print their bars'
// prices at session times. The pre/after markets and NXT are not modelled here yet.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace kis::api::sessions {

// KRX regular session in KST: continuous trading 09:00-15:20, closing auction to 15:30.
inline constexpr int krx_open_minute = 9 * 60;
inline constexpr int krx_close_minute = 15 * 60 + 30;

// Weekday closings published for 2026 (KIS-PROTOCOL.md §9.7; verify against KRX).
std::span<const std::int32_t> krx_holidays_2026() noexcept;

// A weekday that is not in `holidays` (YYYYMMDD, sorted or not).
bool krx_trading_day(std::int32_t yyyymmdd, std::span<const std::int32_t> holidays) noexcept;

// Whether the regular session is open at this instant (UTC ns).
bool krx_regular_open(std::int64_t utc_ns, std::span<const std::int32_t> holidays) noexcept;

// UTC ns of a KST time of day (minutes after midnight, plus seconds) on a date.
std::int64_t kst_instant(std::int32_t yyyymmdd, int minute_of_day, int second = 0) noexcept;

} // namespace kis::api::sessions
