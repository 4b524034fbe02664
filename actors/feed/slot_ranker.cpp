#include "actors/feed/slot_ranker.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

namespace kis {

slot_ranker::slot_ranker(slot_ranker_config cfg, clock_fn now)
    : cfg_(cfg)
    , now_(std::move(now)) {}

void slot_ranker::report(const interest_report& r) {
  auto& v = sources_[r.source];
  v.at = now_();
  v.symbols.clear();
  for (const auto& s : r.symbols)
    v.symbols[s.symbol] = s;
}

void slot_ranker::want(const std::string& symbol, std::uint32_t cost) {
  wanted_[symbol] = std::max<std::uint32_t>(cost, 1);
}

void slot_ranker::unwant(const std::string& symbol) {
  wanted_.erase(symbol);
}

std::uint64_t slot_ranker::signals_of(const std::string& symbol) const {
  std::uint64_t n = 0;
  for (const auto& [name, v] : sources_)
    if (auto it = v.symbols.find(symbol); it != v.symbols.end())
      n += it->second.signals;
  return n;
}

// Score: one point per tenfold turnover above a million KRW, one per percent of price range,
// one per signal since the previous re-rank. Pins and follows do not expire (their sources
// report only changes); activity older than stale_after counts nothing.
slot_ranker::candidate slot_ranker::rate(const std::string& symbol, std::uint32_t cost,
                                         bool holds) const {
  candidate c{symbol, watched, 0, cost, holds};
  const auto now = now_();
  double turnover = 0, range = 0;
  for (const auto& [name, v] : sources_) {
    auto it = v.symbols.find(symbol);
    if (it == v.symbols.end())
      continue;
    const auto& s = it->second;
    if (s.pinned)
      c.tier = pinned;
    else if (s.followed && c.tier < followed)
      c.tier = followed;
    if (now - v.at <= cfg_.stale_after) {
      turnover += std::max(0.0, s.turnover);
      range = std::max(range, s.range_pct);
    }
  }
  auto seen = signals_seen_.find(symbol);
  const auto total = signals_of(symbol);
  const auto recent = seen == signals_seen_.end() ? total : total - std::min(total, seen->second);
  c.score = std::log10(1 + turnover / 1e6) + range + static_cast<double>(recent);
  return c;
}

int slot_ranker::tier_of(const std::string& symbol) const {
  return rate(symbol, 1, false).tier;
}

double slot_ranker::score_of(const std::string& symbol) const {
  return rate(symbol, 1, false).score;
}

slot_ranker::plan slot_ranker::rerank(const std::set<std::string>& holders, std::size_t capacity) {
  std::vector<candidate> held, waiting;
  std::size_t used = 0;
  for (const auto& [sym, cost] : wanted_) {
    auto c = rate(sym, cost, holders.count(sym) != 0);
    if (c.holds) {
      used += cost;
      held.push_back(std::move(c));
    } else {
      waiting.push_back(std::move(c));
    }
  }
  for (const auto& [sym, cost] : wanted_)
    signals_seen_[sym] = signals_of(sym);

  auto stronger = [](const candidate& a, const candidate& b) {
    if (a.tier != b.tier)
      return a.tier > b.tier;
    if (a.score != b.score)
      return a.score > b.score;
    return a.symbol < b.symbol; // a stable, deterministic order
  };
  std::sort(waiting.begin(), waiting.end(), stronger);
  // Weakest holder last, so evictions pop from the back.
  std::sort(held.begin(), held.end(), stronger);

  plan out;
  std::size_t moves = 0;
  const auto now = now_();
  auto settled = [&](const candidate& h) {
    auto it = granted_at_.find(h.symbol);
    return it == granted_at_.end() || now - it->second >= cfg_.min_hold;
  };
  for (const auto& c : waiting) {
    // Room first: free registrations, then the weakest holders this challenger beats (a holder
    // that got its slot less than min_hold ago keeps it, unless a pinned symbol needs it).
    std::vector<std::size_t> evict; // indexes into held, weakest first
    std::size_t room = capacity > used ? capacity - used : 0;
    for (std::size_t i = held.size(); i-- > 0 && room < c.cost;) {
      const auto& h = held[i];
      const bool beats = c.tier == pinned   ? h.tier < pinned
                         : c.tier != h.tier ? c.tier > h.tier
                                            : c.score > h.score + cfg_.margin;
      if (!beats)
        break; // every holder before it is stronger still
      if (c.tier != pinned && (!settled(h) || moves >= cfg_.max_moves))
        continue;
      room += h.cost;
      evict.push_back(i);
    }
    if (room < c.cost)
      continue;            // not enough: nobody moves for it
    for (auto i : evict) { // descending indexes: erasing keeps the others valid
      used -= held[i].cost;
      out.release.push_back(held[i].symbol);
      granted_at_.erase(held[i].symbol);
      held.erase(held.begin() + static_cast<std::ptrdiff_t>(i));
    }
    if (!evict.empty() && c.tier != pinned)
      ++moves;
    used += c.cost;
    out.grant.push_back(c.symbol);
    granted_at_[c.symbol] = now;
    // The newcomer is a holder now: keep `held` ordered for the next challenger.
    held.insert(std::upper_bound(held.begin(), held.end(), c, stronger), c);
  }
  for (auto it = granted_at_.begin(); it != granted_at_.end();)
    it = wanted_.count(it->first) ? std::next(it) : granted_at_.erase(it);
  return out;
}

} // namespace kis
