// The recorder without the engine: what it keeps of requests and frames (redaction), segments
// per trading day and by size, retention, the index, the queue bound, secret scrubbing.
#include <filesystem>
#include <fstream>
#include <random>

#include <unistd.h>

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "kis/kst.hpp"
#include "runtime/recorder.hpp"
#include "runtime/recording_redact.hpp"
#include "runtime/replay_source.hpp"

namespace {

using namespace kis;
using namespace kis::runtime;
namespace fs = std::filesystem;

constexpr std::int64_t day_ns = 86'400'000'000'000;

// Text zstd cannot shrink much, so sizes in the tests are predictable.
std::string noise(std::size_t n, unsigned seed) {
  std::mt19937 gen{seed};
  std::string s(n, ' ');
  for (auto& c : s)
    c = static_cast<char>('!' + gen() % 90);
  return s;
}

TEST(Redaction, GetParametersAreKeptOnlyWhenHarmless) {
  api::http_request req;
  req.url = "https://openapi.koreainvestment.com:9443/uapi/domestic-stock/v1/trading/"
            "inquire-daily-ccld?CANO=50123456&ACNT_PRDT_CD=01&INQR_STRT_DT=20260401&PDNO=005930"
            "&CTX_AREA_FK100=abc%20d&SOMETHING_NEW=x";
  req.headers = {{"authorization", "Bearer eyJ0eXAi.secret"},
                 {"appkey", "PSsecretkey"},
                 {"tr_id", "TTTC0081R"}};
  auto s = recording::summarize_request(req);
  EXPECT_EQ(s.endpoint, "inquire_daily_fills");
  EXPECT_EQ(s.tr_id, "TTTC0081R");
  EXPECT_FALSE(s.oauth);
  std::map<std::string, std::string> p;
  for (const auto& f : s.params)
    p[f.name] = f.value;
  EXPECT_EQ(p["CANO"], "*");
  EXPECT_EQ(p["ACNT_PRDT_CD"], "*");
  EXPECT_EQ(p["SOMETHING_NEW"], "*");
  EXPECT_EQ(p["INQR_STRT_DT"], "20260401");
  EXPECT_EQ(p["PDNO"], "005930");
  EXPECT_EQ(p["CTX_AREA_FK100"], "abc d");
}

TEST(Redaction, PostBodiesAndOauthCalls) {
  api::http_request order;
  order.method = api::http_method::post;
  order.url = "http://127.0.0.1:1/uapi/domestic-stock/v1/trading/order-cash";
  order.body = R"({"CANO":"50123456","ACNT_PRDT_CD":"01","PDNO":"005930","ORD_DVSN":"00",)"
               R"("ORD_QTY":"3","ORD_UNPR":"70100"})";
  auto s = recording::summarize_request(order);
  EXPECT_EQ(s.endpoint, "order_cash_buy"); // the path is shared by buy and sell
  ASSERT_EQ(s.params.size(), 6u);
  EXPECT_EQ(s.params[0].value, "*");
  EXPECT_EQ(s.params[4].value, "3");

  api::http_request token;
  token.method = api::http_method::post;
  token.url = "https://openapivts.koreainvestment.com:29443/oauth2/tokenP";
  token.body = R"({"grant_type":"client_credentials","appkey":"k","appsecret":"s"})";
  auto t = recording::summarize_request(token);
  EXPECT_TRUE(t.oauth);
  EXPECT_TRUE(t.params.empty());
}

TEST(Redaction, OauthAnswersLoseTheirSecretsAndNameThem) {
  std::vector<std::string> found;
  auto body = recording::redact_oauth_body(
      R"({"access_token":"eyJabc.def","token_type":"Bearer","expires_in":86400,)"
      R"("access_token_token_expired":"2026-04-16 09:00:00","approval_key":"u-u-i-d"})",
      found);
  EXPECT_EQ(body.find("eyJabc"), std::string::npos);
  EXPECT_EQ(body.find("u-u-i-d"), std::string::npos);
  EXPECT_NE(body.find("\"expires_in\":86400"), std::string::npos);
  EXPECT_NE(body.find("2026-04-16 09:00:00"), std::string::npos);
  EXPECT_EQ(found, (std::vector<std::string>{"eyJabc.def", "u-u-i-d"}));
  EXPECT_EQ(recording::redact_oauth_body("<html>", found), "(not JSON, not recorded)");
}

TEST(Redaction, AckKeysAreEmptiedAndRequestsShrink) {
  auto ack = recording::redact_ws_frame(
      R"({"header":{"tr_id":"H0STCNI0","tr_key":"hts1","encrypt":"N"},"body":{"rt_cd":"0",)"
      R"("msg_cd":"OPSP0000","msg1":"SUBSCRIBE SUCCESS","output":{"iv":"0123456789abcdef",)"
      R"("key":"0123456789abcdef0123456789abcdef"}}})");
  EXPECT_EQ(ack.find("0123456789abcdef"), std::string::npos);
  auto v = boost::json::parse(ack);
  EXPECT_EQ(v.at("body").at("output").at("key").as_string(), "");
  EXPECT_EQ(v.at("body").at("msg_cd").as_string(), "OPSP0000");
  const std::string data = "0|H0STCNT0|001|005930^090000^70000";
  EXPECT_EQ(recording::redact_ws_frame(data), data);

  auto req = recording::summarize_ws_request(
      R"({"header":{"approval_key":"a-b-c","custtype":"P","tr_type":"1","content-type":"utf-8"},)"
      R"("body":{"input":{"tr_id":"H0STCNI0","tr_key":"myhtsid"}}})");
  ASSERT_TRUE(req.has_value());
  EXPECT_EQ(req->find("a-b-c"), std::string::npos);
  EXPECT_EQ(req->find("myhtsid"), std::string::npos); // the HTS id of a notice registration
  EXPECT_NE(req->find("\"tr_type\":\"1\""), std::string::npos);
  EXPECT_FALSE(recording::summarize_ws_request(R"({"header":{"tr_id":"PINGPONG"}})"));
}

class Recorder : public ::testing::Test {
protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("kis-recorder-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    clock_ = std::make_shared<manual_wall_clock>(
        wall_time{std::chrono::seconds{1'776'211'200}}); // 2026-04-15 00:00 UTC, 09:00 KST
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::shared_ptr<recorder> open(recorder_options o = {}) {
    o.dir = dir_;
    o.clock = clock_;
    auto r = recorder::open(std::move(o));
    EXPECT_TRUE(r.ok());
    return *r;
  }

  std::vector<rec::record> read_back() {
    auto src = open_recording(dir_, {});
    EXPECT_TRUE(src.ok());
    std::vector<rec::record> out;
    rec::record r;
    while ((*src)->next(r))
      out.push_back(r);
    return out;
  }

  fs::path dir_;
  std::shared_ptr<manual_wall_clock> clock_;
};

TEST_F(Recorder, StampsSequencesAndTimesAndScrubsSecrets) {
  auto rec = open();
  rec->add_secret("TOPSECRET");
  rec->ws_in(1, "0|H0STCNT0|001|005930^x");
  clock_->advance(std::chrono::milliseconds{5});
  rec::record r;
  r.endpoint = "inquire_price";
  r.body = "{\"oops\":\"TOPSECRET\"}";
  rec->rest(std::move(r));
  rec->flush();
  auto all = read_back();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].seq + 1, all[1].seq);
  EXPECT_EQ(all[1].recv_ns - all[0].recv_ns, 5'000'000);
  EXPECT_EQ(all[0].src, rec::source::ws_in);
  EXPECT_EQ(all[1].body, "{\"oops\":\"(redacted)\"}");
  EXPECT_EQ(rec->stats().records, 2u);
}

TEST_F(Recorder, OneSegmentPerTradingDayAndBySize) {
  recorder_options o;
  o.segment_bytes = 4096;
  o.chunk_bytes = 1024;
  auto rec = open(o);
  for (int i = 0; i < 40; ++i)
    rec->ws_in(1, noise(300, static_cast<unsigned>(i)));
  rec->flush();
  clock_->advance(std::chrono::nanoseconds{day_ns}); // the next KST day
  rec->ws_in(1, noise(300, 99));
  rec->flush();
  rec.reset(); // closes the last segment
  auto idx = recording_index::open(dir_, false);
  ASSERT_TRUE(idx.ok());
  auto segs = idx->segments();
  ASSERT_GE(segs.size(), 3u); // day one cut by size, then day two
  EXPECT_EQ(segs.front().day, 20260415);
  EXPECT_EQ(segs.front().file, "20260415-000001.krec");
  EXPECT_EQ(segs.back().day, 20260416);
  EXPECT_EQ(segs.back().file, "20260416-000001.krec");
  for (const auto& s : segs)
    EXPECT_TRUE(s.closed);
  EXPECT_EQ(read_back().size(), 41u);
}

TEST_F(Recorder, RetentionDeletesTheOldestSegments) {
  recorder_options o;
  o.segment_bytes = 2048;
  o.chunk_bytes = 512;
  o.max_total_bytes = 6000;
  auto rec = open(o);
  for (int i = 0; i < 200; ++i) {
    rec->ws_in(1, noise(200, static_cast<unsigned>(i)));
    if (i % 10 == 9)
      rec->flush();
  }
  rec.reset();
  std::uint64_t total = 0;
  auto idx = recording_index::open(dir_, false);
  for (const auto& s : idx->segments())
    total += fs::file_size(dir_ / s.file);
  EXPECT_LE(total, 6000u + 2048u + 1024u); // the bound, give or take the open segment
  EXPECT_EQ(idx->segments().front().file.substr(0, 9), "20260415-");
  EXPECT_NE(idx->segments().front().file, "20260415-000001.krec"); // the first one went
}

TEST_F(Recorder, AFullQueueDropsAndCountsInsteadOfBlocking) {
  recorder_options o;
  o.queue_limit = 10;
  o.defer_writer = true; // nothing drains the queue until the first flush
  auto rec = open(o);
  for (int i = 0; i < 1000; ++i)
    rec->ws_in(1, "0|H0STCNT0|001|x");
  EXPECT_EQ(rec->stats().dropped, 990u);
  rec->flush();
  auto st = rec->stats();
  EXPECT_EQ(st.records, 10u);
  EXPECT_EQ(st.dropped, 990u);
  EXPECT_EQ(read_back().size(), 10u);
}

TEST_F(Recorder, RefusesAPathItCannotUse) {
  std::ofstream{dir_.string() + "-file"} << "x";
  recorder_options o;
  o.dir = dir_.string() + "-file/sub";
  auto r = recorder::open(o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, errc::io);
  fs::remove(dir_.string() + "-file");
}

} // namespace
