// Korea Standard Time (UTC+9, no daylight saving) <-> UTC nanoseconds. KIS speaks KST wall
// clock everywhere without a zone marker (KIS-PROTOCOL.md §2.1, §7), so every conversion is
// explicit and never consults the host's local time zone.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "kis/clock.hpp"
#include "kis/result.hpp"

namespace kis::api::kst {

inline constexpr std::chrono::hours utc_offset{9};

// "YYYY-MM-DD HH:MM:SS" (access_token_token_expired) or "YYYY-MM-DD HH:MM" (KST) -> UTC ns.
result<std::int64_t> parse_datetime(std::string_view text);

// YYYYMMDD (+ optional HHMMSS) -> UTC ns. An empty hhmmss means midnight.
result<std::int64_t> parse_date_time(std::string_view yyyymmdd, std::string_view hhmmss = {});

// A validated calendar date YYYYMMDD as an integer (20261120).
result<std::int32_t> parse_date(std::string_view yyyymmdd);
bool valid_date(std::int32_t yyyymmdd) noexcept;

// The KST calendar date / time of day of a UTC instant.
std::int32_t date_of(std::int64_t utc_ns) noexcept;
std::string time_of(std::int64_t utc_ns); // HHMMSS

// Today's date in Seoul, from an injectable clock.
std::int32_t today(const wall_clock& clock) noexcept;

// Calendar arithmetic on YYYYMMDD (chart paging: the day before the oldest row).
std::int32_t add_days(std::int32_t yyyymmdd, int days) noexcept;

// Day of the week of a valid YYYYMMDD: 0 Sunday .. 6 Saturday.
int weekday(std::int32_t yyyymmdd) noexcept;
// Seconds since 00:00 KST of a UTC instant, 0 .. 86399.
std::int32_t second_of_day(std::int64_t utc_ns) noexcept;
// The UTC instant of 00:00 KST on a valid YYYYMMDD.
std::int64_t midnight(std::int32_t yyyymmdd) noexcept;

// Formatting back to KIS's spellings (the simulator answers with these).
std::string format_datetime(std::int64_t utc_ns); // "YYYY-MM-DD HH:MM:SS" in KST
std::string format_date(std::int32_t yyyymmdd);   // "YYYYMMDD"

} // namespace kis::api::kst
