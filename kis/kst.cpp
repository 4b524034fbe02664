#include "kis/kst.hpp"

#include <cstdio>

namespace kis::api::kst {

namespace {

using namespace std::chrono;

// Exactly n ASCII digits at s[pos..pos+n) as a number; -1 otherwise.
int digits(std::string_view s, std::size_t pos, std::size_t n) noexcept {
  if (pos + n > s.size())
    return -1;
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9')
      return -1;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

api_error bad(std::string_view what) {
  return make_api_error(errc::malformed, "KST time: " + std::string{what});
}

// The last year whose instants fit in int64 nanoseconds since 1970 (2262-04-11 overflows).
constexpr int last_instant_year = 2261;

// Local KST fields -> UTC ns; the caller has validated the ranges (see instant_year).
std::int64_t to_utc_ns(year_month_day ymd, int h, int m, int s) noexcept {
  auto local = sys_days{ymd} + hours{h} + minutes{m} + seconds{s};
  return duration_cast<nanoseconds>((local - utc_offset).time_since_epoch()).count();
}

year_month_day ymd_of(std::int32_t yyyymmdd) noexcept {
  return year_month_day{year{yyyymmdd / 10000}, month{static_cast<unsigned>(yyyymmdd / 100 % 100)},
                        day{static_cast<unsigned>(yyyymmdd % 100)}};
}

std::int32_t to_int(year_month_day ymd) noexcept {
  return static_cast<std::int32_t>(int{ymd.year()} * 10000 +
                                   static_cast<int>(unsigned{ymd.month()}) * 100 +
                                   static_cast<int>(unsigned{ymd.day()}));
}

// The KST wall-clock instant of a UTC instant, as a sys_time shifted by nine hours.
sys_time<nanoseconds> kst_local(std::int64_t utc_ns) noexcept {
  return sys_time<nanoseconds>{nanoseconds{utc_ns}} + utc_offset;
}

result<year_month_day> parse_ymd(std::string_view text, std::size_t y, std::size_t m,
                                 std::size_t d) {
  int yy = digits(text, y, 4), mm = digits(text, m, 2), dd = digits(text, d, 2);
  if (yy < 0 || mm < 0 || dd < 0)
    return bad("date is not numeric");
  year_month_day ymd{year{yy}, month{static_cast<unsigned>(mm)}, day{static_cast<unsigned>(dd)}};
  if (yy < 1900 || !ymd.ok())
    return bad("no such calendar date");
  return ymd;
}

// A date that becomes an instant (ns since 1970) must lie before the int64 horizon.
result<year_month_day> instant_date(result<year_month_day> ymd) {
  if (ymd && int{ymd->year()} > last_instant_year)
    return bad("year after " + std::to_string(last_instant_year));
  return ymd;
}

result<hh_mm_ss<seconds>> parse_hms(std::string_view text, std::size_t h, std::size_t m,
                                    std::size_t s) {
  int hh = digits(text, h, 2), mi = digits(text, m, 2), ss = digits(text, s, 2);
  if (hh < 0 || mi < 0 || ss < 0)
    return bad("time is not numeric");
  if (hh > 23 || mi > 59 || ss > 59)
    return bad("time of day out of range");
  return hh_mm_ss<seconds>{hours{hh} + minutes{mi} + seconds{ss}};
}

} // namespace

result<std::int64_t> parse_datetime(std::string_view text) {
  if (text.size() == 16) { // YYYY-MM-DD HH:MM: a person's way to write a start time
    std::string full{text};
    full += ":00";
    return parse_datetime(full);
  }
  // YYYY-MM-DD HH:MM:SS, 19 characters exactly.
  if (text.size() != 19 || text[4] != '-' || text[7] != '-' || text[10] != ' ' || text[13] != ':' ||
      text[16] != ':')
    return bad("expected YYYY-MM-DD HH:MM:SS");
  auto ymd = instant_date(parse_ymd(text, 0, 5, 8));
  if (!ymd)
    return std::move(ymd).error();
  auto hms = parse_hms(text, 11, 14, 17);
  if (!hms)
    return std::move(hms).error();
  return to_utc_ns(*ymd, static_cast<int>(hms->hours().count()),
                   static_cast<int>(hms->minutes().count()),
                   static_cast<int>(hms->seconds().count()));
}

result<std::int64_t> parse_date_time(std::string_view yyyymmdd, std::string_view hhmmss) {
  if (yyyymmdd.size() != 8)
    return bad("expected YYYYMMDD");
  auto ymd = instant_date(parse_ymd(yyyymmdd, 0, 4, 6));
  if (!ymd)
    return std::move(ymd).error();
  if (hhmmss.empty())
    return to_utc_ns(*ymd, 0, 0, 0);
  if (hhmmss.size() != 6)
    return bad("expected HHMMSS");
  auto hms = parse_hms(hhmmss, 0, 2, 4);
  if (!hms)
    return std::move(hms).error();
  return to_utc_ns(*ymd, static_cast<int>(hms->hours().count()),
                   static_cast<int>(hms->minutes().count()),
                   static_cast<int>(hms->seconds().count()));
}

result<std::int32_t> parse_date(std::string_view yyyymmdd) {
  if (yyyymmdd.size() != 8)
    return bad("expected YYYYMMDD");
  auto ymd = parse_ymd(yyyymmdd, 0, 4, 6);
  if (!ymd)
    return std::move(ymd).error();
  return to_int(*ymd);
}

bool valid_date(std::int32_t yyyymmdd) noexcept {
  return yyyymmdd >= 19000101 && yyyymmdd <= 99991231 && ymd_of(yyyymmdd).ok();
}

std::int32_t date_of(std::int64_t utc_ns) noexcept {
  return to_int(year_month_day{floor<days>(kst_local(utc_ns))});
}

std::string time_of(std::int64_t utc_ns) {
  auto local = kst_local(utc_ns);
  hh_mm_ss<seconds> hms{floor<seconds>(local - floor<days>(local))};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d%02d%02d", static_cast<int>(hms.hours().count()),
                static_cast<int>(hms.minutes().count()), static_cast<int>(hms.seconds().count()));
  return buf;
}

std::int32_t today(const wall_clock& clock) noexcept {
  return date_of(clock.now_ns());
}

std::int32_t add_days(std::int32_t yyyymmdd, int n) noexcept {
  return to_int(year_month_day{sys_days{ymd_of(yyyymmdd)} + days{n}});
}

int weekday(std::int32_t yyyymmdd) noexcept {
  return static_cast<int>(std::chrono::weekday{sys_days{ymd_of(yyyymmdd)}}.c_encoding());
}

std::int32_t second_of_day(std::int64_t utc_ns) noexcept {
  auto local = kst_local(utc_ns);
  return static_cast<std::int32_t>(floor<seconds>(local - floor<days>(local)).count());
}

std::int64_t midnight(std::int32_t yyyymmdd) noexcept {
  return to_utc_ns(ymd_of(yyyymmdd), 0, 0, 0);
}

std::string format_datetime(std::int64_t utc_ns) {
  auto date = date_of(utc_ns);
  auto t = time_of(utc_ns);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %.2s:%.2s:%.2s", date / 10000, date / 100 % 100,
                date % 100, t.data(), t.data() + 2, t.data() + 4);
  return buf;
}

std::string format_date(std::int32_t yyyymmdd) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%08d", yyyymmdd);
  return buf;
}

} // namespace kis::api::kst
