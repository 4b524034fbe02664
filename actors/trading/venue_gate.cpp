#include "actors/trading/venue_gate.hpp"

#include "kis/kst.hpp"
#include "kis/venues.hpp"

namespace kis {

std::optional<api::api_error> venue_gate::check(const signal& s, std::int64_t now_ns) const {
  const auto where = api::effective_venue(s.route);
  // Eligibility unknown counts as eligible here: the lookup decides before the order leaves.
  const bool nxt_ok = nxt_eligible(s.symbol, now_ns).value_or(true);
  if (auto refused = api::check_venue(where, rules_.env, s.kind, nxt_ok))
    return refused;
  if (rules_.calendar)
    return rules_.calendar->check_order(where, s.kind, now_ns);
  return std::nullopt;
}

bool venue_gate::needs_lookup(const signal& s, std::int64_t now_ns) const {
  return api::effective_venue(s.route) == venue::nxt && !nxt_eligible(s.symbol, now_ns);
}

void venue_gate::learn(const std::string& symbol, bool nxt_eligible, std::int64_t now_ns) {
  eligibility_[symbol] = known{api::kst::date_of(now_ns), nxt_eligible};
}

std::optional<bool> venue_gate::nxt_eligible(const std::string& symbol, std::int64_t now_ns) const {
  auto i = eligibility_.find(symbol);
  if (i == eligibility_.end() || i->second.day != api::kst::date_of(now_ns))
    return std::nullopt;
  return i->second.nxt;
}

} // namespace kis
