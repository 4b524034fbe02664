// The order journal as an actor on a thread of its own: SQLite's fsync never runs on a CAF
// scheduler thread. Group commit: each message is added to the pending batch and the actor
// sends itself one flush; everything that reached its mailbox before that flush shares one
// transaction and one fsync. An intent's answer comes after its commit, so "durable before
// the order leaves" holds while intents that arrive together pay one fsync.
#pragma once

#include <memory>

#include <caf/fwd.hpp>

#include "actors/trading/order_journal.hpp"
#include "messages/interfaces.hpp"

namespace kis {

// detached = false runs it on the scheduler (deterministic tests on the test coordinator).
journal_actor spawn_journal_writer(caf::actor_system& sys, std::shared_ptr<order_journal> journal,
                                   bool detached = true);

} // namespace kis
