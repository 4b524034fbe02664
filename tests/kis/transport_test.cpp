// http_transport against a loopback responder: keep-alive reuse, headers on the wire,
// concurrency, timeouts, refused connections and shutdown with calls in flight.
#include <gtest/gtest.h>

#include <condition_variable>
#include <future>

#include "kis/http_transport.hpp"
#include "kis/rest_codec.hpp"
#include "loopback_server.hpp"

namespace {

using namespace kis::api;
using namespace std::chrono_literals;
using kis::order_request;
using kis::test::http_response;
using kis::test::loopback_server;
using kis::test::seen_request;

http_request get(const std::string& url, std::uint64_t id = 0) {
  http_request r;
  r.method = http_method::get;
  r.url = url;
  r.call_id = id;
  return r;
}

std::string echo_target(const seen_request& r) {
  return http_response(200, R"({"rt_cd":"0","target":")" + r.target + "\"}");
}

TEST(HttpTransport, KeepAliveReusesOneConnection) {
  loopback_server srv{echo_target};
  http_transport t;
  for (int i = 0; i < 10; ++i) {
    auto ex =
        t.perform(get(srv.url() + "/q?i=" + std::to_string(i), static_cast<std::uint64_t>(i)));
    ASSERT_EQ(ex.http_status, 200) << ex.transport_error;
    EXPECT_EQ(ex.call_id, static_cast<std::uint64_t>(i));
    EXPECT_EQ(ex.body, R"({"rt_cd":"0","target":"/q?i=)" + std::to_string(i) + "\"}");
    EXPECT_TRUE(ex.sent);
    EXPECT_GT(ex.elapsed_ns, 0);
  }
  EXPECT_EQ(srv.connections(), 1);
  EXPECT_EQ(t.connections_opened(), 1u);
}

TEST(HttpTransport, WithoutKeepAliveEveryCallConnects) {
  loopback_server srv{echo_target};
  transport_options opts;
  opts.keep_alive = false;
  http_transport t{opts};
  for (int i = 0; i < 5; ++i)
    ASSERT_EQ(t.perform(get(srv.url() + "/x")).http_status, 200);
  EXPECT_EQ(srv.connections(), 5);
  EXPECT_EQ(t.connections_opened(), 5u);
}

TEST(HttpTransport, SendsTheBuiltRequestVerbatim) {
  loopback_server srv{
      [](const seen_request&) { return http_response(200, R"({"rt_cd":"0"})", "tr_cont: M\r\n"); }};
  credentials cred{"PSkey", "the-secret", "50000000", "01", "hts", "P"};
  call_context ctx{environment::paper, srv.url(), cred, "tok"};
  order_request o{"c1", "005930", kis::side::buy, kis::order_kind::limit, 10, 70000};
  auto req = build_request(kis::endpoint_id::order_cash_buy, ctx, *order_params(o, cred));
  ASSERT_TRUE(req);
  http_transport t;
  auto ex = t.perform(*req);
  ASSERT_EQ(ex.http_status, 200) << ex.transport_error;
  EXPECT_EQ(ex.tr_cont, "M");

  auto seen = srv.requests();
  ASSERT_EQ(seen.size(), 1u);
  const auto& r = seen[0];
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.target, "/uapi/domestic-stock/v1/trading/order-cash");
  EXPECT_EQ(r.headers.at("content-type"), "application/json; charset=utf-8");
  EXPECT_EQ(r.headers.at("authorization"), "Bearer tok");
  EXPECT_EQ(r.headers.at("appkey"), "PSkey");
  EXPECT_EQ(r.headers.at("appsecret"), "the-secret");
  EXPECT_EQ(r.headers.at("tr_id"), "VTTC0012U");
  EXPECT_EQ(r.headers.at("custtype"), "P");
  ASSERT_TRUE(r.headers.contains("tr_cont")); // present even when empty
  EXPECT_EQ(r.headers.at("tr_cont"), "");
  EXPECT_FALSE(r.headers.contains("expect"));
  EXPECT_EQ(r.body, req->body);
}

TEST(HttpTransport, ErrorStatusesStillCarryTheBody) {
  const std::string body =
      R"({"rt_cd":"1","msg_cd":"EGW00201","msg1":"초당 거래건수를 초과하였습니다."})";
  loopback_server srv{[&](const seen_request&) { return http_response(500, body); }};
  http_transport t;
  auto ex = t.perform(get(srv.url() + "/q"));
  EXPECT_EQ(ex.http_status, 500);
  EXPECT_EQ(ex.body, body);
  EXPECT_EQ(parse_reply(ex).error().code, kis::errc::rate_limited);
}

TEST(HttpTransport, ConcurrentSubmitsAllComplete) {
  loopback_server srv{echo_target};
  http_transport t;
  constexpr int threads = 4, per_thread = 10;
  std::mutex mtx;
  std::condition_variable cv;
  std::vector<std::uint64_t> done;
  std::vector<std::thread> callers;
  for (int k = 0; k < threads; ++k)
    callers.emplace_back([&, k] {
      for (int i = 0; i < per_thread; ++i) {
        auto id = static_cast<std::uint64_t>(k * per_thread + i);
        t.submit(get(srv.url() + "/c/" + std::to_string(id), id), [&, id](kis::http_exchange ex) {
          EXPECT_EQ(ex.call_id, id);
          EXPECT_EQ(ex.http_status, 200);
          EXPECT_NE(ex.body.find("/c/" + std::to_string(id) + "\""), std::string::npos);
          std::lock_guard guard{mtx};
          done.push_back(id);
          cv.notify_all();
        });
      }
    });
  for (auto& c : callers)
    c.join();
  std::unique_lock lock{mtx};
  ASSERT_TRUE(cv.wait_for(lock, 10s, [&] { return done.size() == threads * per_thread; }));
  std::sort(done.begin(), done.end());
  for (std::size_t i = 0; i < done.size(); ++i)
    EXPECT_EQ(done[i], i);
  EXPECT_LE(srv.connections(), 8); // max_host_connections bounds the pool
}

TEST(HttpTransport, TotalTimeoutAfterSendingIsAnUnknownOutcome) {
  loopback_server srv{[](const seen_request&) { return std::string{}; }}; // never answers
  transport_options opts;
  opts.total_timeout = 200ms;
  http_transport t{opts};
  auto ex = t.perform(get(srv.url() + "/hang"));
  EXPECT_EQ(ex.http_status, 0);
  EXPECT_FALSE(ex.transport_error.empty());
  EXPECT_TRUE(ex.sent);
  EXPECT_EQ(parse_reply(ex).error().code, kis::errc::outcome_unknown);
  EXPECT_EQ(srv.requests().size(), 1u);
}

TEST(HttpTransport, RefusedConnectionWasNotSent) {
  std::uint16_t port = 0;
  { // a port that was just free: nothing listens there now
    loopback_server gone{echo_target};
    port = gone.port();
  }
  http_transport t;
  auto ex = t.perform(get("http://127.0.0.1:" + std::to_string(port) + "/x"));
  EXPECT_EQ(ex.http_status, 0);
  EXPECT_FALSE(ex.sent);
  EXPECT_FALSE(ex.transport_error.empty());
  EXPECT_EQ(parse_reply(ex).error().code, kis::errc::transport);
}

TEST(HttpTransport, ShutdownFailsCallsInFlight) {
  loopback_server srv{[](const seen_request&) { return std::string{}; }};
  std::promise<kis::http_exchange> got;
  {
    http_transport t;
    t.submit(get(srv.url() + "/hang", 77),
             [&](kis::http_exchange ex) { got.set_value(std::move(ex)); });
    // Wait until the request reached the server, then destroy the transport.
    for (int i = 0; i < 500 && srv.requests().empty(); ++i)
      std::this_thread::sleep_for(2ms);
    ASSERT_EQ(srv.requests().size(), 1u);
  }
  auto ex = got.get_future().get();
  EXPECT_EQ(ex.call_id, 77u);
  EXPECT_EQ(ex.http_status, 0);
  EXPECT_EQ(ex.transport_error, "transport shut down");
  EXPECT_TRUE(ex.sent);
}

TEST(HttpTransport, PerformFromTheTransportThreadRefusesInsteadOfDeadlocking) {
  loopback_server srv{echo_target};
  http_transport t;
  std::promise<kis::http_exchange> inner;
  t.submit(get(srv.url() + "/a"),
           [&](kis::http_exchange) { inner.set_value(t.perform(get(srv.url() + "/b"))); });
  auto ex = inner.get_future().get();
  EXPECT_EQ(ex.http_status, 0);
  EXPECT_FALSE(ex.sent);
  EXPECT_NE(ex.transport_error.find("transport thread"), std::string::npos);
}

TEST(HttpTransport, BadUrlIsATransportError) {
  http_transport t;
  auto ex = t.perform(get("ftp://127.0.0.1/x")); // only http and https are allowed
  EXPECT_EQ(ex.http_status, 0);
  EXPECT_FALSE(ex.sent);
}

} // namespace
