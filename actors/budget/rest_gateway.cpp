#include "actors/budget/rest_gateway.hpp"

#include <algorithm>
#include <random>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <caf/actor_cast.hpp>
#include <caf/actor_system.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <caf/typed_response_promise.hpp>

#include "actors/budget/gateway_calls.hpp"
#include "actors/observability/instrumentation.hpp"
#include "actors/observability/measured.hpp"
#include "kis/endpoints.hpp"
#include "kis/rest_codec.hpp"
#include "messages/errors.hpp"

namespace kis {

namespace {

struct call_state {
  call_job job;
  std::vector<caf::response_promise> waiters; // more than one when quote requests coalesce
  std::string requester;                      // fair-share key at the governor
  std::string quote_key;                      // set while coalescing identical quotes
  std::uint32_t retries = 0;
  bool token_retry_used = false;
  std::string token;
  permit held;
  endpoint_id endpoint = endpoint_id::inquire_price; // of the page on the wire, for metrics
  bool abandoned = false; // every waiter died before a permit was asked for
  std::uint32_t late = 0; // permits this call gave back because it could not leave in time
};

struct gateway_state {
  gateway_config cfg;
  rate_governor_actor governor;
  token_keeper_actor keeper;
  std::mt19937_64 rng;
  std::uint64_t next_call = 1;
  std::unordered_map<std::uint64_t, call_state> calls;
  std::unordered_map<std::string, std::uint64_t> quotes_in_flight; // quote key -> call id
  struct cached_quote {
    quote value;
    caf::actor_clock::time_point at;
  };
  std::unordered_map<std::string, cached_quote> quote_cache;
  std::unordered_set<caf::actor_id> watched; // callers monitored, so a dead one leaves the line
  // Tokens KIS refused (EGW00121/00123): no call leaves with one of them again.
  std::unordered_set<std::string> dead_tokens;

  // Calls by endpoint and outcome are looked up per call (a short scan); the total of calls is
  // the rate governor's figure, not repeated here.
  actor_recorder rec{"rest_gateway", "rest_gateway"};
  metric_handle quote_cache_hits = rec.counter(metric_names::gateway_quote_cache_hits_total);
  metric_handle quotes_coalesced = rec.counter(metric_names::gateway_quotes_coalesced_total);
  metric_handle backoff_retries =
      rec.counter(metric_names::gateway_retries_total, {{"reason", "backoff"}});
  metric_handle token_retries =
      rec.counter(metric_names::gateway_retries_total, {{"reason", "token"}});
  metric_handle late_requests =
      rec.counter(metric_names::gateway_permits_returned_total, {{"reason", "late"}});

  static inline const char* name = "rest_gateway";
};

using gateway_ptr = caf::stateful_actor<gateway_state, measured<rest_gateway_impl_actor::base>>*;

caf::error to_caf(const api::api_error& e) {
  return make_kis_error(e.code, e.kis_code, e.http_status, e.message);
}

std::string quote_key(const price_query& q) {
  return q.market + ":" + q.symbol;
}

// Ends a call: it leaves the table (and the shared-quote index) and every waiter gets answer.
template <class Answer>
bool end_call(gateway_ptr self, std::uint64_t id, const Answer& answer) {
  auto& st = self->state;
  auto it = st.calls.find(id);
  if (it == st.calls.end())
    return false;
  auto call = std::move(it->second);
  st.calls.erase(it);
  if (!call.quote_key.empty())
    st.quotes_in_flight.erase(call.quote_key);
  for (auto& rp : call.waiters)
    rp.deliver(answer);
  return true;
}

void finish(gateway_ptr self, std::uint64_t id, const caf::message& answer) {
  end_call(self, id, answer);
}

void fail(gateway_ptr self, std::uint64_t id, const caf::error& err) {
  if (!end_call(self, id, err))
    return;
  const auto code = view(err).code;
  auto& rec = self->state.rec;
  rec.add(rec.counter(metric_names::gateway_call_errors_total,
                      {{"code", code == errc::none ? "other" : to_string_view(code)}}));
}

const char* outcome_label(call_result r) noexcept {
  switch (r) {
  case call_result::success:
    return "success";
  case call_result::rate_limited:
    return "rate_limited";
  default:
    return "failure";
  }
}

// One permitted call, by endpoint and by what became of it (as reported to the governor).
void count_call(gateway_ptr self, endpoint_id ep, call_result r) {
  auto& rec = self->state.rec;
  rec.add(rec.counter(metric_names::gateway_calls_total,
                      {{"endpoint", api::lookup(ep).name}, {"outcome", outcome_label(r)}}));
}

// Tells the governor what became of a permit whose request never left: it counts for nothing.
void give_back(gateway_ptr self, const permit& p) {
  anon_send(self->state.governor, permit_use{p.id, false});
}

// The third step: a permit is held, the request leaves now or not at all. The transport tells
// the governor the moment it leaves; past its deadline it does not leave and the permit goes
// back (see on_done).
void send_now(gateway_ptr self, std::uint64_t id, const page_request& page) {
  auto& st = self->state;
  auto& call = st.calls.at(id);
  call.endpoint = page.endpoint;
  api::call_context ctx{st.cfg.env, st.cfg.base_url, st.cfg.cred, call.token};
  auto req = api::build_request(page.endpoint, ctx, page.params, page.tr_cont);
  if (!req || !st.cfg.transport) {
    give_back(self, call.held); // nothing left the machine
    fail(self, id,
         req ? make_kis_error(errc::config, "rest_gateway: no transport injected") // wiring
             : to_caf(req.error()));
    return;
  }
  auto& r = req.value();
  r.call_id = id;
  // Each late attempt doubles the deadline (up to 8x): correctness does not hang on it (the
  // governor counts an unsent permit as spent now), it only keeps a slow connect from looping.
  const auto within = call.held.leave_within_ns << std::min<std::uint32_t>(call.late, 3);
  r.leave_by = std::chrono::steady_clock::now() + std::chrono::nanoseconds{within};
  r.on_leave = [gov = st.governor, pid = call.held.id] {
    caf::anon_send(gov, permit_use{pid, true});
  };
  auto me = caf::actor_cast<rest_gateway_impl_actor>(self);
  st.cfg.transport->submit(std::move(r), [me, id](http_exchange ex) {
    ex.call_id = id;
    caf::anon_send(me, done_atom_v, std::move(ex));
  });
}

void renew_token(gateway_ptr self, std::uint64_t id);

// The second step: the token is known, wait for a permit of the call's class.
void ask_permit(gateway_ptr self, std::uint64_t id) {
  auto& call = self->state.calls.at(id);
  if (call.abandoned) {
    fail(self, id, make_kis_error(errc::cancelled, "the caller is gone"));
    return;
  }
  permit_request req{class_of(call.job), call.requester};
  self->request(self->state.governor, caf::infinite, std::move(req))
      .then(
          [self, id](const permit& p) {
            auto it = self->state.calls.find(id);
            if (it == self->state.calls.end())
              return;
            it->second.held = p;
            if (self->state.dead_tokens.count(it->second.token) != 0) {
              // KIS refused this token while the call waited for its permit: it waits for the
              // keeper's new one instead, and the permit goes back unused.
              give_back(self, p);
              renew_token(self, id);
              return;
            }
            auto page = next_page(it->second.job, self->state.cfg.cred, self->state.cfg.env);
            if (!page) {
              fail(self, id, to_caf(page.error()));
              return;
            }
            send_now(self, id, page.value());
          },
          [self, id](caf::error& err) {
            self->state.rec.fail();
            fail(self, id, err);
          });
}

void use_token(gateway_ptr self, std::uint64_t id, const access_token& t) {
  auto it = self->state.calls.find(id);
  if (it == self->state.calls.end())
    return;
  it->second.token = t.value;
  ask_permit(self, id);
}

// A call whose token is dead asks the keeper again; the keeper answers once it has a new token
// (issued at most once a minute), so the call holds its place until then.
void renew_token(gateway_ptr self, std::uint64_t id) {
  self->request(self->state.keeper, caf::infinite, token_atom_v)
      .then(
          [self, id](const access_token& t) {
            if (self->state.dead_tokens.count(t.value) != 0) {
              fail(self, id,
                   make_kis_error(errc::token_invalid,
                                  "the token keeper handed out a token KIS refused"));
              return;
            }
            use_token(self, id, t);
          },
          [self, id](caf::error& err) {
            self->state.rec.fail();
            fail(self, id, err);
          });
}

// The first step of every page: a token. The request is validated first, so that a call we
// refuse to build never costs a token issue or a permit.
void start(gateway_ptr self, std::uint64_t id) {
  auto& call = self->state.calls.at(id);
  if (auto page = next_page(call.job, self->state.cfg.cred, self->state.cfg.env); !page) {
    fail(self, id, to_caf(page.error()));
    return;
  }
  self->request(self->state.keeper, caf::infinite, token_atom_v)
      .then([self, id](const access_token& t) { use_token(self, id, t); },
            [self, id](caf::error& err) {
              self->state.rec.fail();
              fail(self, id, err);
            });
}

// Watches a caller once, so that its queued permit requests are released when it dies.
void watch_caller(gateway_ptr self, const caf::strong_actor_ptr& caller) {
  if (caller && self->state.watched.insert(caller->id()).second)
    self->monitor(caller);
}

// A caller died: its calls that nobody else waits for give up their place in line. The
// governor drops queued requests per requester, so it is asked only when no call of that
// requester still has a living waiter (coalesced quotes can be shared).
void release_dead_caller(gateway_ptr self, const caf::down_msg& dm) {
  auto& st = self->state;
  const auto dead = dm.source.id();
  st.watched.erase(dead);
  const auto requester = "actor-" + std::to_string(dead);
  bool shared = false;
  for (auto& [id, call] : st.calls) {
    if (call.requester != requester)
      continue;
    const bool only_dead =
        std::all_of(call.waiters.begin(), call.waiters.end(),
                    [&](const auto& rp) { return !rp.source() || rp.source()->id() == dead; });
    if (only_dead)
      call.abandoned = true;
    else
      shared = true;
  }
  if (!shared)
    self->send(st.governor, cancel_atom_v, requester);
}

std::uint64_t open_call(gateway_ptr self, call_request what, caf::response_promise rp,
                        std::string requester) {
  auto& st = self->state;
  watch_caller(self, rp.source());
  const auto id = st.next_call++;
  call_state call;
  call.job.what = std::move(what);
  call.waiters.push_back(std::move(rp));
  call.requester = std::move(requester);
  st.calls.emplace(id, std::move(call));
  return id;
}

// Who is asking, for the governor's round-robin: the calling actor, whoever relays for it.
std::string requester_of(gateway_ptr self) {
  if (const auto& sender = self->current_sender())
    return "actor-" + std::to_string(sender->id());
  return "anonymous";
}

template <class T, class Query>
caf::typed_response_promise<T> accept(gateway_ptr self, Query q) {
  auto who = requester_of(self); // before the promise takes the sender
  auto rp = self->make_response_promise<T>();
  const auto id = open_call(self, std::move(q), rp, std::move(who));
  start(self, id);
  return rp;
}

caf::result<quote> accept_quote(gateway_ptr self, price_query q) {
  auto& st = self->state;
  const auto key = quote_key(q);
  if (q.allow_cached && st.cfg.quote_ttl.count() > 0) {
    if (auto hit = st.quote_cache.find(key);
        hit != st.quote_cache.end() && self->clock().now() - hit->second.at < st.cfg.quote_ttl) {
      st.rec.add(st.quote_cache_hits);
      return hit->second.value;
    }
  }
  auto who = requester_of(self);
  auto rp = self->make_response_promise<quote>();
  if (q.allow_cached) {
    if (auto flying = st.quotes_in_flight.find(key); flying != st.quotes_in_flight.end()) {
      st.calls.at(flying->second).waiters.push_back(rp);
      st.rec.add(st.quotes_coalesced);
      return rp;
    }
  }
  const auto id = open_call(self, std::move(q), rp, std::move(who));
  if (std::get<price_query>(st.calls.at(id).job.what).allow_cached) {
    st.calls.at(id).quote_key = key;
    st.quotes_in_flight.emplace(key, id);
  }
  start(self, id);
  return rp;
}

std::chrono::nanoseconds backoff(gateway_ptr self, std::uint32_t attempt) {
  const auto& cfg = self->state.cfg;
  auto d = cfg.retry_base * (std::int64_t{1} << std::min<std::uint32_t>(attempt, 16));
  d = std::min(d, cfg.retry_cap);
  // Full jitter over the upper half: retries of many callers do not land together.
  std::uniform_real_distribution<double> jitter(0.5, 1.0);
  return std::chrono::duration_cast<std::chrono::nanoseconds>(d * jitter(self->state.rng));
}

call_result outcome_of(const api::result<boost::json::object>& parsed) {
  if (parsed)
    return call_result::success;
  return parsed.error().code == errc::rate_limited ? call_result::rate_limited
                                                   : call_result::failure;
}

// KIS refused the token a call carried: the token is dead for every call (none leaves with it
// again, the calls that hold it wait for the keeper's new one) and the keeper hears it once.
void bury_token(gateway_ptr self, const std::string& token) {
  auto& st = self->state;
  if (!st.dead_tokens.insert(token).second)
    return;
  // The calls waiting for a token ask the keeper themselves (renew_token); this only tells it.
  self->request(st.keeper, caf::infinite, invalid_atom_v, token)
      .then([](const access_token&) {}, [](caf::error&) {});
}

void on_error(gateway_ptr self, std::uint64_t id, const api::api_error& err) {
  auto& call = self->state.calls.at(id);
  const bool token_refused = err.code == errc::token_expired || err.code == errc::token_invalid;
  if (token_refused)
    bury_token(self, call.token);
  if (changes_account(call.job)) {
    // An order is never sent twice by us: whatever parse_reply said (outcome_unknown when the
    // request left and no answer came, transport when nothing left, or KIS's own refusal, a
    // refused token included) goes to the caller, who owns reconciliation.
    fail(self, id, to_caf(err));
    return;
  }
  if (token_refused && !call.token_retry_used) {
    call.token_retry_used = true;
    self->state.rec.add(self->state.token_retries);
    renew_token(self, id); // answered once the keeper has a new token
    return;
  }
  const bool transient = err.code == errc::rate_limited || err.code == errc::transport ||
                         err.code == errc::outcome_unknown;
  if (transient && call.retries < self->state.cfg.query_retries) {
    self->state.rec.add(self->state.backoff_retries);
    self->delayed_send(self, backoff(self, call.retries++), retry_atom_v, id);
    return;
  }
  fail(self, id, to_caf(err));
}

void on_done(gateway_ptr self, const http_exchange& ex) {
  auto& st = self->state;
  auto it = st.calls.find(ex.call_id);
  if (it == st.calls.end())
    return;
  auto& call = it->second;
  if (ex.late) {
    // It never left: the permit goes back and the call asks for another (not a retry).
    give_back(self, call.held);
    ++call.late;
    st.rec.add(st.late_requests);
    ask_permit(self, ex.call_id);
    return;
  }
  auto parsed = api::parse_reply(ex);
  if (!ex.sent)
    give_back(self, call.held);
  else
    anon_send(st.governor,
              call_outcome{call.held.id, call.held.cls, outcome_of(parsed), ex.elapsed_ns});
  count_call(self, call.endpoint, outcome_of(parsed));
  if (!parsed && !parsed.error().kis_code.empty())
    st.rec.add(
        st.rec.counter(metric_names::api_error_codes_total, {{"code", parsed.error().kis_code}}));
  if (!parsed) {
    on_error(self, ex.call_id, parsed.error());
    return;
  }
  auto folded = fold_page(call.job, parsed.value(), ex, st.cfg.clock->now_ns(), st.cfg.max_pages);
  if (!folded) {
    fail(self, ex.call_id, to_caf(folded.error()));
    return;
  }
  if (!folded.value()) {
    start(self, ex.call_id); // the next page: a fresh token check and permit
    return;
  }
  if (const auto* q = std::get_if<price_query>(&call.job.what);
      q != nullptr && st.cfg.quote_ttl.count() > 0)
    st.quote_cache[quote_key(*q)] = {folded.value()->get_as<quote>(0), self->clock().now()};
  finish(self, ex.call_id, *folded.value());
}

rest_gateway_impl_actor::behavior_type gateway(gateway_ptr self) {
  self->measure_with(self->state.rec);
  return {
      [self](rest_call& c) { return accept<rest_reply>(self, std::move(c)); },
      [self](price_query& q) { return accept_quote(self, std::move(q)); },
      [self](chart_query& q) { return accept<std::vector<daily_bar>>(self, std::move(q)); },
      [self](order_request& o) { return accept<order_ack>(self, std::move(o)); },
      [self](revise_cancel_request& r) { return accept<order_ack>(self, std::move(r)); },
      [self](balance_query& q) { return accept<balance>(self, std::move(q)); },
      [self](buyable_query& q) { return accept<buyable>(self, std::move(q)); },
      [self](fills_query& q) { return accept<std::vector<fill_record>>(self, std::move(q)); },
      [self](stock_info_query& q) { return accept<stock_info>(self, std::move(q)); },
      [self](done_atom, const http_exchange& ex) { on_done(self, ex); },
      [self](publish_atom) { self->state.rec.publish(self); },
      [self](retry_atom, std::uint64_t id) {
        if (self->state.calls.count(id) != 0)
          start(self, id);
      },
  };
}

} // namespace

rest_gateway_impl_actor spawn_rest_gateway(caf::actor_system& sys, gateway_config cfg,
                                           rate_governor_actor governor,
                                           token_keeper_actor keeper) {
  return sys.spawn([cfg = std::move(cfg), governor, keeper](gateway_ptr self) mutable {
    auto& st = self->state;
    self->set_down_handler([self](caf::down_msg& dm) { release_dead_caller(self, dm); });
    if (!cfg.clock)
      cfg.clock = default_wall_clock();
    st.rng.seed(cfg.jitter_seed);
    st.cfg = std::move(cfg);
    st.governor = governor;
    st.keeper = keeper;
    st.rec.publish_when_idle(); // between bursts the gateway is quiet
    st.rec.on_publish([self](actor_sample& s) {
      s.values.push_back({metric_names::gateway_calls_in_flight,
                          metric_type::gauge,
                          {},
                          static_cast<double>(self->state.calls.size())});
      s.values.push_back({metric_names::gateway_quote_cache_entries,
                          metric_type::gauge,
                          {},
                          static_cast<double>(self->state.quote_cache.size())});
    });
    return gateway(self);
  });
}

} // namespace kis
