// The [sessions] table and the venue key of [[strategy]] (issue #14, docs/sessions.md): the
// calendar the executor checks orders against and the strategy hosts tell session changes
// from. Defaults: the 2026 KRX/NXT calendar of kis/sessions.hpp, enforced in paper and live
// (KIS keeps those hours) and not in sim unless asked (kis-sim's market never closes unless it
// is started with --sessions or --start).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "kis/endpoints.hpp"
#include "kis/result.hpp"
#include "kis/sessions.hpp"
#include "messages/orders.hpp"

namespace kis::runtime {

struct sessions_section {
  std::optional<bool> enforce;             // unset: paper and live yes, sim no
  std::vector<sessions::setting> settings; // every other key, flattened (docs/sessions.md)
};

// The default calendar with the settings applied; errc::config naming the first bad key.
api::result<sessions::calendar> sessions_calendar(const sessions_section& s);

// "krx", "nxt", "sor" (any case); empty is unset (the signal's own route, else KRX).
std::optional<venue> parse_venue_name(std::string_view name) noexcept;

// The calendar a run enforces: null when it does not (enforce = false, or off_by_default - the
// simulator's never-closing market - without enforce = true), or when the settings are bad
// (config validation refuses those before a run starts).
std::shared_ptr<const sessions::calendar> run_calendar(const sessions_section& s,
                                                       bool off_by_default);

} // namespace kis::runtime
