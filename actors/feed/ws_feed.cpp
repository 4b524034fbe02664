#include "actors/feed/ws_feed.hpp"

#include <caf/actor_system.hpp>

#include "actors/feed/ws_feed_state.hpp"

namespace kis {

namespace {

using namespace feed_impl;

ws_feed_impl_actor::behavior_type ws_feed(self_ptr self, ws_feed_config cfg,
                                          token_keeper_actor keeper) {
  self->measure_with(self->state.rec);
  auto& s = self->state;
  s.rng.seed(static_cast<std::minstd_rand::result_type>(cfg.seed));
  s.status.slots_cap = cfg.slots_cap;
  s.fanout.set_window(cfg.window);
  if (cfg.rerank_interval.count() > 0) {
    s.ranker.emplace(cfg.ranking, [self] { return self->clock().now(); });
    s.next_rerank = self->clock().now() + cfg.rerank_interval;
  }
  s.cfg = std::move(cfg);
  s.keeper = std::move(keeper);
  self->set_down_handler([self](caf::down_msg& dm) { self->state.forget_sink(dm.source); });
  s.rec.on_publish([self](actor_sample& sample) { self->state.add_figures(sample); });
  s.check_market(); // a start while closed registers no market data until the next open
  s.authorize();
  self->delayed_send(self, s.cfg.tick_interval, caf::tick_atom_v);
  return {
      [self](const subscribe_request& req, const market_sink_actor& sink)
          -> caf::result<subscription> { return self->state.subscribe_market(req, sink); },
      [self](const subscribe_request& req, const notice_sink_actor& sink)
          -> caf::result<subscription> { return self->state.subscribe_notices(req, sink); },
      [self](caf::unsubscribe_atom, const subscribe_request& req, const market_sink_actor& sink) {
        self->state.unsubscribe(req, sink);
      },
      [self](const interest_report& r) {
        if (self->state.ranker)
          self->state.ranker->report(r);
      },
      [self](status_atom) { return self->state.status; },
      [self](frame_atom, std::uint64_t session, std::string& text) {
        auto& st = self->state;
        const auto parse_errors = st.status.parse_errors;
        if (session == st.session && st.link == link_state::up)
          st.on_frame(text);
        if (st.status.parse_errors != parse_errors)
          st.rec.fail();
      },
      [self](link_up_atom, std::uint64_t session) {
        if (session == self->state.session && self->state.link == link_state::connecting)
          self->state.on_up();
      },
      [self](link_down_atom, std::uint64_t session, const std::string&) {
        auto& st = self->state;
        if (session == st.session &&
            (st.link == link_state::up || st.link == link_state::connecting))
          st.lost();
      },
      [self](caf::tick_atom) { self->state.on_tick(); },
  };
}

} // namespace

ws_feed_impl_actor spawn_ws_feed(caf::actor_system& sys, ws_feed_config cfg,
                                 token_keeper_actor keeper) {
  return sys.spawn(ws_feed, std::move(cfg), std::move(keeper));
}

} // namespace kis
