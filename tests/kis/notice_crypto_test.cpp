// Notice decryption against ciphertext made here with OpenSSL directly (not with the code
// under test), plus the control JSON: requests, acks, refusals, PINGPONG.
#include <memory>
#include <string>

#include <openssl/evp.h>

#include <gtest/gtest.h>

#include "kis/notice_crypto.hpp"
#include "kis/realtime_frames.hpp"

namespace {

using namespace kis;
using namespace kis::api;

const notice_cipher cipher{"0123456789abcdefghijklmnopqrstuv", "ABCDEFGHIJKLMNOP"};

// AES-256-CBC + PKCS#7 + base64, the way the KIS server does it.
std::string encrypt_like_kis(const std::string& plain, const notice_cipher& c) {
  std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx{EVP_CIPHER_CTX_new(),
                                                                      &EVP_CIPHER_CTX_free};
  std::string ct(plain.size() + 16, '\0');
  int n1 = 0;
  int n2 = 0;
  auto* out = reinterpret_cast<unsigned char*>(ct.data());
  EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_cbc(), nullptr,
                     reinterpret_cast<const unsigned char*>(c.key.data()),
                     reinterpret_cast<const unsigned char*>(c.iv.data()));
  EVP_EncryptUpdate(ctx.get(), out, &n1, reinterpret_cast<const unsigned char*>(plain.data()),
                    static_cast<int>(plain.size()));
  EVP_EncryptFinal_ex(ctx.get(), out + n1, &n2);
  ct.resize(static_cast<std::size_t>(n1 + n2));
  std::string b64(4 * ((ct.size() + 2) / 3) + 1, '\0');
  auto n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(b64.data()),
                           reinterpret_cast<const unsigned char*>(ct.data()),
                           static_cast<int>(ct.size()));
  b64.resize(static_cast<std::size_t>(n));
  return b64;
}

const std::string notice_plain =
    "hts1^12345678^0000012345^0000000000^02^0^00^0^005930^10^70100^093015^0^2^2^06590^10^"
    "홍길동^0^1^N^^^^삼성전자^70100";

TEST(NoticeCrypto, DecryptsAnEncryptedNoticeFrame) {
  auto frame = "1|H0STCNI0|001|" + encrypt_like_kis(notice_plain, cipher);
  auto f = split_frame(frame);
  ASSERT_TRUE(f);
  EXPECT_TRUE(f->encrypted);
  auto plain = decrypt_notice(f->payload, cipher);
  ASSERT_TRUE(plain) << plain.error().message;
  EXPECT_EQ(*plain, notice_plain);
  std::vector<execution_notice> out;
  ASSERT_TRUE(parse_notices(*plain, f->count, 0, out));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].name, "삼성전자");
  EXPECT_TRUE(out[0].is_fill);
}

TEST(NoticeCrypto, EncryptRoundTripsAndMatchesOpenSsl) {
  auto mine = encrypt_notice(notice_plain, cipher);
  ASSERT_TRUE(mine);
  EXPECT_EQ(*mine, encrypt_like_kis(notice_plain, cipher));
}

TEST(NoticeCrypto, BadInputIsTypedError) {
  auto good = encrypt_like_kis(notice_plain, cipher);
  auto wrong_key = cipher;
  wrong_key.key[0] = 'Z';
  auto r = decrypt_notice(good, wrong_key);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::malformed);
  EXPECT_EQ(r.error().message.find(wrong_key.key), std::string::npos); // key never in a message

  EXPECT_EQ(decrypt_notice("!!!!", cipher).error().code, errc::malformed);        // bad char
  EXPECT_EQ(decrypt_notice("QUJD=", cipher).error().code, errc::malformed);       // bad length
  EXPECT_EQ(decrypt_notice("QU=D", cipher).error().code, errc::malformed);        // '=' inside
  EXPECT_EQ(decrypt_notice("QUJD", cipher).error().code, errc::malformed);        // not a block
  EXPECT_EQ(decrypt_notice(good.substr(0, good.size() - 4), cipher).error().code, // truncated
            errc::malformed);
  EXPECT_EQ(decrypt_notice(good, {"short", "ABCDEFGHIJKLMNOP"}).error().code,
            errc::invalid_argument);
}

TEST(Base64, DecodesPadding) {
  EXPECT_EQ(*base64_decode("QQ=="), "A");
  EXPECT_EQ(*base64_decode("QUI="), "AB");
  EXPECT_EQ(*base64_decode("QUJD"), "ABC");
  EXPECT_EQ(base64_encode("AB"), "QUI=");
}

TEST(Control, SubscribeRequestHasTheDocumentedShape) {
  EXPECT_EQ(make_subscribe_request("APPROVAL", "P", "H0STCNT0", "005930"),
            R"({"header":{"approval_key":"APPROVAL","custtype":"P","tr_type":"1",)"
            R"("content-type":"utf-8"},"body":{"input":{"tr_id":"H0STCNT0","tr_key":"005930"}}})");
  auto un = make_subscribe_request("A", "B", "H0STASP0", "000660", false);
  EXPECT_NE(un.find(R"("tr_type":"2")"), std::string::npos);
}

TEST(Control, AckCarriesKeyAndIv) {
  auto r = parse_control(
      R"({"header":{"tr_id":"H0STASP0","tr_key":"005930","encrypt":"N"},"body":{"rt_cd":"0",)"
      R"("msg_cd":"OPSP0000","msg1":"SUBSCRIBE SUCCESS","output":{"iv":"ABCDEFGHIJKLMNOP",)"
      R"("key":"0123456789abcdefghijklmnopqrstuv"}}})");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->kind, control_kind::subscribed);
  EXPECT_EQ(r->tr_id, "H0STASP0");
  EXPECT_EQ(r->tr_key, "005930");
  EXPECT_FALSE(r->encrypted);
  EXPECT_EQ(r->key, cipher.key);
  EXPECT_EQ(r->iv, cipher.iv);
}

TEST(Control, PingPong) {
  const std::string ping = R"({"header":{"tr_id":"PINGPONG","datetime":"20241011121818"}})";
  EXPECT_TRUE(is_pingpong(ping));
  auto r = parse_control(ping);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->kind, control_kind::ping);
}

control_reply reply(const std::string& tr, const std::string& code, const std::string& msg) {
  auto r = parse_control(R"({"header":{"tr_id":")" + tr + R"(","tr_key":"005930"},"body":)" +
                         R"({"rt_cd":"1","msg_cd":")" + code + R"(","msg1":")" + msg + R"("}})");
  EXPECT_TRUE(r) << code;
  return r ? *r : control_reply{};
}

TEST(Control, OpspCodesBecomeTypedResults) {
  EXPECT_EQ(reply("H0STCNT0", "OPSP0002", "ALREADY IN SUBSCRIBE").kind,
            control_kind::already_subscribed);
  EXPECT_EQ(reply("H0STCNT0", "OPSP0001", "UNSUBSCRIBE SUCCESS").kind, control_kind::unsubscribed);
  auto cap = reply("H0STCNT0", "OPSP0008", "MAX SUBSCRIBE OVER");
  EXPECT_EQ(cap.kind, control_kind::refused);
  EXPECT_EQ(cap.refusal.code, errc::ws_cap_reached);
  EXPECT_EQ(cap.refusal.kis_code, "OPSP0008");
  EXPECT_EQ(reply("H0STCNT0", "OPSP0003", "UNSUBSCRIBE ERROR").refusal.code, errc::ws_refused);
  EXPECT_EQ(reply("H0STCNT0", "OPSP0007", "SUBSCRIBE INTERNAL ERROR").refusal.code,
            errc::server_error);
  EXPECT_EQ(reply("H0STCNT0", "OPSP0011", "invalid approval").refusal.code, errc::auth);
  EXPECT_EQ(reply("H0STCNT0", "OPSP8996", "ALREADY IN USE appkey").refusal.code, errc::auth);
  auto hts = parse_control(R"j({"header":{"tr_id":"(null)"},"body":{"rt_cd":"9",)j"
                           R"("msg_cd":"OPSP0017","msg1":"ERROR : htsid가잘못되었습니다"}})");
  ASSERT_TRUE(hts);
  EXPECT_EQ(hts->tr_id, "(null)");
  EXPECT_EQ(hts->kind, control_kind::refused);
  EXPECT_EQ(hts->refusal.code, errc::ws_refused);
}

TEST(Control, GarbageIsMalformed) {
  for (const char* text :
       {"", "{", "[]", R"({"body":{}})", R"({"header":{}})", R"({"header":{"tr_id":"H0STCNT0"}})",
        R"({"header":{"tr_id":"H0STCNT0"},"body":{"rt_cd":"0"}})"}) {
    auto r = parse_control(text);
    ASSERT_FALSE(r) << text;
    EXPECT_EQ(r.error().code, errc::malformed) << text;
  }
}

} // namespace
