// The public interfaces of the roles a core hands to other nodes name none of the internal
// messages, so code holding a public handle (every node, every caller but the owner) cannot
// send one: the send does not compile. Checked here at compile time, once per message.
#include <caf/response_type.hpp>

#include <gtest/gtest.h>

#include "messages/interfaces.hpp"

namespace {

template <class Handle, class... Xs>
constexpr bool accepts = caf::response_type<typename Handle::signatures, Xs...>::valid;

} // namespace

namespace kis {

// The gateway: the transport's answers and the back-off timer are internal; a node's part of
// the gateway answers market data only.
static_assert(accepts<rest_gateway_impl_actor, done_atom, http_exchange>);
static_assert(!accepts<rest_gateway_actor, done_atom, http_exchange>);
static_assert(!accepts<rest_gateway_actor, retry_atom, std::uint64_t>);
static_assert(!accepts<rest_gateway_actor, publish_atom>);
static_assert(accepts<rest_gateway_actor, order_request>);
static_assert(accepts<market_data_actor, price_query>);
static_assert(accepts<market_data_actor, chart_query>);
static_assert(!accepts<market_data_actor, order_request>);
static_assert(!accepts<market_data_actor, revise_cancel_request>);
static_assert(!accepts<market_data_actor, rest_call>);

// The feed: frames, link events and the watchdog come from its own transport and timer.
static_assert(accepts<ws_feed_impl_actor, frame_atom, std::uint64_t, std::string>);
static_assert(!accepts<ws_feed_actor, frame_atom, std::uint64_t, std::string>);
static_assert(!accepts<ws_feed_actor, link_up_atom, std::uint64_t>);
static_assert(!accepts<ws_feed_actor, link_down_atom, std::uint64_t, std::string>);
static_assert(!accepts<ws_feed_actor, caf::tick_atom>);
static_assert(accepts<ws_feed_actor, subscribe_request, market_sink_actor>);

// The executor: strategies send signals and follow; notices (from the feed), the kill switch,
// the drain and the work timer belong to the node that runs it.
static_assert(accepts<order_executor_actor, signal>);
static_assert(accepts<order_executor_actor, follow_atom, std::string, strategy_actor>);
static_assert(accepts<order_executor_actor, status_atom>);
static_assert(accepts<order_executor_actor, std::vector<price_update>>); // node analyzers
static_assert(!accepts<order_executor_actor, execution_notice>);
static_assert(!accepts<order_executor_actor, kill_atom, bool, std::string>);
static_assert(!accepts<order_executor_actor, drain_atom>);
static_assert(!accepts<order_executor_actor, work_atom>);
static_assert(!accepts<order_executor_actor, publish_atom>);
static_assert(accepts<order_executor_impl_actor, drain_atom>);
static_assert(accepts<order_executor_impl_actor, execution_notice>);

// The owner's handle converts to the public one (and the gateway's to its market data part).
static_assert(std::is_convertible_v<rest_gateway_impl_actor, market_data_actor>);
static_assert(std::is_convertible_v<ws_feed_impl_actor, ws_feed_actor>);
static_assert(std::is_convertible_v<order_executor_impl_actor, order_executor_actor>);

} // namespace kis

TEST(Interfaces, PublicHandlesNameNoInternalMessage) {
  // The checks are the static_asserts above; this test exists so ctest lists them.
  SUCCEED();
}
