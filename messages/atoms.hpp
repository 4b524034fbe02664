// Atoms of the engine (CAF 0.17: at most 10 characters, letters, digits and '_' only).
#pragma once

#include <caf/atom.hpp>

namespace kis {

#define KIS_ATOM(name, text)                                                                       \
  using name = caf::atom_constant<caf::atom(text)>;                                                \
  constexpr name name##_v = name{};

KIS_ATOM(stats_atom, "stats")
KIS_ATOM(token_atom, "token")
KIS_ATOM(approval_atom, "approval")
KIS_ATOM(invalid_atom, "invalidate")
KIS_ATOM(refresh_atom, "refresh")
KIS_ATOM(info_atom, "info")
KIS_ATOM(cancel_atom, "cancel")
KIS_ATOM(grant_atom, "grant")
KIS_ATOM(follow_atom, "follow")
KIS_ATOM(kill_atom, "kill")
KIS_ATOM(drain_atom, "drain")
KIS_ATOM(status_atom, "status")
KIS_ATOM(frame_atom, "frame")
KIS_ATOM(link_up_atom, "link_up")
KIS_ATOM(link_down_atom, "link_down")
KIS_ATOM(collect_atom, "collect")
KIS_ATOM(poll_atom, "poll")         // an analyzer's REST polling timer
KIS_ATOM(retry_atom, "retry")       // the gateway retries a call after its back-off
KIS_ATOM(work_atom, "work")         // the executor works its queue
KIS_ATOM(calendar_atom, "calendar") // a strategy host looks at the session calendar
KIS_ATOM(done_atom, "done")
KIS_ATOM(directory_atom, "directory")
KIS_ATOM(intent_atom, "intent")
KIS_ATOM(flush_atom, "flush")
KIS_ATOM(linger_atom, "linger")   // the journal writer's linger timer
KIS_ATOM(publish_atom, "publish") // every role: the recorder's trailing sample
KIS_ATOM(slot_atom, "slot")
KIS_ATOM(interest_atom, "interest")

#undef KIS_ATOM

} // namespace kis
