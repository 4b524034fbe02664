#include "actors/feed/ws_feed_state.hpp"

#include <algorithm>

namespace kis::feed_impl {

// --- subscriptions -------------------------------------------------------------------------------

caf::result<subscription> feed_state::subscribe_market(const subscribe_request& req,
                                                       const market_sink_actor& sink) {
  if (req.channel == feed_channel::notices)
    return make_kis_error(errc::invalid_argument, "notices go to a notice sink");
  caf::error err;
  auto* r = acquire(req, err);
  auto who = sink.address();
  if (r == nullptr) {
    const auto code = view(err).code;
    if ((ranker && code == errc::ws_cap_reached) || code == errc::session_closed) {
      watch(who);
      wait_for_slot(req, sink);
    }
    return err;
  }
  watch(who);
  fanout.add(sink);
  r->market_sinks.insert(who);
  update_want(req.key);
  return reply_for(*r);
}

caf::result<subscription> feed_state::subscribe_notices(const subscribe_request& req,
                                                        const notice_sink_actor& sink) {
  if (req.channel != feed_channel::notices)
    return make_kis_error(errc::invalid_argument, "market data goes to a market sink");
  caf::error err;
  auto* r = acquire(req, err);
  if (r == nullptr)
    return err;
  auto who = sink.address();
  if (!r->notice_sinks.count(who))
    self->monitor(who);
  r->notice_sinks.emplace(who, sink);
  return reply_for(*r);
}

void feed_state::unsubscribe(const subscribe_request& req, const market_sink_actor& sink) {
  if (auto sb = standby.find(req.key); sb != standby.end()) {
    if (auto ch = sb->second.find(req.channel); ch != sb->second.end()) {
      ch->second.erase(sink.address());
      if (ch->second.empty())
        sb->second.erase(ch);
    }
    if (sb->second.empty())
      standby.erase(sb);
    update_want(req.key);
  }
  auto it = regs.find({tr_of(req.channel, req.key), req.key});
  if (it == regs.end())
    return;
  it->second.market_sinks.erase(sink.address());
  release_if_unused(it);
}

// --- slots that follow interest ----------------------------------------------------------------

std::uint32_t feed_state::channels_of(const std::string& symbol) const {
  std::set<feed_channel> chans;
  for (const auto& [k, r] : regs)
    if (r.key == symbol && r.channel != feed_channel::notices)
      chans.insert(r.channel);
  if (auto it = standby.find(symbol); it != standby.end())
    for (const auto& kv : it->second)
      chans.insert(kv.first);
  return static_cast<std::uint32_t>(chans.size());
}

void feed_state::update_want(const std::string& symbol) {
  if (!ranker)
    return;
  if (auto n = channels_of(symbol); n > 0)
    ranker->want(symbol, n);
  else
    ranker->unwant(symbol);
}

std::size_t feed_state::market_cap() const {
  return cfg.slots_cap > cfg.notice_slots ? cfg.slots_cap - cfg.notice_slots : 0;
}

std::string feed_state::tr_of(feed_channel ch, const std::string& symbol) const {
  auto it = markets.find(symbol);
  const auto market = it == markets.end() ? market_code::krx : it->second;
  return std::string{api::tr_id_of(ch, market, cfg.paper)};
}

void feed_state::rerank() {
  std::set<std::string> holders(pending_grants.begin(), pending_grants.end());
  for (const auto& [k, r] : regs)
    if (r.channel != feed_channel::notices)
      holders.insert(r.key);
  const auto cap = market_cap() > releasing.size() ? market_cap() - releasing.size() : 0;
  auto plan = ranker->rerank(holders, cap);
  for (const auto& sym : plan.release)
    evict(sym, "slot given to a more active symbol");
  pending_grants.insert(pending_grants.end(), plan.grant.begin(), plan.grant.end());
  slot_moves += plan.release.size();
  grant_pending();
}

// The symbol's registrations go; their subscribers wait in standby and poll meanwhile.
void feed_state::evict(const std::string& symbol, std::string_view why) {
  pending_grants.erase(std::remove(pending_grants.begin(), pending_grants.end(), symbol),
                       pending_grants.end());
  for (auto it = regs.begin(); it != regs.end();) {
    auto& r = it->second;
    if (r.key != symbol || r.channel == feed_channel::notices) {
      ++it;
      continue;
    }
    for (auto& rp : r.waiting)
      rp.deliver(make_kis_error(status.market_closed ? errc::session_closed : errc::ws_cap_reached,
                                std::string{why}));
    auto& waiting_sinks = standby[symbol][r.channel];
    for (const auto& who : r.market_sinks) {
      waiting_sinks.insert(who);
      fanout.tell_slot(who, symbol, false);
    }
    if (link == link_state::up)
      unregister(it->first);
    it = regs.erase(it);
  }
  status.slots_used = static_cast<std::uint32_t>(regs.size());
}

// Registers granted symbols as room on the server allows (a release frees its room when the
// server answers it), first granted first.
void feed_state::grant_pending() {
  while (!status.market_closed && !pending_grants.empty()) {
    const auto symbol = pending_grants.front();
    auto sb = standby.find(symbol);
    if (sb == standby.end()) { // nobody waits any more
      pending_grants.erase(pending_grants.begin());
      continue;
    }
    if (market_regs() + releasing.size() + sb->second.size() > market_cap())
      return;
    for (auto& [channel, sinks] : sb->second) {
      reg_key k{tr_of(channel, symbol), symbol};
      auto& r = regs[k];
      r.channel = channel;
      r.key = symbol;
      r.announce = true;
      r.market_sinks.insert(sinks.begin(), sinks.end());
      send_register(k, true);
    }
    standby.erase(sb);
    pending_grants.erase(pending_grants.begin());
    status.slots_used = static_cast<std::uint32_t>(regs.size());
  }
}

// A market subscriber the cap refused waits for a slot (with re-ranking on).
void feed_state::wait_for_slot(const subscribe_request& req, const market_sink_actor& sink) {
  markets[req.key] = req.market;
  standby[req.key][req.channel].insert(sink.address());
  fanout.add(sink);
  update_want(req.key);
}

// --- quiet when closed ---------------------------------------------------------------------

void feed_state::check_market() {
  if (!cfg.calendar)
    return;
  const auto lead = std::chrono::nanoseconds{cfg.wake_before}.count();
  const bool open = cfg.calendar->open_or_opening(cfg.venues, cfg.clock->now_ns(), lead);
  if (open && status.market_closed)
    wake();
  else if (!open && !status.market_closed)
    quiet();
}

// Every market registration goes (the server frees the room; a closed market sends nothing on
// it anyway); the subscribers wait in standby, told they lost the slot, as after a re-rank.
void feed_state::quiet() {
  status.market_closed = true;
  std::vector<std::pair<std::int32_t, std::string>> held; // by priority, to come back in order
  for (const auto& [k, r] : regs)
    if (r.channel != feed_channel::notices)
      held.emplace_back(r.priority, r.key);
  std::stable_sort(held.begin(), held.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  for (const auto& [priority, symbol] : held)
    evict(symbol, "no traded venue is open: registered before the next open");
  for (const auto& [priority, symbol] : held) // after evict, which takes a symbol off the list
    if (std::find(pending_grants.begin(), pending_grants.end(), symbol) == pending_grants.end())
      pending_grants.push_back(symbol);
  ++quiet_spells;
}

// Whoever waits gets a registration again, as room allows: by rank with slots that follow
// interest, else the released ones first (by priority), then those that came while closed.
void feed_state::wake() {
  status.market_closed = false;
  if (ranker) {
    pending_grants.clear();
    next_rerank = now() + cfg.rerank_interval;
    rerank();
    return;
  }
  for (const auto& [symbol, channels] : standby)
    if (std::find(pending_grants.begin(), pending_grants.end(), symbol) == pending_grants.end())
      pending_grants.push_back(symbol);
  grant_pending();
}

void feed_state::forget_sink(const sink_id& who) {
  fanout.erase(who);
  for (auto it = standby.begin(); it != standby.end();) {
    auto symbol = it->first;
    for (auto& kv : it->second)
      kv.second.erase(who);
    std::erase_if(it->second, [](const auto& kv) { return kv.second.empty(); });
    it = it->second.empty() ? standby.erase(it) : std::next(it);
    update_want(symbol);
  }
  for (auto it = regs.begin(); it != regs.end();) {
    auto next = std::next(it);
    it->second.market_sinks.erase(who);
    it->second.notice_sinks.erase(who);
    release_if_unused(it);
    it = next;
  }
}

void feed_state::watch(const caf::actor_addr& who) {
  if (who && !fanout.has(who))
    self->monitor(who);
}
} // namespace kis::feed_impl
