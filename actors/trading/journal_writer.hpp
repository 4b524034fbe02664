// The order journal as an actor on a thread of its own: SQLite's fsync never runs on a CAF
// scheduler thread. Group commit: each message is added to the pending batch; an intent makes
// the actor send itself a flush at once, so everything that reached its mailbox before that
// flush shares one transaction and one fsync. An intent's answer comes after its commit, so
// "durable before the order leaves" holds while intents that arrive together pay one fsync.
// An order's later states and fills need not be durable before anything leaves (KIS can tell
// them again after a crash): they wait up to `linger` to ride with the next intent's commit,
// so an intent does not queue behind a commit of its predecessor's answer.
#pragma once

#include <chrono>
#include <memory>

#include <caf/fwd.hpp>

#include "actors/trading/order_journal.hpp"
#include "messages/interfaces.hpp"

namespace kis {

// detached = false runs it on the scheduler (deterministic tests on the test coordinator).
journal_actor spawn_journal_writer(caf::actor_system& sys, std::shared_ptr<order_journal> journal,
                                   bool detached = true,
                                   std::chrono::milliseconds linger = std::chrono::milliseconds{
                                       50});

} // namespace kis
