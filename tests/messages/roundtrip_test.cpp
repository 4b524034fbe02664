// Every message type survives CAF's binary serializer inside a caf::message, which is what
// the middleman does when an actor lives on another node.
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/binary_deserializer.hpp>
#include <caf/binary_serializer.hpp>
#include <caf/deep_to_string.hpp>
#include <caf/make_message.hpp>

#include <gtest/gtest.h>

#include "messages/registry.hpp"

namespace {

struct config : caf::actor_system_config {
  config() {
    kis::register_messages(*this);
    set("scheduler.max-threads", 1);
  }
};

kis::histogram_point sample_histogram() {
  return {"processing_seconds", {{"actor", "gov"}}, {0.001, 0.01}, {3, 5}, 0.02, 5};
}

kis::bar sample_bar() {
  return {"005930", 1'700'000'000'000'000'000, 60, 70000, 70500, 69900, 70100, 1234};
}

template <class T>
T sample();

template <>
kis::quote sample() {
  return {"005930", 70100, -400,    kis::price_sign::down, -0.57, 70500, 70900, 69800, 91600,
          49400,    70500, 1234567, 86543210000,           100,   false, 42};
}
template <>
kis::daily_bar sample() {
  return {"005930", 20261120, 1, 2, 3, 4, 5, 6};
}
template <>
kis::trade_tick sample() {
  return {"005930",
          7,
          250500,
          -19500,
          kis::price_sign::down,
          2,
          11701513,
          3013709268750,
          257548,
          266000,
          266500,
          248500,
          250500,
          250000,
          kis::aggressor::buy,
          "20",
          false,
          9,
          kis::market_code::nxt};
}
template <>
kis::book_level sample() {
  return {358500, 53949};
}
template <>
kis::order_book sample() {
  return {"005930",
          1,
          "0",
          {{358500, 53949}, {359000, 91247}},
          {{358000, 21635}},
          796206,
          227494,
          0,
          0,
          25970877,
          3,
          kis::market_code::combined,
          358250,
          358300};
}
template <>
kis::stock_info sample() {
  return {"005930", "삼성전자", "STK", true, false, false, 20261201};
}
template <>
kis::market_day sample() {
  return {20261225, 6, false, false, false, false};
}
template <>
kis::venue_status sample() {
  return {kis::venue::nxt, kis::session_kind::after_market,
          kis::mask_of(kis::order_kind::limit) | kis::mask_of(kis::order_kind::best_limit), 5, 9};
}
template <>
kis::session_change sample() {
  return {kis::session_kind::regular, sample<kis::venue_status>(), 7};
}
template <>
kis::signal sample() {
  return {"ma_cross", "005930", kis::side::sell, 10, 70000, kis::order_kind::limit, 5, "cross", 11};
}
template <>
kis::signal_ack sample() {
  return {"c-1", 3};
}
template <>
kis::order_request sample() {
  return {"c-1", "005930", kis::side::buy, kis::order_kind::market, 10, 0, kis::venue::sor};
}
template <>
kis::revise_cancel_request sample() {
  return {"c-2", "06590", "0000006555",   kis::revise_or_cancel::revise, kis::order_kind::limit, 5,
          70000, false,   kis::venue::nxt};
}
template <>
kis::order_ack sample() {
  return {"c-1", "06590", "0000006555", "151059", "APBK0013", "주문 전송 완료 되었습니다."};
}
template <>
kis::execution_notice sample() {
  return {"hts1",   "12345678", "0000006555", "", kis::side::buy,
          0,        "00",       "005930",     10, 70000,
          "151100", false,      true,         2,  "06590",
          10,       "삼성전자", 70000,        5,  kis::exec_venue::sor_nxt};
}
template <>
kis::order_update sample() {
  return {"c-1",        "ma_cross", "005930", kis::side::buy,  kis::order_status::partially_filled,
          "0000006555", 10,         4,        70000,           4,
          70000,        "fill",     8,        kis::venue::sor, kis::exec_venue::sor_krx};
}
template <>
kis::holding sample() {
  return {"005930", "삼성전자", 10, 10, 70000, 70100, 701000, 1000};
}
template <>
kis::balance sample() {
  return {{sample<kis::holding>()}, 1, 2, 3, 4, 5};
}
template <>
kis::buyable sample() {
  return {"005930", 1, 2, 3, 4, 5, 6};
}
template <>
kis::fill_record sample() {
  return {"20261120", "06590", "0000006555",   "", "005930", kis::side::sell, "00",
          10,         70000,   "151059",       10, 70000,    700000,          false,
          0,          0,       kis::venue::nxt};
}
template <>
kis::position sample() {
  return {"005930", 10, 70000, 5000, 70100};
}
template <>
kis::count_by sample() {
  return {"filled", 3};
}
template <>
kis::executor_summary sample() {
  return {9, 7,    {{"tick_size", 2}}, {{"filled", 5}}, 6, {sample<kis::position>()}, 5000,
          1, true, "/tmp/j.sqlite"};
}
template <>
kis::permit_request sample() {
  return {kis::permit_class::account_query, "analyzer-1"};
}
template <>
kis::permit sample() {
  return {17, kis::permit_class::order, 100, 5};
}
template <>
kis::permit_use sample() {
  return {7, false};
}
template <>
kis::call_outcome sample() {
  return {17, kis::permit_class::order, kis::call_result::rate_limited, 1200};
}
template <>
kis::access_token sample() {
  return {"eyJ0eXAi", "Bearer", 1, 2};
}
template <>
kis::approval_key sample() {
  return {"a1b2", 1, 2};
}
template <>
kis::token_info sample() {
  return {true, 1, 2, 3, 4, 5, true};
}
template <>
kis::field sample() {
  return {"FID_INPUT_ISCD", "005930"};
}
template <>
kis::rest_call sample() {
  return {kis::endpoint_id::inquire_balance,
          {{"CANO", "12345678"}},
          "N",
          kis::permit_class::account_query};
}
template <>
kis::rest_reply sample() {
  return {200, "M", "{\"rt_cd\":\"0\"}"};
}
template <>
kis::price_query sample() {
  return {"005930", "NX", false};
}
template <>
kis::chart_query sample() {
  return {"005930", 20250101, 20261120, 'W', false, "UN"};
}
template <>
kis::balance_query sample() {
  return {false};
}
template <>
kis::buyable_query sample() {
  return {"005930", 70000, 0};
}
template <>
kis::fills_query sample() {
  return {20261101, 20261120, "005930", "0000006555", 1, kis::venue_scope::all};
}
template <>
kis::api_stats sample() {
  return {10, 8, 2, 1, 0.8, 5, 18, 17.5, 18, {1, 2, 3, 4}, {0, 1, 0, 0}};
}
template <>
kis::http_exchange sample() {
  return {9, 500, "D", "{}", "timeout", true, true, 123};
}
template <>
kis::subscribe_request sample() {
  return {kis::feed_channel::book, "005930", 3, kis::market_code::nxt};
}
template <>
kis::subscription sample() {
  return {kis::feed_channel::notices, "hts1", 2, 17, 41, kis::market_code::combined};
}
template <>
kis::feed_status sample() {
  return {true, 41, 41, 2, 100, 400, 1, 0, 9, 12345};
}
template <>
kis::symbol_interest sample() {
  return {"005930", true, true, 2.5e9, 1.75, 4};
}
template <>
kis::interest_report sample() {
  return {"analyzer-2", {sample<kis::symbol_interest>()}};
}
template <>
kis::warning_record sample() {
  return {42, "journal:order_executor", "the order journal failed to write", true};
}
template <>
kis::bar sample() {
  return sample_bar();
}
template <>
kis::indicators sample() {
  return {1.5, 2.5, 3.5, 4.5, 5, 6, 7, 8};
}
template <>
kis::market_event sample() {
  return {kis::event_kind::bar_closed, "005930",       70100, 3,    4, 5, sample_bar(),
          sample<kis::indicators>(),   {sample_bar()}, 70000, 70200};
}
template <>
kis::label sample() {
  return {"class", "order"};
}
template <>
kis::metric_point sample() {
  return {"permits_granted_total", kis::metric_type::counter, {{"class", "order"}}, 12};
}
template <>
kis::histogram_point sample() {
  return sample_histogram();
}
template <>
kis::actor_sample sample() {
  return {"rate_governor",
          "rate_governor",
          1,
          2,
          3,
          4,
          5,
          sample_histogram(),
          {sample<kis::metric_point>()},
          {sample_histogram()}};
}
template <>
kis::metrics_snapshot sample() {
  return {1, {sample<kis::actor_sample>()}, 1 << 20, 1.5, 12.5, {sample<kis::warning_record>()}};
}

template <class T>
class RoundTrip : public ::testing::Test {
protected:
  config cfg;
  caf::actor_system sys{cfg};
};

using all_types = ::testing::Types<
    kis::quote, kis::daily_bar, kis::trade_tick, kis::book_level, kis::order_book, kis::stock_info,
    kis::market_day, kis::venue_status, kis::session_change, kis::signal, kis::signal_ack,
    kis::order_request, kis::revise_cancel_request, kis::order_ack, kis::execution_notice,
    kis::order_update, kis::holding, kis::balance, kis::buyable, kis::fill_record, kis::position,
    kis::count_by, kis::executor_summary, kis::permit_request, kis::permit, kis::permit_use,
    kis::call_outcome, kis::access_token, kis::approval_key, kis::token_info, kis::field,
    kis::rest_call, kis::rest_reply, kis::price_query, kis::chart_query, kis::balance_query,
    kis::buyable_query, kis::fills_query, kis::api_stats, kis::http_exchange,
    kis::subscribe_request, kis::subscription, kis::feed_status, kis::symbol_interest,
    kis::interest_report, kis::bar, kis::indicators, kis::market_event, kis::label,
    kis::metric_point, kis::histogram_point, kis::actor_sample, kis::warning_record,
    kis::metrics_snapshot>;
TYPED_TEST_SUITE(RoundTrip, all_types);

TYPED_TEST(RoundTrip, SurvivesBinarySerializationInsideAMessage) {
  TypeParam original = sample<TypeParam>();
  auto msg = caf::make_message(original);
  std::vector<char> buf;
  caf::binary_serializer sink{this->sys, buf};
  ASSERT_FALSE(sink(msg)) << "serializing failed";
  ASSERT_FALSE(buf.empty());
  caf::message copy;
  caf::binary_deserializer source{this->sys, buf};
  ASSERT_FALSE(source(copy)) << "deserializing failed";
  ASSERT_TRUE(copy.match_elements<TypeParam>()) << caf::to_string(copy);
  EXPECT_EQ(caf::deep_to_string(copy.get_as<TypeParam>(0)), caf::deep_to_string(original));
  // The sample must not be all defaults, or the comparison proves nothing.
  EXPECT_NE(caf::deep_to_string(original), caf::deep_to_string(TypeParam{}));
}

TEST(ErrorCategory, RendersCodeKisCodeAndStatus) {
  config cfg;
  caf::actor_system sys{cfg};
  auto e = kis::make_kis_error(kis::errc::rate_limited, "EGW00201", 500,
                               "초당 거래건수를 초과하였습니다.");
  EXPECT_EQ(sys.render(e),
            "kis::rate_limited EGW00201 (HTTP 500): 초당 거래건수를 초과하였습니다.");
  auto v = kis::view(e);
  EXPECT_EQ(v.code, kis::errc::rate_limited);
  EXPECT_EQ(v.kis_code, "EGW00201");
  EXPECT_EQ(v.http_status, 500);
  EXPECT_TRUE(e == kis::errc::rate_limited);
}

} // namespace
