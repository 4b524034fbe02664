// kis-sim over real sockets, with a tiny blocking libcurl client: keep-alive, 404, the limit
// under a burst, slow and hung answers, and a clean stop with a hung connection open.
#include <gtest/gtest.h>

#include <curl/curl.h>

#include <chrono>

#include "sim/server.hpp"
#include "support/eventually.hpp"

namespace {

using namespace std::chrono_literals;
using kis::sim::server;

struct reply {
  long status = 0;
  std::string body;
  CURLcode rc = CURLE_OK;
  long new_connections = 0;
};

// One easy handle per test: curl keeps the connection alive between calls on it.
class client {
public:
  client()
      : h_(curl_easy_init()) {}
  ~client() { curl_easy_cleanup(h_); }
  client(const client&) = delete;
  client& operator=(const client&) = delete;

  reply call(const std::string& url, const std::vector<std::string>& headers,
             const std::string* body = nullptr, long timeout_ms = 5'000) {
    reply r;
    curl_slist* list = nullptr;
    for (const auto& h : headers)
      list = curl_slist_append(list, h.c_str());
    curl_easy_setopt(h_, CURLOPT_URL, url.c_str());
    curl_easy_setopt(h_, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(h_, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h_, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(h_, CURLOPT_WRITEFUNCTION, &client::collect);
    curl_easy_setopt(h_, CURLOPT_WRITEDATA, &r.body);
    if (body) {
      curl_easy_setopt(h_, CURLOPT_POSTFIELDS, body->c_str());
      curl_easy_setopt(h_, CURLOPT_POSTFIELDSIZE, static_cast<long>(body->size()));
    } else {
      curl_easy_setopt(h_, CURLOPT_HTTPGET, 1L);
    }
    r.rc = curl_easy_perform(h_);
    curl_easy_getinfo(h_, CURLINFO_RESPONSE_CODE, &r.status);
    curl_easy_getinfo(h_, CURLINFO_NUM_CONNECTS, &r.new_connections);
    curl_slist_free_all(list);
    return r;
  }

private:
  static std::size_t collect(char* p, std::size_t size, std::size_t n, void* out) {
    static_cast<std::string*>(out)->append(p, size * n);
    return size * n;
  }
  CURL* h_;
};

std::string field(const std::string& body, const std::string& key) {
  auto k = body.find("\"" + key + "\":\"");
  if (k == std::string::npos)
    return {};
  auto start = k + key.size() + 4;
  return body.substr(start, body.find('"', start) - start);
}

struct SimServer : ::testing::Test {
  kis::sim::options opts;
  std::unique_ptr<server> sim;
  client http;
  std::string token;

  // Time stands still unless a test moves it, so the sliding-window limiter sees a burst as
  // one instant however slow the machine is.
  std::shared_ptr<kis::manual_wall_clock> clock = std::make_shared<kis::manual_wall_clock>();

  void SetUp() override {
    opts.clock = clock;
    sim = std::make_unique<server>(opts);
    sim->start();
    std::string body = R"({"grant_type":"client_credentials","appkey":")" + opts.cred.app_key +
                       R"(","appsecret":")" + opts.cred.app_secret + "\"}";
    auto r =
        http.call(sim->rest_url() + "/oauth2/tokenP", {"content-type: application/json"}, &body);
    ASSERT_EQ(r.status, 200) << r.body;
    token = field(r.body, "access_token");
  }

  reply price(long timeout_ms = 5'000) {
    return http.call(sim->rest_url() + "/uapi/domestic-stock/v1/quotations/inquire-price"
                                       "?FID_COND_MRKT_DIV_CODE=J&FID_INPUT_ISCD=005930",
                     {"authorization: Bearer " + token, "appkey: " + opts.cred.app_key,
                      "appsecret: " + opts.cred.app_secret, "tr_id: FHKST01010100", "custtype: P",
                      "content-type: application/json; charset=utf-8"},
                     nullptr, timeout_ms);
  }
};

TEST_F(SimServer, ListensOnLoopbackWithKeepAlive) {
  EXPECT_EQ(sim->rest_url().rfind("http://127.0.0.1:", 0), 0u);
  EXPECT_EQ(sim->ws_url().rfind("ws://127.0.0.1:", 0), 0u);
  EXPECT_NE(sim->rest_port(), sim->ws_port());
  auto a = price();
  ASSERT_EQ(a.status, 200) << a.body;
  EXPECT_EQ(field(a.body, "rt_cd"), "0");
  auto b = price();
  EXPECT_EQ(b.status, 200);
  EXPECT_EQ(b.new_connections, 0); // the same connection served both
  EXPECT_EQ(sim->stats().calls_by_tr_id.at("FHKST01010100"), 2u);
}

TEST_F(SimServer, UnknownPathIs404) {
  auto r = http.call(sim->rest_url() + "/uapi/nothing-here", {});
  EXPECT_EQ(r.status, 404);
}

TEST_F(SimServer, BurstOverTheLimitIsRefused) {
  int ok = 0, limited = 0;
  for (int i = 0; i < 30; ++i) {
    auto r = price();
    if (r.status == 200)
      ++ok;
    else if (r.status == 500 && field(r.body, "msg_cd") == "EGW00201")
      ++limited;
  }
  EXPECT_EQ(ok, 18);
  EXPECT_EQ(limited, 12);
  EXPECT_EQ(sim->stats().max_calls_in_window, 30u);
}

TEST_F(SimServer, SlowAndHungAnswers) {
  kis::sim::faults f;
  f.delay = 200ms;
  sim->set_faults(f);
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(price().status, 200);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 200ms);
  sim->set_faults({});

  sim->hang_next("FHKST01010100");
  auto r = price(300);
  EXPECT_EQ(r.rc, CURLE_OPERATION_TIMEDOUT);
  EXPECT_EQ(price().status, 200); // a new connection, answered again
  EXPECT_EQ(sim->stats().hung_responses, 1u);

  sim->hang_next("FHKST01010100");
  std::thread stuck{[&] {
    price(2'000); // left hanging until the server stops
  }};
  // Barrier: the server holds the request (it counts a hang when it takes the request).
  ASSERT_TRUE(kis::test::eventually([&] { return sim->stats().hung_responses == 2; }, 10s));
  start = std::chrono::steady_clock::now();
  sim->stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
  stuck.join();
}

TEST_F(SimServer, HeldAnswerOutlastsTheClientButTheCallHappened) {
  kis::sim::faults f;
  f.hold_rate = 1.0;
  f.hold_for = 5s;
  sim->set_faults(f);
  auto r = price(300);
  EXPECT_EQ(r.rc, CURLE_OPERATION_TIMEDOUT);
  EXPECT_EQ(sim->stats().held_responses, 1u);
  EXPECT_EQ(sim->stats().calls_by_tr_id.at("FHKST01010100"), 1u);
  sim->set_faults({});
  EXPECT_EQ(price().status, 200); // a new connection, answered at once
  EXPECT_EQ(sim->call_arrivals().size(), 2u);
}

} // namespace
