// parse_reply: every status parsed, every KIS code classified, every bad body a typed error.
#include <gtest/gtest.h>

#include "kis/rest_codec.hpp"
#include "support/http_reply.hpp"

namespace {

using namespace kis::api;
using kis::errc;
using kis::test::reply;

api_error error_of(const kis::http_exchange& ex) {
  auto r = parse_reply(ex);
  EXPECT_FALSE(r) << ex.body;
  return r ? api_error{} : r.error();
}

// KIS-PROTOCOL.md §8, literally.
TEST(ParseReply, TokenTooSoon403) {
  auto e = error_of(reply(
      403,
      R"J({"error_description":"접근토큰 발급 잠시 후 다시 시도하세요(1분당 1회)","error_code":"EGW00133"})J"));
  EXPECT_EQ(e.code, errc::token_too_soon);
  EXPECT_EQ(e.kis_code, "EGW00133");
  EXPECT_EQ(e.http_status, 403);
  EXPECT_NE(e.message.find("1분당 1회"), std::string::npos);
}

TEST(ParseReply, RateLimit500) {
  auto e = error_of(
      reply(500, R"({"rt_cd":"1","msg_cd":"EGW00201","msg1":"초당 거래건수를 초과하였습니다."})"));
  EXPECT_EQ(e.code, errc::rate_limited);
  EXPECT_EQ(e.kis_code, "EGW00201");
  EXPECT_EQ(e.http_status, 500);
}

TEST(ParseReply, RateLimitInside200IsStillRateLimited) {
  auto e = error_of(reply(200, R"({"rt_cd":"1","msg_cd":"EGW00201","msg1":"x"})"));
  EXPECT_EQ(e.code, errc::rate_limited);
}

TEST(ParseReply, ExpiredToken) {
  auto e = error_of(
      reply(500, R"({"rt_cd":"1","msg_cd":"EGW00123","msg1":"기간이 만료된 token 입니다."})"));
  EXPECT_EQ(e.code, errc::token_expired);
}

TEST(ParseReply, OrderAcceptedAndRevoke) {
  auto ok = parse_reply(reply(
      200,
      R"({"rt_cd":"0","msg_cd":"APBK0013","msg1":"주문 전송 완료 되었습니다.","output":{"KRX_FWDG_ORD_ORGNO":"06590","ODNO":"0000006555","ORD_TMD":"151059"}})"));
  ASSERT_TRUE(ok);
  EXPECT_TRUE(ok->contains("output"));
  auto revoke =
      parse_reply(reply(200, R"({"code":200,"message":"접근토큰 폐기에 성공하였습니다"})"));
  EXPECT_TRUE(revoke);
  auto refused = parse_reply(reply(200, R"({"code":403,"message":"nope"})"));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, errc::rejected);
}

TEST(ParseReply, ClassifiesByCodeNotStatus) {
  struct row {
    const char* code;
    errc expect;
  };
  for (auto [code, expect] :
       {row{"EGW00121", errc::token_invalid}, row{"EGW00122", errc::token_invalid},
        row{"EGW00301", errc::outcome_unknown}, row{"EGW00302", errc::outcome_unknown},
        row{"EGW00102", errc::auth}, row{"EGW00103", errc::auth}, row{"EGW00105", errc::auth},
        row{"EGW2004", errc::auth}, row{"EGW02004", errc::auth},
        row{"EGW00001", errc::server_error}, row{"EGW00206", errc::server_error},
        row{"40580000", errc::rejected}, row{"APBK0918", errc::rejected}}) {
    for (int status : {200, 401, 500}) {
      auto e = error_of(
          reply(status, std::string{R"({"rt_cd":"1","msg_cd":")"} + code + R"(","msg1":"m"})"));
      EXPECT_EQ(e.code, expect) << code << " " << status;
      EXPECT_EQ(e.kis_code, code);
    }
  }
  auto invalid_key = error_of(
      reply(403, R"({"error_code":"EGW00103","error_description":"유효하지 않은 AppKey입니다."})"));
  EXPECT_EQ(invalid_key.code, errc::auth);
  EXPECT_EQ(classify_kis_code("OPSQ0001", false), errc::server_error);
}

TEST(ParseReply, BusinessRejectionKeepsMsgCd) {
  auto e = error_of(reply(
      200, R"({"rt_cd":"1","msg_cd":"40580000","msg1":"모의투자 장종료 입니다.","output":{}})"));
  EXPECT_EQ(e.code, errc::rejected);
  EXPECT_EQ(e.kis_code, "40580000");
  EXPECT_EQ(e.http_status, 200);
  EXPECT_NE(e.message.find("장종료"), std::string::npos);
}

TEST(ParseReply, SuccessShapeOnAnErrorStatusIsAServerError) {
  EXPECT_EQ(error_of(reply(502, R"({"rt_cd":"0","msg_cd":"MCA00000","msg1":""})")).code,
            errc::server_error);
  EXPECT_EQ(error_of(reply(503, R"({"unexpected":true})")).code, errc::server_error);
}

TEST(ParseReply, MalformedBodies) {
  std::string non_utf8 = "{\"rt_cd\":\"0\",\"msg1\":\"\xC3\x28\"}";
  std::string deep(100, '[');
  for (const std::string& body :
       {std::string{}, std::string{"{\"rt_cd\":\"0\",\"output\":{\"stck_prpr\":\"7"},
        std::string{"<html>502 Bad Gateway</html>"}, std::string{"[1,2]"}, std::string{"\"x\""},
        std::string{R"({"rt_cd":0})"}, non_utf8, deep, std::string{"{}garbage"}}) {
    for (int status : {200, 500}) {
      auto e = error_of(reply(status, body));
      EXPECT_EQ(e.code, errc::malformed) << body;
      EXPECT_EQ(e.http_status, status);
    }
  }
}

TEST(ParseReply, NoResponseDependsOnWhetherTheRequestLeft) {
  kis::http_exchange ex;
  ex.transport_error = "Failed to connect to 127.0.0.1 port 1: Connection refused";
  ex.sent = false;
  EXPECT_EQ(error_of(ex).code, errc::transport);
  ex.sent = true;
  ex.transport_error = "Operation timed out after 200 milliseconds";
  EXPECT_EQ(error_of(ex).code, errc::outcome_unknown);
}

TEST(ParseReply, EchoedTextIsCapped) {
  std::string long_msg(5000, 'x');
  auto e = error_of(reply(200, R"({"rt_cd":"1","msg_cd":"X1","msg1":")" + long_msg + R"("})"));
  EXPECT_LT(e.message.size(), 300u);
}

TEST(ParseReply, MalformedErrorsNeverEchoTheBody) {
  // A truncated token answer: the error must not repeat any part of the token.
  auto e = error_of(reply(200, R"({"access_token":"eyJ0eXAiOiJKV1Qi.SECRETPART)"));
  EXPECT_EQ(e.code, errc::malformed);
  EXPECT_EQ(e.message.find("SECRETPART"), std::string::npos);
  EXPECT_EQ(e.message.find("eyJ0"), std::string::npos);
}

} // namespace
