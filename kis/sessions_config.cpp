// The [sessions] settings of sessions.hpp: hours, order kinds, holidays and the day KRX's
// extension starts, each checked and applied to a calendar; a bad one names its key.
#include <algorithm>
#include <array>
#include <charconv>

#include "kis/kst.hpp"
#include "kis/sessions.hpp"

namespace kis::sessions {

namespace {

constexpr std::int32_t day_seconds = 86'400;

struct key_parts {
  venue where = venue::krx;
  session_kind kind = session_kind::closed;
  std::string field; // "" (or "hours"), "orders" or "trades_from"
};

std::optional<session_kind> kind_named(std::string_view name) {
  for (unsigned k = 1; k <= static_cast<unsigned>(session_kind::after_market); ++k)
    if (name == to_cstr(static_cast<session_kind>(k)))
      return static_cast<session_kind>(k);
  return std::nullopt;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  for (;;) {
    auto at = s.find(sep);
    out.push_back(s.substr(0, at));
    if (at == std::string_view::npos)
      return out;
    s.remove_prefix(at + 1);
  }
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ')
    s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ')
    s.remove_suffix(1);
  return s;
}

// The error for one setting: errc::config naming sessions.<key>.
api_error bad(std::string_view key, std::string_view what) {
  return api::make_api_error(errc::config,
                             "sessions." + std::string{key} + ": " + std::string{what});
}

std::optional<key_parts> session_key(std::string_view key) {
  auto parts = split(key, '.');
  if (parts.size() < 2 || parts.size() > 3)
    return std::nullopt;
  key_parts k;
  if (parts[0] == "krx")
    k.where = venue::krx;
  else if (parts[0] == "nxt")
    k.where = venue::nxt;
  else
    return std::nullopt;
  auto kind = kind_named(parts[1]);
  if (!kind)
    return std::nullopt;
  k.kind = *kind;
  if (parts.size() == 3) {
    if (parts[2] != "orders" && parts[2] != "trades_from" && parts[2] != "hours")
      return std::nullopt;
    k.field = parts[2] == "hours" ? std::string{} : std::string{parts[2]};
  }
  return k;
}

std::optional<order_kind_mask> parse_codes(std::string_view text) {
  order_kind_mask m = 0;
  for (auto part : split(text, ',')) {
    part = trim(part);
    unsigned code = 0;
    auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), code);
    if (part.size() != 2 || ec != std::errc{} || end != part.data() + part.size() || code > 31)
      return std::nullopt;
    m |= order_kind_mask{1} << code;
  }
  return m;
}

std::optional<std::set<std::int32_t>> parse_days(std::string_view text) {
  std::set<std::int32_t> out;
  if (trim(text).empty())
    return out;
  for (auto part : split(text, ',')) {
    auto day = api::kst::parse_date(trim(part));
    if (!day)
      return std::nullopt;
    out.insert(*day);
  }
  return out;
}

class applier {
public:
  explicit applier(calendar base)
      : sessions_(base.sessions())
      , holidays_(base.holidays()) {}

  std::optional<api_error> apply(const setting& s) {
    const auto& [key, value] = s;
    if (key == "holidays" || key == "extra_holidays") {
      auto days = parse_days(value);
      if (!days)
        return bad(key, "expected YYYYMMDD dates separated by commas");
      if (key == "holidays")
        holidays_.clear();
      holidays_.insert(days->begin(), days->end());
      return std::nullopt;
    }
    if (key == "krx_extension")
      return extension(key, value);
    auto k = session_key(key);
    if (!k)
      return bad(key, "unknown key (krx|nxt).<session>[.hours|.orders|.trades_from], holidays, "
                      "extra_holidays or krx_extension");
    if (k->field == "orders")
      return orders(key, *k, value);
    if (k->field == "trades_from")
      return trades_from(key, *k, value);
    return hours(key, *k, value);
  }

  calendar result() && { return calendar{std::move(sessions_), std::move(holidays_)}; }

private:
  template <class F>
  int each(const key_parts& k, F&& f) {
    int n = 0;
    for (auto& s : sessions_)
      if (s.where == k.where && s.kind == k.kind) {
        f(s);
        ++n;
      }
    return n;
  }

  std::optional<api_error> hours(std::string_view key, const key_parts& k, std::string_view v) {
    if (trim(v) == "off") {
      std::erase_if(sessions_,
                    [&](const session& s) { return s.where == k.where && s.kind == k.kind; });
      return std::nullopt;
    }
    auto span = split(v, '-');
    auto from = span.size() == 2 ? parse_clock(trim(span[0])) : std::nullopt;
    auto to = span.size() == 2 ? parse_clock(trim(span[1])) : std::nullopt;
    if (!from || !to || *from >= *to)
      return bad(key, "expected HH:MM-HH:MM (start before end, within one day) or off");
    if (each(k, [&](session& s) {
          s.start_s = *from;
          s.end_s = *to;
        }) == 0) {
      // A session the venue lacks: added, to run every day; its orders must follow.
      session s;
      s.where = k.where;
      s.kind = k.kind;
      s.start_s = *from;
      s.end_s = *to;
      sessions_.push_back(s);
      pending_orders_.push_back(k);
    }
    return std::nullopt;
  }

  std::optional<api_error> orders(std::string_view key, const key_parts& k, std::string_view v) {
    auto mask = parse_codes(v);
    if (!mask)
      return bad(key, "expected two-digit ORD_DVSN codes separated by commas, e.g. 00,03,04");
    if (each(k, [&](session& s) { s.order_kinds = *mask; }) == 0)
      return bad(key, "no such session; give its hours first");
    std::erase_if(pending_orders_,
                  [&](const key_parts& p) { return p.where == k.where && p.kind == k.kind; });
    return std::nullopt;
  }

  std::optional<api_error> trades_from(std::string_view key, const key_parts& k,
                                       std::string_view v) {
    auto at = parse_clock(trim(v));
    if (!at)
      return bad(key, "expected HH:MM");
    if (each(k, [&](session& s) { s.trades_from_s = *at; }) == 0)
      return bad(key, "no such session; give its hours first");
    return std::nullopt;
  }

  // KRX's pre- and after-market start on this day and its single-price session ends.
  std::optional<api_error> extension(std::string_view key, std::string_view v) {
    auto day = api::kst::parse_date(trim(v));
    if (!day)
      return bad(key, "expected a YYYYMMDD date");
    for (auto& s : sessions_) {
      if (s.where != venue::krx)
        continue;
      if (s.kind == session_kind::pre_market || s.kind == session_kind::after_market)
        s.from_day = *day;
      else if (s.kind == session_kind::single_price)
        s.until_day = *day;
    }
    return std::nullopt;
  }

public:
  std::optional<api_error> finish() const {
    if (pending_orders_.empty())
      return std::nullopt;
    const auto& k = pending_orders_.front();
    return bad(std::string{k.where == venue::krx ? "krx." : "nxt."} + to_cstr(k.kind) + ".orders",
               "a session added by its hours needs the ORD_DVSN codes it takes");
  }

private:
  std::vector<session> sessions_;
  std::set<std::int32_t> holidays_;
  std::vector<key_parts> pending_orders_;
};

} // namespace

std::optional<std::int32_t> parse_clock(std::string_view text) {
  auto parts = split(text, ':');
  if (parts.size() != 2 && parts.size() != 3)
    return std::nullopt;
  std::array<int, 3> v{0, 0, 0};
  for (std::size_t i = 0; i < parts.size(); ++i) {
    auto p = parts[i];
    auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), v[i]);
    if (p.size() != 2 || ec != std::errc{} || end != p.data() + p.size())
      return std::nullopt;
  }
  const auto s = v[0] * 3600 + v[1] * 60 + v[2];
  if (v[1] > 59 || v[2] > 59 || s > day_seconds)
    return std::nullopt;
  return s;
}

result<calendar> calendar_with_settings(calendar base, std::span<const setting> settings) {
  applier a{std::move(base)};
  for (const auto& s : settings)
    if (auto err = a.apply(s))
      return std::move(*err);
  if (auto err = a.finish())
    return std::move(*err);
  return std::move(a).result();
}

} // namespace kis::sessions
