// The loopback endpoint serves /metrics and /metrics.json, and `kis-engine metrics` and `top`
// read it. The server runs on its own thread; the tests talk to it over 127.0.0.1.
#include <gtest/gtest.h>

#include <sstream>

#include <curl/curl.h>

#include "runtime/exposition.hpp"
#include "runtime/metrics_cli.hpp"
#include "runtime/metrics_http.hpp"
#include "tests/support/sample_snapshot.hpp"

namespace {

struct reply {
  long status = 0;
  std::string content_type;
  std::string body;
};

reply get(const std::string& url) {
  reply out;
  CURL* h = curl_easy_init();
  auto sink = +[](char* data, std::size_t size, std::size_t n, void* body) {
    static_cast<std::string*>(body)->append(data, size * n);
    return size * n;
  };
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 5000L);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, sink);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &out.body);
  if (curl_easy_perform(h) == CURLE_OK) {
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &out.status);
    char* ct = nullptr;
    curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &ct);
    out.content_type = ct ? ct : "";
  }
  curl_easy_cleanup(h);
  return out;
}

struct MetricsHttpTest : ::testing::Test {
  kis::metrics_server server{0}; // ephemeral port on 127.0.0.1

  void SetUp() override {
    server.update(std::make_shared<const kis::metrics_snapshot>(kis::testing::sample_snapshot()));
  }
};

TEST_F(MetricsHttpTest, BindsLoopbackOnAnEphemeralPort) {
  EXPECT_NE(server.port(), 0);
  EXPECT_EQ(server.url(), "http://127.0.0.1:" + std::to_string(server.port()));
}

TEST_F(MetricsHttpTest, ServesPrometheusText) {
  auto r = get(server.url() + "/metrics");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(r.body, kis::to_prometheus(kis::testing::sample_snapshot()));
}

TEST_F(MetricsHttpTest, ServesJson) {
  auto r = get(server.url() + "/metrics.json");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/json");
  auto snap = kis::snapshot_from_json(r.body);
  ASSERT_TRUE(snap);
  EXPECT_EQ(snap->actors.size(), 4u);
}

// The console: one page, nothing loaded from elsewhere, reading /metrics.json.
TEST_F(MetricsHttpTest, ServesTheConsolePageAtTheRoot) {
  auto r = get(server.url() + "/");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("<title>kis-engine console</title>"), std::string::npos);
  EXPECT_NE(r.body.find("fetch(\"/metrics.json\""), std::string::npos);
  EXPECT_EQ(r.body.find("src="), std::string::npos);
  EXPECT_EQ(r.body.find("http://"), std::string::npos);
  EXPECT_EQ(r.body.find("https://"), std::string::npos);
}

TEST_F(MetricsHttpTest, AnswersUnknownPathsWith404) {
  EXPECT_EQ(get(server.url() + "/nope").status, 404);
}

TEST_F(MetricsHttpTest, ServesTheNewestSnapshot) {
  auto snap = kis::testing::sample_snapshot();
  snap.rss_bytes = 12345;
  server.update(std::make_shared<const kis::metrics_snapshot>(snap));
  EXPECT_NE(get(server.url() + "/metrics").body.find("kis_process_resident_memory_bytes 12345"),
            std::string::npos);
}

TEST_F(MetricsHttpTest, MetricsCommandPrintsTheThreeApiFigures) {
  std::ostringstream out, err;
  ASSERT_EQ(kis::run_metrics_command(server.url(), false, out, err), 0) << err.str();
  auto text = out.str();
  EXPECT_EQ(text.find("API calls total        120"), 0u) << text;
  EXPECT_NE(text.find("API success rate       97.50 %"), std::string::npos) << text;
  EXPECT_NE(text.find("API calls last second  14 / 20"), std::string::npos) << text;
  EXPECT_NE(text.find("rate_governor"), std::string::npos) << text;
}

TEST_F(MetricsHttpTest, MetricsCommandPrintsJsonOnRequest) {
  std::ostringstream out, err;
  ASSERT_EQ(kis::run_metrics_command(server.url(), true, out, err), 0) << err.str();
  EXPECT_TRUE(kis::snapshot_from_json(out.str()));
  EXPECT_NE(out.str().find("\"summary\":{\"rest_calls_total\""), std::string::npos) << out.str();
}

TEST_F(MetricsHttpTest, TopDrawsFramesAndStops) {
  std::ostringstream out, err;
  ASSERT_EQ(kis::run_top_command(server.url(), kis::top_sort::time, 2, out, err,
                                 std::chrono::milliseconds{0}),
            0)
      << err.str();
  auto text = out.str();
  EXPECT_NE(text.find("API budget ["), std::string::npos);
  EXPECT_NE(text.find("\x1b[2J", text.find("\x1b[2J") + 1), std::string::npos); // two frames
}

TEST(MetricsHttp, CommandsFailCleanlyWithoutAnEngine) {
  std::uint16_t port = 0;
  {
    kis::metrics_server probe{0};
    port = probe.port();
  } // closed: nothing listens there now
  std::ostringstream out, err;
  EXPECT_EQ(kis::run_metrics_command("127.0.0.1:" + std::to_string(port), false, out, err), 1);
  EXPECT_NE(err.str().find("cannot read"), std::string::npos) << err.str();
}

} // namespace
