// The feed's state, shared by its source files (ws_feed.cpp: session, frames, registrations;
// ws_feed_slots.cpp: slots that follow interest). Internal to actors/feed.
#pragma once

#include "actors/feed/ws_feed.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <utility>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/observability/instrumentation.hpp"
#include "actors/observability/measured.hpp"
#include "actors/feed/ws_fanout.hpp"
#include "kis/kst.hpp"
#include "kis/notice_crypto.hpp"
#include "kis/realtime_frames.hpp"
#include "messages/errors.hpp"

namespace kis::feed_impl {

using sink_id = caf::actor_addr;
using reg_key = std::pair<std::string, std::string>; // (tr_id, tr_key)

// One registration on the server, shared by every subscriber of the same (tr_id, key).
struct registration {
  feed_channel channel = feed_channel::trades;
  std::string key;
  std::int32_t priority = 0;
  std::set<sink_id> market_sinks;
  std::map<sink_id, notice_sink_actor> notice_sinks;
  bool acked = false;    // confirmed on the current session
  bool announce = false; // given by a re-rank: its subscribers hear when it is acked
  std::vector<caf::typed_response_promise<subscription>> waiting;

  std::size_t sharers() const { return market_sinks.size() + notice_sinks.size(); }
};

enum class link_state : std::uint8_t { authorizing, connecting, up, waiting };

using self_ptr = caf::stateful_actor<struct feed_state, measured<ws_feed_impl_actor::base>>*;

struct feed_state {
  static inline const char* name = "ws_feed";

  explicit feed_state(self_ptr ptr)
      : self(ptr) {}

  self_ptr self;
  ws_feed_config cfg;
  token_keeper_actor keeper;
  std::minstd_rand rng;

  // Session.
  link_state link = link_state::waiting;
  std::uint64_t session = 0;
  std::unique_ptr<ws_transport> transport;
  std::string approval;                   // secret: goes into register requests only
  caf::actor_clock::time_point since{};   // when the current state began
  caf::actor_clock::time_point last_rx{}; // data or ping
  caf::actor_clock::time_point retry_at{};
  caf::actor_clock::time_point down_since{}; // first loss of an unrecovered outage
  bool recovering = false;
  bool ever_up = false;
  bool key_refused = false; // OPSP0010/0011: the next connect asks for a fresh key
  std::uint32_t attempt = 0;
  std::map<std::string, api::notice_cipher> ciphers; // per tr_id, from the latest ack

  // Registrations and subscribers.
  std::map<reg_key, registration> regs;
  feed_status status;
  std::int32_t trade_date = 0; // KST date of the latest trade, for order-book times

  // Slots that follow interest (only with cfg.rerank_interval > 0).
  std::optional<slot_ranker> ranker;
  std::map<std::string, std::map<feed_channel, std::set<sink_id>>> standby; // waiting for a slot
  std::map<reg_key, caf::actor_clock::time_point> releasing; // unsubscribes not yet answered
  std::vector<std::string> pending_grants;    // given a slot, waiting for room on the server
  std::map<std::string, market_code> markets; // each symbol's TR family, as its subscriber asked
  caf::actor_clock::time_point next_rerank{};
  std::uint64_t slot_moves = 0;
  std::uint64_t quiet_spells = 0; // times the market data was released for a close

  // Handler counts and times; the role's figures come from `status` at publish (add_figures).
  actor_recorder rec{"ws_feed", "ws_feed"};
  market_fanout fanout{self, rec}; // market subscribers and their credit
  std::uint64_t frames_at_publish = 0;
  std::optional<caf::actor_clock::time_point> published_at; // for frames per second

  // Scratch buffers reused for every frame.
  std::vector<trade_tick> trades;
  std::vector<order_book> books;
  std::vector<execution_notice> notices;

  caf::actor_clock::time_point now() const { return self->clock().now(); }
  std::int64_t now_ns() const {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(now().time_since_epoch()).count();
  }

  // --- session --------------------------------------------------------------------------

  void authorize() {
    link = link_state::authorizing;
    since = now();
    auto got = [this](const approval_key& k) {
      approval = k.value;
      connect();
    };
    auto failed = [this](caf::error&) { lost(); };
    // The keeper's cached key serves a plain reconnect; a key the server refused is reissued.
    if (std::exchange(key_refused, false))
      self->request(keeper, cfg.approval_timeout, approval_atom_v, refresh_atom_v)
          .then(got, failed);
    else
      self->request(keeper, cfg.approval_timeout, approval_atom_v).then(got, failed);
  }

  void connect() {
    link = link_state::connecting;
    since = now();
    transport = cfg.transport(caf::actor_cast<ws_feed_impl_actor>(self), ++session);
  }

  void on_up() {
    link = link_state::up;
    last_rx = now();
    status.connected = true;
    if (ever_up)
      ++status.reconnects;
    ever_up = true;
    // Notices first, then by priority and demand, so a smaller server cap cuts the least wanted.
    std::vector<std::pair<const reg_key, registration>*> order;
    for (auto& kv : regs)
      order.push_back(&kv);
    std::stable_sort(order.begin(), order.end(), [](auto* a, auto* b) {
      auto rank = [](const registration& r) {
        return std::make_tuple(r.channel == feed_channel::notices, r.priority, r.sharers());
      };
      return rank(a->second) > rank(b->second);
    });
    for (auto* kv : order)
      send_register(kv->first, true);
    check_recovered();
  }

  // The session is gone (or never came): forget its keys, keep every registration.
  void lost() {
    transport.reset();
    ciphers.clear();
    status.connected = false;
    for (auto& [k, r] : regs) {
      r.acked = false;
      answer_waiting(r);
    }
    if (!recovering) {
      recovering = true;
      down_since = now();
    }
    link = link_state::waiting;
    retry_at = now() + backoff();
    releasing.clear(); // a new session starts with nothing registered
    grant_pending();
  }

  // Equal jitter: half the capped exponential step fixed, half random.
  caf::timespan backoff() {
    auto step = cfg.backoff_min;
    for (std::uint32_t i = 0; i < attempt && step < cfg.backoff_max; ++i)
      step *= 2;
    step = std::min(step, cfg.backoff_max);
    ++attempt;
    std::uniform_int_distribution<caf::timespan::rep> jitter{0, step.count() / 2};
    return caf::timespan{step.count() - step.count() / 2 + jitter(rng)};
  }

  void check_recovered() {
    if (!recovering || link != link_state::up)
      return;
    if (std::any_of(regs.begin(), regs.end(), [](const auto& kv) { return !kv.second.acked; }))
      return;
    recovering = false;
    attempt = 0;
    if (status.reconnects > 0)
      status.last_recovery_ns =
          std::chrono::duration_cast<std::chrono::nanoseconds>(now() - down_since).count();
  }

  void on_tick() {
    auto t = now();
    switch (link) {
    case link_state::up:
      if (t - last_rx >= cfg.silence_timeout)
        lost();
      break;
    case link_state::connecting:
      if (t - since >= cfg.connect_timeout)
        lost();
      break;
    case link_state::waiting:
      if (t >= retry_at)
        authorize();
      break;
    case link_state::authorizing:
      break; // the request has its own timeout
    }
    for (auto it = releasing.begin(); it != releasing.end();)
      it = t - it->second >= cfg.release_timeout ? releasing.erase(it) : std::next(it);
    check_market();
    grant_pending();
    if (ranker && !status.market_closed) {
      if (t >= next_rerank) {
        next_rerank = t + cfg.rerank_interval;
        rerank();
      }
    }
    self->delayed_send(self, cfg.tick_interval, caf::tick_atom_v);
  }

  void send_register(const reg_key& k, bool on) {
    if (link != link_state::up || !transport)
      return;
    transport->send_text(
        api::make_subscribe_request(approval, cfg.custtype, k.first, k.second, on));
  }

  // --- registrations --------------------------------------------------------------------

  subscription describe(const registration& r) const {
    return {r.channel, r.key, static_cast<std::uint32_t>(r.sharers()),
            static_cast<std::uint32_t>(regs.size()), cfg.slots_cap};
  }

  void answer_waiting(registration& r) {
    for (auto& rp : r.waiting)
      rp.deliver(describe(r));
    r.waiting.clear();
  }

  std::size_t market_regs() const {
    return static_cast<std::size_t>(std::count_if(regs.begin(), regs.end(), [](const auto& kv) {
      return kv.second.channel != feed_channel::notices;
    }));
  }

  // Finds or makes the registration; nullptr with `err` set when the cap says no.
  registration* acquire(const subscribe_request& req, caf::error& err) {
    if (req.key.empty()) {
      err = make_kis_error(errc::invalid_argument, "subscribe_request without a key");
      return nullptr;
    }
    const bool notice = req.channel == feed_channel::notices;
    if (!notice)
      markets[req.key] = req.market;
    reg_key k{tr_of(req.channel, req.key), req.key};
    if (auto it = regs.find(k); it != regs.end()) {
      it->second.priority = std::max(it->second.priority, req.priority);
      return &it->second;
    }
    if (!notice && status.market_closed) {
      err = make_kis_error(errc::session_closed,
                           "no traded venue is open: registered before the next open");
      return nullptr;
    }
    const std::size_t market_cap =
        cfg.slots_cap > cfg.notice_slots ? cfg.slots_cap - cfg.notice_slots : 0;
    if (regs.size() + releasing.size() >= cfg.slots_cap ||
        (!notice && market_regs() + releasing.size() >= market_cap)) {
      err = make_kis_error(errc::ws_cap_reached,
                           "WebSocket registrations full (" + std::to_string(regs.size()) + " of " +
                               std::to_string(cfg.slots_cap) + ", " +
                               std::to_string(cfg.notice_slots) +
                               " pinned for notices): poll this symbol over REST");
      return nullptr;
    }
    auto& r = regs[k];
    r.channel = req.channel;
    r.key = req.key;
    r.priority = req.priority;
    status.slots_used = static_cast<std::uint32_t>(regs.size());
    send_register(k, true);
    return &r;
  }

  caf::result<subscription> reply_for(registration& r) {
    if (link != link_state::up || r.acked)
      return describe(r); // held; (re)registered as soon as the session is up
    auto rp = self->make_response_promise<subscription>();
    r.waiting.push_back(rp);
    return rp;
  }

  void release_if_unused(std::map<reg_key, registration>::iterator it) {
    if (it->second.sharers() > 0)
      return;
    if (it->second.acked)
      unregister(it->first);
    for (auto& rp : it->second.waiting)
      rp.deliver(make_kis_error(errc::ws_refused, "registration released before the server acked"));
    auto symbol = it->second.key;
    regs.erase(it);
    status.slots_used = static_cast<std::uint32_t>(regs.size());
    update_want(symbol);
  }

  void unregister(const reg_key& k) {
    send_register(k, false);
    if (link == link_state::up)
      releasing[k] = now(); // the server frees it when it answers
  }

  // --- slots that follow interest ------------------------------------------------------------
  std::uint32_t channels_of(const std::string& symbol) const;
  void update_want(const std::string& symbol);
  std::size_t market_cap() const;
  // The TR of a channel for a symbol: its market's family (H0ST.., H0NX.., H0UN..).
  std::string tr_of(feed_channel ch, const std::string& symbol) const;
  // Quiet when closed: looks at the calendar (every tick); releases every market registration
  // into standby when no traded venue is open or opening, registers them again when one is.
  void check_market();
  void quiet();
  void wake();
  void rerank();
  // The symbol's registrations go; their subscribers wait in standby and poll meanwhile.
  void evict(const std::string& symbol, std::string_view why);
  // Registers granted symbols as room on the server allows (a release frees its room when the
  // server answers it), first granted first.
  void grant_pending();
  // A market subscriber the cap refused waits for a slot (with re-ranking on).
  // The role's three subscription messages (ws_feed_slots.cpp).
  caf::result<subscription> subscribe_market(const subscribe_request& req,
                                             const market_sink_actor& sink);
  caf::result<subscription> subscribe_notices(const subscribe_request& req,
                                              const notice_sink_actor& sink);
  void unsubscribe(const subscribe_request& req, const market_sink_actor& sink);
  void wait_for_slot(const subscribe_request& req, const market_sink_actor& sink);
  void forget_sink(const sink_id& who);
  void watch(const caf::actor_addr& who);

  // --- inbound frames -------------------------------------------------------------------

  void on_frame(std::string& text) {
    last_rx = now();
    ++status.frames;
    switch (api::classify(text)) {
    case api::frame_kind::data:
      on_data(text);
      break;
    case api::frame_kind::control:
      on_control(text);
      break;
    case api::frame_kind::unknown:
      ++status.parse_errors;
      break;
    }
  }

  void on_control(const std::string& text) {
    auto rep = api::parse_control(text);
    if (!rep) {
      ++status.parse_errors;
      return;
    }
    if (rep->kind == api::control_kind::ping) {
      // Which answer the server wants is unconfirmed (KIS-PROTOCOL.md §6.6): give both.
      transport->send_text(text);
      transport->send_pong(text);
      ++status.pings_answered;
      return;
    }
    if (rep->kind == api::control_kind::unsubscribed) {
      releasing.erase({rep->tr_id, rep->tr_key});
      grant_pending();
      return;
    }
    auto it = find_reg(*rep);
    if (it == regs.end())
      return; // an ack for something released meanwhile
    auto& r = it->second;
    if (rep->kind == api::control_kind::refused &&
        (rep->msg_cd == "OPSP0010" || rep->msg_cd == "OPSP0011")) {
      // The approval key, not this registration, is at fault: reconnect with a fresh one.
      key_refused = true;
      lost();
      return;
    }
    if (rep->kind == api::control_kind::refused) {
      for (auto& rp : r.waiting)
        rp.deliver(
            make_kis_error(rep->refusal.code, rep->refusal.kis_code, 0, rep->refusal.message));
      r.waiting.clear();
      if (r.announce) // still polled: it waits for the next re-rank
        standby[r.key][r.channel].insert(r.market_sinks.begin(), r.market_sinks.end());
      regs.erase(it);
      status.slots_used = static_cast<std::uint32_t>(regs.size());
      check_recovered();
      return;
    }
    // OPSP0000 and OPSP0002 alike: the registration holds on this session.
    if (api::is_notice_tr(it->first.first) && rep->key.size() == api::notice_key_size)
      ciphers[it->first.first] = {rep->key, rep->iv};
    r.acked = true;
    if (std::exchange(r.announce, false))
      for (const auto& who : r.market_sinks)
        fanout.tell_slot(who, r.key, true);
    answer_waiting(r);
    check_recovered();
  }

  std::map<reg_key, registration>::iterator find_reg(const api::control_reply& rep) {
    if (auto it = regs.find({rep.tr_id, rep.tr_key}); it != regs.end())
      return it;
    // OPSP0017 (bad HTS ID) names no tr_id: it is about the notice registration not yet acked.
    return std::find_if(regs.begin(), regs.end(), [&](const auto& kv) {
      return kv.second.channel == feed_channel::notices && !kv.second.acked &&
             (rep.tr_id == "(null)" || rep.tr_id == kv.first.first);
    });
  }

  void on_data(const std::string& text) {
    auto f = api::split_frame(text);
    if (!f) {
      ++status.parse_errors;
      return;
    }
    const auto ns = now_ns();
    if (api::is_notice_tr(f->tr_id))
      return on_notices(*f, ns);
    const auto tr = api::describe_tr(f->tr_id);
    if (!tr) {
      ++status.parse_errors;
    } else if (tr->channel == feed_channel::trades) {
      trades.clear();
      if (!count(api::parse_trades(f->payload, f->count, ns, trades, tr->market)))
        return;
      trade_date = api::kst::date_of(trades.back().exchange_ns);
      for (auto& t : trades)
        fan_out(f->tr_id, t.symbol, t);
    } else if (tr->channel == feed_channel::book) {
      books.clear();
      auto date = api::kst::format_date(trade_date != 0 ? trade_date : api::kst::today(*cfg.clock));
      if (!count(api::parse_books(f->payload, f->count, date, ns, books, tr->market)))
        return;
      for (auto& b : books)
        fan_out(f->tr_id, b.symbol, b);
    } else {
      ++status.parse_errors;
    }
  }

  bool count(const api::result<std::size_t>& n) {
    if (!n) {
      ++status.parse_errors;
      return false;
    }
    status.records += *n;
    return true;
  }

  void on_notices(const api::data_frame& f, std::int64_t ns) {
    std::string plain;
    if (f.encrypted) {
      auto c = ciphers.find(std::string{f.tr_id});
      if (c == ciphers.end()) {
        ++status.parse_errors; // no key from an ack on this session
        return;
      }
      auto dec = api::decrypt_notice(f.payload, c->second);
      if (!dec) {
        ++status.parse_errors;
        return;
      }
      plain = std::move(*dec);
    } else {
      plain.assign(f.payload);
    }
    notices.clear();
    if (!count(api::parse_notices(plain, f.count, ns, notices)))
      return;
    for (auto& n : notices) {
      auto it = regs.find({std::string{f.tr_id}, n.hts_id});
      if (it == regs.end()) // one notice registration per session in practice
        it = std::find_if(regs.begin(), regs.end(), [](const auto& kv) {
          return kv.second.channel == feed_channel::notices;
        });
      if (it == regs.end())
        continue;
      for (auto& [who, sink] : it->second.notice_sinks)
        self->send(sink, n);
    }
  }

  // --- metrics -------------------------------------------------------------------------

  void add_figures(actor_sample& s) {
    namespace m = metric_names;
    auto point = [&s](const char* series, metric_type type, double v, std::vector<label> ls = {}) {
      s.values.push_back({series, type, std::move(ls), v});
    };
    auto t = now();
    auto secs = published_at ? std::chrono::duration<double>(t - *published_at).count() : 0.0;
    double rate = secs > 0 ? static_cast<double>(status.frames - frames_at_publish) / secs : 0;
    frames_at_publish = status.frames;
    published_at = t;
    point(m::ws_registrations, metric_type::gauge, static_cast<double>(regs.size()));
    point(m::ws_registrations_limit, metric_type::gauge, static_cast<double>(cfg.slots_cap));
    point(m::ws_reconnects_total, metric_type::counter, static_cast<double>(status.reconnects));
    point(m::ws_frames_total, metric_type::counter, static_cast<double>(status.frames));
    point(m::ws_frames_per_second, metric_type::gauge, rate);
    point(m::ws_drops_total, metric_type::counter, static_cast<double>(status.dropped),
          {{"reason", "slow_subscriber"}});
    point(metric_names::ws_records_total, metric_type::counter,
          static_cast<double>(status.records));
    point(metric_names::ws_parse_errors_total, metric_type::counter,
          static_cast<double>(status.parse_errors));
    point(metric_names::ws_pings_answered_total, metric_type::counter,
          static_cast<double>(status.pings_answered));
    point(metric_names::ws_connected, metric_type::gauge, status.connected ? 1 : 0);
    point(metric_names::ws_subscribers, metric_type::gauge, static_cast<double>(fanout.size()));
    point(metric_names::ws_last_recovery_seconds, metric_type::gauge,
          static_cast<double>(status.last_recovery_ns) / 1e9);
    point(metric_names::ws_market_closed, metric_type::gauge, status.market_closed ? 1 : 0);
    point(metric_names::ws_quiet_spells_total, metric_type::counter,
          static_cast<double>(quiet_spells));
    if (!ranker)
      return;
    point(metric_names::ws_slot_moves_total, metric_type::counter, static_cast<double>(slot_moves));
    point(metric_names::ws_slot_waiting, metric_type::gauge, static_cast<double>(standby.size()));
    static const char* const tiers[] = {"watched", "followed", "pinned"};
    for (const auto& [k, r] : regs)
      if (r.channel == feed_channel::trades)
        point(metric_names::ws_slot_score, metric_type::gauge, ranker->score_of(r.key),
              {{"symbol", r.key}, {"tier", tiers[ranker->tier_of(r.key)]}});
  }

  // --- fan-out -------------------------------------------------------------------------

  template <class T>
  void fan_out(std::string_view tr, const std::string& symbol, const T& value) {
    auto it = regs.find({std::string{tr}, symbol});
    if (it == regs.end())
      return;
    for (const auto& who : it->second.market_sinks)
      if (!fanout.offer(who, value))
        ++status.dropped;
  }
};

} // namespace kis::feed_impl
