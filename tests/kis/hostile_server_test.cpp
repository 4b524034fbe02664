// A hostile REST server against the transport and the reply parser: bounded memory and a typed
// error, never a crash or a hang, for a 100 MB body (announced or chunked), a body that
// trickles one byte a second, invalid UTF-8 and JSON nested 10,000 deep.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "kis/http_transport.hpp"
#include "kis/json_fields.hpp"
#include "kis/rest_codec.hpp"
#include "loopback_server.hpp"

namespace {

using namespace kis::api;
using namespace std::chrono_literals;
using kis::test::http_response;
using kis::test::loopback_server;
using kis::test::seen_request;

constexpr std::size_t hundred_mib = 100u << 20;

http_request get(const std::string& url) {
  http_request r;
  r.method = http_method::get;
  r.url = url;
  return r;
}

// Writes `total` bytes of a JSON-looking body in 64 KiB pieces until the client hangs up;
// counts what left.
void stream_zeros(const loopback_server::writer& write, std::size_t total, bool chunked,
                  std::atomic<std::size_t>& sent) {
  const std::string piece(64u << 10, '0');
  for (std::size_t done = 0; done < total; done += piece.size()) {
    bool ok = chunked ? write("10000\r\n") && write(piece) && write("\r\n") : write(piece);
    if (!ok)
      return;
    sent += piece.size();
  }
}

// A 100 MB answer, announced by Content-Length (refused before it is read) or streamed in
// chunks (cut at the cap): no body kept, a transport error that says why, and the server could
// not hand the whole body over (beyond the cap it only filled socket buffers).
void expect_cut_at_the_cap(bool chunked) {
  std::atomic<std::size_t> sent{0};
  loopback_server srv{[&](const seen_request&, const loopback_server::writer& write) {
    std::string head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n";
    head += chunked ? "Transfer-Encoding: chunked\r\n\r\n"
                    : "Content-Length: " + std::to_string(hundred_mib) + "\r\n\r\n";
    if (write(head))
      stream_zeros(write, hundred_mib, chunked, sent);
  }};
  http_transport t;
  auto ex = t.perform(get(srv.url() + "/huge"));
  EXPECT_EQ(ex.http_status, 0);
  EXPECT_TRUE(ex.body.empty());
  EXPECT_NE(ex.transport_error.find("larger than 16 MiB"), std::string::npos) << ex.transport_error;
  auto parsed = parse_reply(ex);
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().code, kis::errc::outcome_unknown); // the request had left
  EXPECT_LT(sent.load(), hundred_mib);
}

TEST(HostileServer, AnnouncedHundredMegabyteBodyIsRefusedBeforeItIsRead) {
  expect_cut_at_the_cap(false);
}

TEST(HostileServer, ChunkedHundredMegabyteBodyIsCutAtTheCap) {
  expect_cut_at_the_cap(true);
}

TEST(HostileServer, TricklingBodyEndsAtTheTotalTimeout) {
  loopback_server srv{[](const seen_request&, const loopback_server::writer& write) {
    if (!write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 64\r\n\r\n"))
      return;
    for (int i = 0; i < 64 && write("{"); ++i) // one byte a second
      std::this_thread::sleep_for(1s);
  }};
  transport_options opts;
  opts.total_timeout = 1500ms;
  http_transport t{opts};
  auto ex = t.perform(get(srv.url() + "/slow"));
  EXPECT_EQ(ex.http_status, 0);
  EXPECT_NE(ex.transport_error.find("timed out"), std::string::npos) << ex.transport_error;
  EXPECT_TRUE(ex.sent);
  EXPECT_EQ(parse_reply(ex).error().code, kis::errc::outcome_unknown);
}

kis::http_exchange answer_of(const std::string& body) {
  loopback_server srv{[&](const seen_request&) { return http_response(200, body); }};
  http_transport t;
  return t.perform(get(srv.url() + "/x"));
}

TEST(HostileServer, InvalidUtf8IsMalformed) {
  for (std::string bad : {std::string{"\xff\xfe"}, std::string{"\xc3\x28"},
                          std::string{"\xed\xa0\x80"}, std::string{"\xf8\x88\x80\x80\x80"}}) {
    auto ex = answer_of(R"({"rt_cd":"0","msg_cd":"MCA00000","msg1":")" + bad + R"("})");
    ASSERT_EQ(ex.http_status, 200);
    auto parsed = parse_reply(ex);
    ASSERT_FALSE(parsed);
    EXPECT_EQ(parsed.error().code, kis::errc::malformed);
    EXPECT_NE(parsed.error().message.find("not valid JSON"), std::string::npos);
  }
}

TEST(HostileServer, JsonNestedTenThousandDeepIsMalformed) {
  const int depth = 10'000;
  std::string arrays = std::string(depth, '[') + std::string(depth, ']');
  std::string objects;
  for (int i = 0; i < depth; ++i)
    objects += R"({"a":)";
  objects += "1" + std::string(depth, '}');
  for (const auto& body : {arrays, objects, R"({"rt_cd":"0","output":)" + objects + "}"}) {
    auto ex = answer_of(body);
    ASSERT_EQ(ex.http_status, 200);
    auto parsed = parse_reply(ex);
    ASSERT_FALSE(parsed);
    EXPECT_EQ(parsed.error().code, kis::errc::malformed);
  }
  // The limit is explicit and deep enough for every KIS answer.
  std::string ok;
  for (std::size_t i = 0; i + 1 < json::max_depth; ++i)
    ok += R"({"a":)";
  ok += "1" + std::string(json::max_depth - 1, '}');
  boost::system::error_code ec;
  (void)json::parse_untrusted(ok, ec);
  EXPECT_FALSE(ec) << ec.message();
}

} // namespace
