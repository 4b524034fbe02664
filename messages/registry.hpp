// One place that names every message type for CAF's serializers, so any actor can live on
// another node. Call register_messages(cfg) on every node before the actor_system starts.
#pragma once

#include "messages/errors.hpp"
#include "messages/interfaces.hpp"
#include "messages/sessions.hpp"

namespace kis {

template <class Config>
void register_messages(Config& cfg) {
  // market
  cfg.template add_message_type<quote>("kis::quote");
  cfg.template add_message_type<daily_bar>("kis::daily_bar");
  cfg.template add_message_type<trade_tick>("kis::trade_tick");
  cfg.template add_message_type<book_level>("kis::book_level");
  cfg.template add_message_type<order_book>("kis::order_book");
  cfg.template add_message_type<stock_info>("kis::stock_info");
  cfg.template add_message_type<market_day>("kis::market_day");
  // venues and sessions
  cfg.template add_message_type<venue_status>("kis::venue_status");
  cfg.template add_message_type<session_change>("kis::session_change");
  // orders and account
  cfg.template add_message_type<signal>("kis::signal");
  cfg.template add_message_type<signal_ack>("kis::signal_ack");
  cfg.template add_message_type<order_request>("kis::order_request");
  cfg.template add_message_type<revise_cancel_request>("kis::revise_cancel_request");
  cfg.template add_message_type<order_ack>("kis::order_ack");
  cfg.template add_message_type<execution_notice>("kis::execution_notice");
  cfg.template add_message_type<order_update>("kis::order_update");
  cfg.template add_message_type<holding>("kis::holding");
  cfg.template add_message_type<balance>("kis::balance");
  cfg.template add_message_type<buyable>("kis::buyable");
  cfg.template add_message_type<fill_record>("kis::fill_record");
  cfg.template add_message_type<position>("kis::position");
  cfg.template add_message_type<count_by>("kis::count_by");
  cfg.template add_message_type<executor_summary>("kis::executor_summary");
  // REST
  cfg.template add_message_type<permit_request>("kis::permit_request");
  cfg.template add_message_type<permit>("kis::permit");
  cfg.template add_message_type<call_outcome>("kis::call_outcome");
  cfg.template add_message_type<permit_use>("kis::permit_use");
  cfg.template add_message_type<access_token>("kis::access_token");
  cfg.template add_message_type<approval_key>("kis::approval_key");
  cfg.template add_message_type<token_info>("kis::token_info");
  cfg.template add_message_type<field>("kis::field");
  cfg.template add_message_type<rest_call>("kis::rest_call");
  cfg.template add_message_type<rest_reply>("kis::rest_reply");
  cfg.template add_message_type<price_query>("kis::price_query");
  cfg.template add_message_type<chart_query>("kis::chart_query");
  cfg.template add_message_type<balance_query>("kis::balance_query");
  cfg.template add_message_type<buyable_query>("kis::buyable_query");
  cfg.template add_message_type<stock_info_query>("kis::stock_info_query");
  cfg.template add_message_type<fills_query>("kis::fills_query");
  cfg.template add_message_type<api_stats>("kis::api_stats");
  cfg.template add_message_type<http_exchange>("kis::http_exchange");
  // real time
  cfg.template add_message_type<subscribe_request>("kis::subscribe_request");
  cfg.template add_message_type<subscription>("kis::subscription");
  cfg.template add_message_type<feed_status>("kis::feed_status");
  cfg.template add_message_type<symbol_interest>("kis::symbol_interest");
  cfg.template add_message_type<interest_report>("kis::interest_report");
  // trading actors
  cfg.template add_message_type<bar>("kis::bar");
  cfg.template add_message_type<indicators>("kis::indicators");
  cfg.template add_message_type<market_event>("kis::market_event");
  cfg.template add_message_type<daily_history>("kis::daily_history");
  cfg.template add_message_type<price_update>("kis::price_update");
  cfg.template add_message_type<journal_entry>("kis::journal_entry");
  cfg.template add_message_type<journal_fill>("kis::journal_fill");
  // metrics
  cfg.template add_message_type<label>("kis::label");
  cfg.template add_message_type<metric_point>("kis::metric_point");
  cfg.template add_message_type<histogram_point>("kis::histogram_point");
  cfg.template add_message_type<actor_sample>("kis::actor_sample");
  cfg.template add_message_type<warning_record>("kis::warning_record");
  cfg.template add_message_type<metrics_snapshot>("kis::metrics_snapshot");
  // typed handles that travel inside messages
  cfg.template add_message_type<market_sink_actor>("kis::market_sink_actor");
  cfg.template add_message_type<notice_sink_actor>("kis::notice_sink_actor");
  cfg.template add_message_type<strategy_actor>("kis::strategy_actor");
  // the services a core node hands to analyzer/strategy nodes
  cfg.template add_message_type<market_data_actor>("kis::market_data_actor");
  cfg.template add_message_type<ws_feed_actor>("kis::ws_feed_actor");
  cfg.template add_message_type<order_executor_actor>("kis::order_executor_actor");
  add_kis_error_category(cfg);
}

} // namespace kis
