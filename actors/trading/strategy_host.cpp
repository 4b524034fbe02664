#include "actors/trading/strategy_host.hpp"

#include <exception>
#include <optional>

#include <caf/actor_system.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/observability/instrumentation.hpp"
#include "actors/observability/measured.hpp"
#include "actors/trading/session_watch.hpp"
#include "messages/errors.hpp"
#include "strategies/registry.hpp"

namespace kis {
namespace {

// The logic needs only the typed interface of its actor, not the actor's state type.
using host_self = measured<strategy_actor::base>*;

// The host's logic; the actor's state owns it (it is the strategy's context, so it needs the
// strategy, the config and the executor at construction, which a CAF state cannot take).
class host final : public strategy_context {
public:
  host(host_self self, std::shared_ptr<strategy> st, strategy_host_config cfg,
       order_executor_actor executor)
      : self_(self)
      , st_(std::move(st))
      , cfg_(std::move(cfg))
      , executor_(std::move(executor))
      , clock_(cfg_.clock ? cfg_.clock : default_wall_clock())
      , sessions_(cfg_.calendar, {venue::krx, venue::nxt}) {}

  strategy_actor::behavior_type make_behavior() {
    self_->measure_with(rec_);
    st_->bind(this);
    // One instance per strategy id; an id unfit for a label falls back to the actor id.
    auto instance = "strategy-" + cfg_.id;
    rec_.rename(is_safe_label_value(instance) ? instance
                                              : "strategy-" + std::to_string(self_->id()));
    rec_.on_publish([this](actor_sample& s) {
      auto ms = metrics();
      s.values.insert(s.values.end(), ms.begin(), ms.end());
    });
    rec_.publish_when_idle(); // a strategy between events is quiet
    if (executor_)
      self_->send(executor_, follow_atom_v, cfg_.id, caf::actor_cast<strategy_actor>(self_));
    if (sessions_.active()) {
      for (const auto& c : sessions_.start(clock_->now_ns()))
        tell_session(c);
      arm_session_check();
    }
    return {
        [this](const market_event& ev) { on_event(ev); },
        [this](const order_update& up) { guarded([&] { st_->on_order_update(up); }); },
        [this](const session_change& c) { tell_session(c); },
        [this](calendar_atom) {
          for (const auto& c : sessions_.advance(clock_->now_ns()))
            tell_session(c);
          arm_session_check();
        },
        [this](status_atom) { return metrics(); },
        [this](publish_atom) { rec_.publish(self_); },
    };
  }

  // --- strategy_context ------------------------------------------------------------------

  void emit(signal s) override {
    s.strategy_id = cfg_.id;
    if (s.created_ns == 0)
      s.created_ns = clock_->now_ns();
    if (s.expires_ns == 0 && cfg_.signal_ttl.count() > 0)
      s.expires_ns = s.created_ns + std::chrono::nanoseconds{cfg_.signal_ttl}.count();
    if (s.route == venue::unset)
      s.route = cfg_.default_venue;
    ++signals_;
    if (!cfg_.trade || !executor_) {
      refuse(s, order_status::rejected,
             "watch only: strategy '" + cfg_.id + "' does not trade in this mode");
      return;
    }
    // The executor answers at once; what happens to the order after comes as order_updates.
    self_->request(executor_, cfg_.ack_timeout, s)
        .then([this](signal_ack&) { ++accepted_; },
              [this, s](caf::error& err) {
                if (err == caf::sec::request_timeout || err == caf::sec::request_receiver_down) {
                  ++unreachable_;
                  refuse(s, order_status::unreachable,
                         "executor unreachable: " + self_->home_system().render(err));
                  return;
                }
                auto v = view(err);
                refuse(s, order_status::rejected,
                       v.message.empty() ? self_->home_system().render(err)
                                         : to_string(v.code) + ": " + v.message);
              });
  }

  std::int64_t now_ns() const override { return clock_->now_ns(); }
  const std::string& strategy_id() const override { return cfg_.id; }

private:
  void on_event(const market_event& ev) {
    ++events_;
    guarded([&] {
      switch (ev.kind) {
      case event_kind::tick:
        st_->on_tick(ev);
        break;
      case event_kind::quote:
        st_->on_quote(ev);
        break;
      case event_kind::bar_closed:
        st_->on_bar(ev);
        break;
      case event_kind::history:
        st_->on_history(ev);
        break;
      }
    });
  }

  void tell_session(const session_change& c) {
    ++session_events_;
    guarded([&] { st_->on_session(c); });
  }

  // The next look at the calendar: at its next change, but at least every session_check (the
  // clock may be sped up or jump, and a timer cannot know that).
  void arm_session_check() {
    const auto now = clock_->now_ns();
    const auto next = sessions_.next_change(now);
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(cfg_.session_check);
    if (next != 0)
      wait = std::min(wait, std::chrono::milliseconds{(next - now) / 1'000'000 + 1});
    self_->delayed_send(self_, std::max(wait, std::chrono::milliseconds{1}), calendar_atom_v);
  }

  void refuse(const signal& s, order_status status, std::string why) {
    ++refused_;
    order_update up;
    up.strategy_id = cfg_.id;
    up.symbol = s.symbol;
    up.dir = s.dir;
    up.status = status;
    up.qty = s.qty;
    up.reason = std::move(why);
    up.at_ns = clock_->now_ns();
    guarded([&] { st_->on_order_update(up); });
  }

  // User code must not take the actor down: an exception is counted and the event dropped.
  template <class F>
  void guarded(F&& f) {
    try {
      f();
    } catch (...) {
      ++errors_;
      rec_.fail(); // the message that ran the strategy counts as an error
    }
  }

  std::vector<metric_point> metrics() const {
    std::vector<label> l{{"strategy", cfg_.id}};
    auto counter = [&](const char* n, std::uint64_t v) {
      return metric_point{n, metric_type::counter, l, static_cast<double>(v)};
    };
    return {counter(metric_names::strategy_events_total, events_),
            counter(metric_names::strategy_signals_total, signals_),
            counter(metric_names::strategy_signals_accepted_total, accepted_),
            counter(metric_names::strategy_signals_refused_total, refused_),
            counter(metric_names::strategy_errors_total, errors_),
            counter(metric_names::strategy_executor_unreachable_total, unreachable_),
            counter(metric_names::strategy_session_events_total, session_events_),
            metric_point{"strategy_trading", metric_type::gauge, l, cfg_.trade ? 1.0 : 0.0}};
  }

  host_self self_;
  std::shared_ptr<strategy> st_;
  strategy_host_config cfg_;
  order_executor_actor executor_;
  std::shared_ptr<const wall_clock> clock_;
  std::uint64_t events_ = 0, signals_ = 0, accepted_ = 0, refused_ = 0, errors_ = 0;
  std::uint64_t unreachable_ = 0, session_events_ = 0;
  session_watch sessions_;
  actor_recorder rec_{"strategy_host", "strategy_host"};
};

struct host_state {
  std::optional<host> logic;
  static inline const char* name = "strategy_host";
};
using host_ptr = caf::stateful_actor<host_state, measured<strategy_actor::base>>*;

strategy_actor::behavior_type host_behavior(host_ptr self, std::shared_ptr<strategy> st,
                                            strategy_host_config cfg,
                                            order_executor_actor executor) {
  return self->state.logic.emplace(self, std::move(st), std::move(cfg), std::move(executor))
      .make_behavior();
}

} // namespace

namespace {

// The strategy a [[strategy]] table names: a registered C++ class or, with `file`, what the
// registry's file loader (the Python binding) makes of that file.
caf::expected<std::unique_ptr<strategy>> instantiate(const strategy_config& cfg,
                                                     const std::string& id) {
  const auto& registry = strategy_registry::global();
  if (!cfg.file.empty()) {
    if (!registry.file_loader())
      return make_kis_error(errc::config, "strategy '" + id + "': file '" + cfg.file +
                                              "': this kis-engine was built without Python");
    return registry.file_loader()(strategy_source{id, cfg.file, cfg.class_name});
  }
  auto st = registry.make(cfg.name);
  if (!st)
    return make_kis_error(errc::config, "strategy '" + id + "': no strategy named '" + cfg.name +
                                            "' is registered");
  return st;
}

} // namespace

caf::expected<std::shared_ptr<strategy>> make_strategy(const strategy_config& cfg) {
  auto id = cfg.id.empty() ? cfg.name : cfg.id;
  auto st = instantiate(cfg, id);
  if (!st)
    return st.error();
  auto params = cfg.params;
  try {
    (*st)->on_start(params);
  } catch (const std::exception& e) {
    return make_kis_error(errc::config, "strategy '" + id + "': on_start failed: " + e.what());
  }
  if (auto err = params.check(id))
    return err;
  return std::shared_ptr<strategy>{std::move(*st)};
}

strategy_actor spawn_strategy_host(caf::actor_system& sys, std::shared_ptr<strategy> st,
                                   strategy_host_config cfg, order_executor_actor executor) {
  return sys.spawn(host_behavior, std::move(st), std::move(cfg), std::move(executor));
}

} // namespace kis
