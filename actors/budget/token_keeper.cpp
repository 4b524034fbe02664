#include "actors/budget/token_keeper.hpp"

#include <optional>
#include <vector>

#include <caf/actor_cast.hpp>
#include <caf/actor_system.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <caf/typed_response_promise.hpp>

#include <spdlog/spdlog.h>

#include "actors/observability/instrumentation.hpp"
#include "actors/observability/measured.hpp"
#include "actors/budget/token_cache.hpp"
#include "kis/rest_codec.hpp"
#include "messages/errors.hpp"

// Whether tokenP counts against the REST budget: it does not go through the rate governor.
// KIS lists the token endpoint with its own limit (FAQ-RATE: tokenP 1/s, next to the 18/s of
// the account), and the keeper's own rule (one issue a minute) keeps it far below that; routing
// it through the governor would only let a queue of quote requests delay a token that every
// one of those requests is waiting for.

namespace kis {

namespace {

template <class T>
using promises = std::vector<caf::typed_response_promise<T>>;

struct keeper_state {
  token_keeper_config cfg;
  oauth_issue_fn issue;
  std::filesystem::path cache_file; // empty: no cache

  std::optional<access_token> token;
  bool from_cache = false;
  promises<access_token> token_waiters;
  bool token_in_flight = false;
  bool too_soon_retry_used = false;
  std::int64_t last_issue_ns = 0; // wall clock; 0 = never
  std::uint64_t issues = 0;
  std::uint64_t too_soon = 0;

  std::optional<approval_key> approval;
  promises<approval_key> approval_waiters;
  bool approval_in_flight = false;

  std::uint64_t call_seq = 0;
  std::uint64_t token_call = 0;       // call id of the token issue in flight
  std::uint64_t approval_call = 0;    // call id of the approval issue in flight
  std::uint64_t timer_generation = 0; // timers cannot be cancelled: only the newest counts

  // Token age, life left, issues and EGW00133 answers are computed from the above at publish.
  actor_recorder rec{"token_keeper", "token_keeper"};

  static inline const char* name = "token_keeper";
};

using keeper_ptr = caf::stateful_actor<keeper_state, measured<token_keeper_actor::base>>*;

std::int64_t wall_now(keeper_ptr self) {
  return self->state.cfg.clock->now_ns();
}

std::int64_t ns(std::chrono::nanoseconds d) {
  return d.count();
}

bool usable(const access_token& t, const token_keeper_config& cfg, std::int64_t now) {
  return !t.value.empty() && t.expires_ns - now > ns(cfg.expiry_guard);
}

caf::error to_caf(const api::api_error& e) {
  return make_kis_error(e.code, e.kis_code, e.http_status, e.message);
}

void arm_timer(keeper_ptr self, std::int64_t delay_ns) {
  auto gen = ++self->state.timer_generation;
  self->delayed_send(self, std::chrono::nanoseconds{std::max<std::int64_t>(delay_ns, 0)},
                     refresh_atom_v, gen);
}

void persist(keeper_ptr self) {
  auto& st = self->state;
  if (st.cache_file.empty())
    return;
  cached_token entry{st.token.value_or(access_token{}), st.last_issue_ns};
  if (auto err = store_token_cache(st.cache_file, st.cfg.env, st.cfg.app_key, entry))
    spdlog::warn("token_keeper: {}", err->message);
}

template <class T>
void fail_all(promises<T>& waiters, const caf::error& err) {
  for (auto& rp : waiters)
    rp.deliver(err);
  waiters.clear();
}

void send_issue(keeper_ptr self, endpoint_id id, std::uint64_t call) {
  auto me = caf::actor_cast<token_keeper_actor>(self);
  self->state.issue(id, [me, call](http_exchange ex) {
    ex.call_id = call;
    caf::anon_send(me, done_atom_v, std::move(ex));
  });
}

// Starts a token issue unless one is in flight or the minute since the last is not over; in
// that case the timer brings the keeper back when it is.
void want_token(keeper_ptr self) {
  auto& st = self->state;
  if (st.token_in_flight)
    return;
  const auto now = wall_now(self);
  if (st.last_issue_ns != 0) {
    const auto earliest = st.last_issue_ns + ns(st.cfg.min_issue_interval);
    if (now < earliest) {
      arm_timer(self, earliest - now);
      return;
    }
  }
  st.token_in_flight = true;
  st.last_issue_ns = now;
  st.token_call = ++st.call_seq;
  send_issue(self, endpoint_id::token_issue, st.token_call);
}

void want_approval(keeper_ptr self) {
  auto& st = self->state;
  if (st.approval_in_flight)
    return;
  st.approval_in_flight = true;
  st.approval_call = ++st.call_seq;
  send_issue(self, endpoint_id::approval_key, st.approval_call);
}

bool needs_refresh(keeper_ptr self, std::int64_t now) {
  const auto& st = self->state;
  return !st.token || st.token->expires_ns - now <= ns(st.cfg.refresh_ahead);
}

void arm_refresh(keeper_ptr self) {
  const auto& st = self->state;
  if (st.token)
    arm_timer(self, st.token->expires_ns - ns(st.cfg.refresh_ahead) - wall_now(self));
}

caf::result<access_token> ask_token(keeper_ptr self) {
  auto& st = self->state;
  const auto now = wall_now(self);
  if (st.token && usable(*st.token, st.cfg, now)) {
    if (needs_refresh(self, now))
      want_token(self); // in the background; the current token still serves
    return *st.token;
  }
  auto rp = self->make_response_promise<access_token>();
  st.token_waiters.push_back(rp);
  want_token(self);
  return rp;
}

void token_done(keeper_ptr self, const http_exchange& ex) {
  auto& st = self->state;
  st.token_in_flight = false;
  const auto now = wall_now(self);
  auto root = api::parse_reply(ex);
  auto decoded = root ? api::decode_token(*root, now) : api::result<access_token>{root.error()};
  if (decoded) {
    st.token = std::move(decoded.value());
    st.from_cache = false;
    st.too_soon_retry_used = false;
    ++st.issues;
    persist(self);
    for (auto& rp : st.token_waiters)
      rp.deliver(*st.token);
    st.token_waiters.clear();
    arm_refresh(self);
    return;
  }
  const auto& err = decoded.error();
  if (err.code == errc::token_too_soon) {
    ++st.too_soon;
    // Another process (or our own earlier issue) took this minute: wait it out, retry once.
    st.last_issue_ns = now;
    if (!st.too_soon_retry_used) {
      st.too_soon_retry_used = true;
      arm_timer(self, ns(st.cfg.min_issue_interval));
      return;
    }
  }
  st.too_soon_retry_used = false;
  fail_all(st.token_waiters, to_caf(err));
  // A token that is still usable keeps serving; a refresh is tried again later.
  if (st.token && usable(*st.token, st.cfg, now))
    arm_timer(self, ns(st.cfg.min_issue_interval));
}

void approval_done(keeper_ptr self, const http_exchange& ex) {
  auto& st = self->state;
  st.approval_in_flight = false;
  auto root = api::parse_reply(ex);
  auto decoded =
      root ? api::decode_approval(*root, wall_now(self)) : api::result<approval_key>{root.error()};
  if (!decoded) {
    fail_all(st.approval_waiters, to_caf(decoded.error()));
    return;
  }
  st.approval = std::move(decoded.value());
  for (auto& rp : st.approval_waiters)
    rp.deliver(*st.approval);
  st.approval_waiters.clear();
}

caf::result<approval_key> ask_approval(keeper_ptr self) {
  auto& st = self->state;
  if (st.approval && st.approval->expires_ns > wall_now(self))
    return *st.approval;
  auto rp = self->make_response_promise<approval_key>();
  st.approval_waiters.push_back(rp);
  want_approval(self);
  return rp;
}

void load_cache(keeper_ptr self) {
  auto& st = self->state;
  if (st.cfg.cache_dir.empty())
    return;
  st.cache_file = token_cache_path(st.cfg.cache_dir, st.cfg.env, st.cfg.app_key);
  auto entry = load_token_cache(st.cache_file, st.cfg.env, st.cfg.app_key);
  if (!entry) {
    if (entry.error().code != errc::not_supported)
      spdlog::warn("token_keeper: ignoring {}", entry.error().message);
    return;
  }
  st.last_issue_ns = entry->last_issue_ns;
  if (usable(entry->token, st.cfg, wall_now(self))) {
    st.token = entry->token;
    st.from_cache = true;
    arm_refresh(self);
  }
}

token_info info_of(keeper_ptr self) {
  const auto& st = self->state;
  const auto now = wall_now(self);
  token_info info;
  info.issues = st.issues;
  info.too_soon = st.too_soon;
  info.from_cache = st.from_cache;
  if (st.token) {
    info.valid = usable(*st.token, st.cfg, now);
    info.issued_ns = st.token->issued_ns;
    info.expires_ns = st.token->expires_ns;
    info.age_ns = now - st.token->issued_ns;
  }
  return info;
}

// The role's figures, from the state at publish time; no token yet reads as age and life 0.
void add_token_figures(keeper_ptr self, actor_sample& s) {
  namespace m = metric_names;
  const auto& st = self->state;
  const auto now = wall_now(self);
  auto point = [&](const char* name, metric_type type, double v, std::vector<label> labels = {}) {
    s.values.push_back({name, type, std::move(labels), v});
  };
  double age = 0, left = 0;
  if (st.token) {
    age = static_cast<double>(now - st.token->issued_ns) / 1e9;
    left = static_cast<double>(std::max<std::int64_t>(st.token->expires_ns - now, 0)) / 1e9;
  }
  point(m::token_age_seconds, metric_type::gauge, age);
  point(m::token_remaining_seconds, metric_type::gauge, left);
  point(m::token_issues_total, metric_type::counter, static_cast<double>(st.issues));
  point(m::api_error_codes_total, metric_type::counter, static_cast<double>(st.too_soon),
        {{"code", "EGW00133"}});
  point(metric_names::token_valid, metric_type::gauge,
        st.token && usable(*st.token, st.cfg, now) ? 1 : 0);
  point(metric_names::token_from_cache, metric_type::gauge, st.from_cache ? 1 : 0);
  point(metric_names::token_waiters, metric_type::gauge,
        static_cast<double>(st.token_waiters.size()));
}

token_keeper_actor::behavior_type keeper(keeper_ptr self) {
  self->measure_with(self->state.rec);
  load_cache(self);
  return {
      [self](token_atom) { return ask_token(self); },
      [self](approval_atom) { return ask_approval(self); },
      [self](approval_atom, refresh_atom) {
        // The WebSocket session is gone: the next one registers with a fresh key.
        self->state.approval.reset();
        return ask_approval(self);
      },
      [self](invalid_atom, const std::string& refused) {
        auto& st = self->state;
        if (st.token && st.token->value == refused) {
          st.token.reset();
          st.from_cache = false;
          persist(self); // other processes must not pick the refused token up either
        }
        return ask_token(self);
      },
      [self](refresh_atom) {
        self->state.token.reset();
        self->state.from_cache = false;
        return ask_token(self);
      },
      [self](info_atom) { return info_of(self); },
      [self](publish_atom) { self->state.rec.publish(self); },
      [self](refresh_atom, std::uint64_t generation) {
        auto& st = self->state;
        if (generation != st.timer_generation)
          return;
        if (!st.token_waiters.empty() || needs_refresh(self, wall_now(self)))
          want_token(self);
        // The keeper is often idle for hours: its timer is when the life left is worth telling.
        st.rec.publish(self);
      },
      [self](done_atom, const http_exchange& ex) {
        auto& st = self->state;
        const auto issues = st.issues;
        if (st.token_in_flight && ex.call_id == st.token_call)
          token_done(self, ex);
        else if (st.approval_in_flight && ex.call_id == st.approval_call)
          approval_done(self, ex);
        else
          return;
        if (st.issues != issues)
          st.rec.publish(self); // a new token: report its life at once, not at the next ask
      },
  };
}

} // namespace

token_keeper_actor spawn_token_keeper(caf::actor_system& sys, token_keeper_config cfg,
                                      oauth_issue_fn issue) {
  return sys.spawn([cfg = std::move(cfg), issue = std::move(issue)](keeper_ptr self) mutable {
    if (!cfg.clock)
      cfg.clock = default_wall_clock();
    self->state.cfg = std::move(cfg);
    self->state.issue = std::move(issue);
    self->state.rec.on_publish([self](actor_sample& s) { add_token_figures(self, s); });
    self->state.rec.publish_when_idle(); // between bursts of askers the keeper is quiet
    return keeper(self);
  });
}

} // namespace kis
