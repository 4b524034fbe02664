// Where an order may go, decided before any call to KIS (issue #14): the venue (the signal's
// route, the strategy's default already applied by its host, else KRX), the environment
// (paper takes KRX only), Nextrade eligibility (search-stock-info, remembered per symbol for a
// KST day) and the venue's session now (the calendar of kis/sessions.hpp). Plain class: the
// executor owns one and asks it at intake and again just before an order leaves.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "kis/endpoints.hpp"
#include "kis/result.hpp"
#include "kis/sessions.hpp"
#include "messages/orders.hpp"

namespace kis {

struct venue_rules {
  api::environment env = api::environment::real;
  // Session checks and events; null: no calendar, every venue always open (as before #14).
  std::shared_ptr<const sessions::calendar> calendar;
};

class venue_gate {
public:
  explicit venue_gate(venue_rules rules)
      : rules_(std::move(rules)) {}

  const venue_rules& rules() const noexcept { return rules_; }

  // The checks that need no lookup: the environment, the venue's order kinds, the session at
  // now_ns, and an eligibility already known for today. nullopt: it may go on (an NXT order
  // whose eligibility is not known yet then needs a lookup first, see needs_lookup).
  std::optional<api::api_error> check(const signal& s, std::int64_t now_ns) const;

  // Whether an NXT order of this symbol must wait for search-stock-info today.
  bool needs_lookup(const signal& s, std::int64_t now_ns) const;
  // What search-stock-info said (or that it could not say: false, refused until tomorrow's
  // lookup would be too strict, so a failed lookup is not remembered).
  void learn(const std::string& symbol, bool nxt_eligible, std::int64_t now_ns);
  std::optional<bool> nxt_eligible(const std::string& symbol, std::int64_t now_ns) const;

private:
  venue_rules rules_;
  struct known {
    std::int32_t day = 0;
    bool nxt = false;
  };
  std::map<std::string, known, std::less<>> eligibility_;
};

} // namespace kis
