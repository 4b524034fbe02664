// The typed interface of every role in DESIGN.md. Behaviour lives in actors/; this is the
// contract. Messages marked "internal" are sent by an actor to itself or by its transport
// thread; they are part of the type because CAF 0.17 typed actors must declare them.
//
// The roles a core node hands to other nodes (runtime/cluster) come in two types: the public
// interface `x_actor`, what callers may send, and `x_impl_actor`, the type the actor itself
// implements, which extends the public one with its internal messages (and, for the executor,
// what only its owner may send: drain, kill, the feed's notices). Spawn functions return the
// impl handle to the owner; every other holder keeps the public one (the conversion is
// implicit), so nothing outside an actor and its owner can name an internal message.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "messages/atoms.hpp"
#include "messages/market.hpp"
#include "messages/metrics.hpp"
#include "messages/orders.hpp"
#include "messages/events.hpp"
#include "messages/realtime.hpp"
#include "messages/rest.hpp"
#include "messages/sessions.hpp"

namespace kis {

// Issues call permits so that no sliding second holds more calls than the budget.
using rate_governor_actor = caf::typed_actor<
    caf::replies_to<permit_request>::with<permit>,
    caf::reacts_to<permit_use>,               // a permit's request left, or never will
    caf::reacts_to<call_outcome>,             // what became of a permitted call
    caf::reacts_to<cancel_atom, std::string>, // a requester gives up its place in line
    caf::replies_to<caf::get_atom, stats_atom>::with<api_stats>,
    caf::reacts_to<grant_atom, std::uint64_t>, // internal: timer, with a generation
    caf::reacts_to<publish_atom>>;             // internal: the recorder's trailing sample

// Owns the access token and the WebSocket approval key of one app key.
using token_keeper_actor =
    caf::typed_actor<caf::replies_to<token_atom>::with<access_token>,
                     caf::replies_to<approval_atom>::with<approval_key>,
                     caf::replies_to<invalid_atom, std::string>::with<access_token>, // this token
                                                                                     // was refused
                     caf::replies_to<refresh_atom>::with<access_token>, // force_refresh
                     caf::replies_to<info_atom>::with<token_info>,
                     caf::replies_to<approval_atom, refresh_atom>::with<approval_key>, // after a
                                                                                       // reconnect
                     caf::reacts_to<refresh_atom, std::uint64_t>, // internal: refresh-ahead timer
                     caf::reacts_to<done_atom, http_exchange>,    // internal: an issue finished
                     caf::reacts_to<publish_atom>>; // internal: the recorder's trailing sample

// The market data part of the gateway: what analyzers ask (quotes, daily charts), and all of
// the gateway another node gets (its orders go through the core's executor, never around it).
using market_data_actor =
    caf::typed_actor<caf::replies_to<price_query>::with<quote>,
                     caf::replies_to<chart_query>::with<std::vector<daily_bar>>>;

// The only actor that speaks HTTP. Each call holds a permit and a token.
using rest_gateway_actor = market_data_actor::extend<
    caf::replies_to<rest_call>::with<rest_reply>, caf::replies_to<order_request>::with<order_ack>,
    caf::replies_to<revise_cancel_request>::with<order_ack>,
    caf::replies_to<balance_query>::with<balance>, caf::replies_to<buyable_query>::with<buyable>,
    caf::replies_to<stock_info_query>::with<stock_info>,
    caf::replies_to<fills_query>::with<std::vector<fill_record>>>;
using rest_gateway_impl_actor = rest_gateway_actor::extend<
    caf::reacts_to<done_atom, http_exchange>,  // internal: the transport finished a call
    caf::reacts_to<retry_atom, std::uint64_t>, // internal: retry a call after its back-off
    caf::reacts_to<publish_atom>>;             // internal: the recorder's trailing sample

// Receives ticks and order-book snapshots from the feed, and word when one of its symbols
// gains (true) or loses (false) its WebSocket slot after a re-rank (it then polls the symbol).
using market_sink_actor = caf::typed_actor<caf::reacts_to<trade_tick>, caf::reacts_to<order_book>,
                                           caf::reacts_to<slot_atom, std::string, bool>>;

// Receives decrypted execution notices from the feed.
using notice_sink_actor = caf::typed_actor<caf::reacts_to<execution_notice>>;

// Owns the one WebSocket session: registrations (cap 41), PINGPONG, reconnects, fan-out.
using ws_feed_actor =
    caf::typed_actor<caf::replies_to<subscribe_request, market_sink_actor>::with<subscription>,
                     caf::replies_to<subscribe_request, notice_sink_actor>::with<subscription>,
                     caf::reacts_to<caf::unsubscribe_atom, subscribe_request, market_sink_actor>,
                     caf::reacts_to<interest_report>, // what decides who holds a slot (slot_ranker)
                     caf::replies_to<status_atom>::with<feed_status>>;
using ws_feed_impl_actor = ws_feed_actor::extend<
    caf::reacts_to<frame_atom, std::uint64_t, std::string>,     // internal: session id, text frame
    caf::reacts_to<link_up_atom, std::uint64_t>,                // internal: session connected
    caf::reacts_to<link_down_atom, std::uint64_t, std::string>, // internal: session lost, why
    caf::reacts_to<caf::tick_atom>>;                            // internal: watchdog / reconnect

// A user strategy hosted in its own actor.
// session_change: a venue's session changed (the host's own calendar timer, calendar_atom,
// finds them; anyone may send one, e.g. a test).
using strategy_actor =
    caf::typed_actor<caf::reacts_to<market_event>, caf::reacts_to<order_update>,
                     caf::reacts_to<session_change>,
                     caf::replies_to<status_atom>::with<std::vector<metric_point>>,
                     caf::reacts_to<calendar_atom>, // internal: look at the session calendar
                     caf::reacts_to<publish_atom>>; // internal: the recorder's trailing sample

// Receives the analyzers' conflated prices (the order executor's market view).
using price_sink_actor = caf::typed_actor<caf::reacts_to<std::vector<price_update>>>;

// Owns a group of symbols: ticks or polled quotes in, bars and indicators kept, events out.
using analyzer_actor = market_sink_actor::extend<
    caf::reacts_to<follow_atom, std::string, strategy_actor>, // a strategy follows a symbol
    caf::reacts_to<poll_atom>,                                // internal: REST polling timer
    caf::reacts_to<interest_atom>, // internal: report the symbols' activity to the feed
    caf::reacts_to<flush_atom>,    // internal: send conflated prices
    caf::reacts_to<publish_atom>,  // internal: the recorder's trailing sample
    caf::replies_to<status_atom>::with<std::vector<metric_point>>>;

// The order journal on a thread of its own (a detached actor): whatever arrives together shares
// one transaction and one fsync. An intent is durable when its answer arrives.
using journal_actor = caf::typed_actor<
    caf::replies_to<intent_atom, journal_entry>::with<std::int64_t>, // the intent's seq
    caf::reacts_to<journal_entry>,                                   // an order's new state
    caf::reacts_to<journal_fill>,
    caf::replies_to<drain_atom>::with<std::uint64_t>, // flush, checkpoint; errors so far
    caf::reacts_to<flush_atom>,                       // internal: commit what has arrived
    caf::reacts_to<linger_atom>,                      // internal: the linger timer
    caf::reacts_to<publish_atom>>; // internal: commit, then the recorder's trailing sample

// The single consumer of signals: answers each at once (accepted or a typed refusal), then
// reports only through order_updates. Priority queue, risk, journal, reconciliation. The
// public part is what strategies and analyzers (on any node) send.
using order_executor_actor = price_sink_actor::extend<
    caf::replies_to<signal>::with<signal_ack>,
    caf::reacts_to<follow_atom, std::string, strategy_actor>, // strategy id -> its actor
    caf::replies_to<status_atom>::with<executor_summary>>;
// The owner's handle: the feed's notices, the kill switch and the drain at shutdown belong to
// the node that runs the executor.
using order_executor_impl_actor = order_executor_actor::extend_with<notice_sink_actor>::extend<
    caf::reacts_to<kill_atom, bool, std::string>, // kill switch on/off, why
    caf::replies_to<drain_atom>::with<executor_summary>,
    caf::reacts_to<work_atom>,     // internal: work the queue
    caf::reacts_to<publish_atom>>; // internal: the recorder's trailing sample

// Keeps fetched daily history on disk (its own thread: a detached actor).
using history_store_actor = caf::typed_actor<caf::reacts_to<daily_history>>;

// Collects every actor's samples; serves snapshots.
using metrics_actor = caf::typed_actor<caf::reacts_to<actor_sample>,
                                       caf::replies_to<caf::get_atom>::with<metrics_snapshot>,
                                       caf::reacts_to<collect_atom>>; // internal: sampling timer

// What a core node publishes for analyzer/strategy nodes: public handles of the services that
// exist once per app key (the gateway's market data part, hence the one governor and token
// keeper behind it; the feed, null when disabled; the order executor), and the core's mode and
// REST budget.
using core_directory_actor = caf::typed_actor<
    caf::replies_to<directory_atom>::with<market_data_actor, ws_feed_actor, order_executor_actor>,
    caf::replies_to<info_atom>::with<std::string, std::uint32_t>>; // mode, calls per second

} // namespace kis
