// The one wrapper that measures every handler of a role: a base class between CAF's actor base
// and the role that counts, times and samples each message it consumes, so no handler opens
// with a measure() of its own. Every role spawns as
//   caf::stateful_actor<my_state, kis::measured<my_actor::base>>
// and calls self->measure_with(<its recorder>) in its behavior function.
// The recorder's trailing publish (publish_atom) is not counted: it reports, it is not work.
// A handler that failed says so with rec.fail() (counted as an error).
#pragma once

#include <caf/mailbox_element.hpp>
#include <caf/scheduled_actor.hpp>

#include "actors/observability/instrumentation.hpp"
#include "messages/atoms.hpp"

namespace kis {

template <class Base>
class measured : public Base {
public:
  using Base::Base;

  void measure_with(actor_recorder& rec) noexcept { rec_ = &rec; }

  caf::invoke_message_result consume(caf::mailbox_element& x) override {
    if (rec_ == nullptr || x.content().template match_elements<publish_atom>())
      return Base::consume(x);
    actor_recorder::scope measuring{*rec_, this}; // ends even if a handler throws
    return Base::consume(x);
  }

private:
  actor_recorder* rec_ = nullptr;
};

} // namespace kis
