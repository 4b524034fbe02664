#include "kis/notice_crypto.hpp"

#include <array>
#include <memory>

#include <openssl/evp.h>

namespace kis::api {

namespace {

constexpr std::string_view alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<std::int8_t, 256> make_table() {
  std::array<std::int8_t, 256> t{};
  for (auto& v : t)
    v = -1;
  for (std::size_t i = 0; i < alphabet.size(); ++i)
    t[static_cast<unsigned char>(alphabet[i])] = static_cast<std::int8_t>(i);
  return t;
}
constexpr auto decode_table = make_table();

api::api_error crypto_error(errc code, std::string msg) {
  return api::make_api_error(code, "notice decryption: " + std::move(msg));
}

struct ctx_free {
  void operator()(EVP_CIPHER_CTX* c) const noexcept { EVP_CIPHER_CTX_free(c); }
};
using ctx_ptr = std::unique_ptr<EVP_CIPHER_CTX, ctx_free>;

const unsigned char* bytes(std::string_view s) noexcept {
  return reinterpret_cast<const unsigned char*>(s.data());
}

// One EVP pass in either direction; the caller checked the key and IV sizes.
api::result<std::string> run_cipher(std::string_view in, const notice_cipher& c, bool encrypt) {
  ctx_ptr ctx{EVP_CIPHER_CTX_new()};
  if (!ctx)
    return crypto_error(errc::server_error, "no cipher context");
  if (EVP_CipherInit_ex(ctx.get(), EVP_aes_256_cbc(), nullptr, bytes(c.key), bytes(c.iv),
                        encrypt ? 1 : 0) != 1)
    return crypto_error(errc::server_error, "cipher init failed");
  std::string out(in.size() + 16, '\0');
  int n1 = 0;
  int n2 = 0;
  auto* dst = reinterpret_cast<unsigned char*>(out.data());
  if (EVP_CipherUpdate(ctx.get(), dst, &n1, bytes(in), static_cast<int>(in.size())) != 1)
    return crypto_error(errc::malformed, "cipher update failed");
  if (EVP_CipherFinal_ex(ctx.get(), dst + n1, &n2) != 1)
    return crypto_error(errc::malformed, "bad padding (wrong key or corrupt ciphertext)");
  out.resize(static_cast<std::size_t>(n1 + n2));
  return out;
}

} // namespace

api::result<std::string> base64_decode(std::string_view text) {
  if (text.empty() || text.size() % 4 != 0)
    return crypto_error(errc::malformed, "base64 length is not a positive multiple of 4");
  std::size_t pad = 0;
  if (text.back() == '=')
    pad = text[text.size() - 2] == '=' ? 2 : 1;
  std::string out;
  out.reserve(text.size() / 4 * 3);
  std::uint32_t acc = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    std::int8_t v = 0;
    if (i >= text.size() - pad) {
      v = 0; // '=' at the end only
    } else {
      v = decode_table[static_cast<unsigned char>(text[i])];
      if (v < 0)
        return crypto_error(errc::malformed, "invalid base64 character at " + std::to_string(i));
    }
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    if (i % 4 == 3) {
      out.push_back(static_cast<char>((acc >> 16) & 0xff));
      out.push_back(static_cast<char>((acc >> 8) & 0xff));
      out.push_back(static_cast<char>(acc & 0xff));
      acc = 0;
    }
  }
  out.resize(out.size() - pad);
  return out;
}

std::string base64_encode(std::string_view in) {
  std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
  auto n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes(in),
                           static_cast<int>(in.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

api::result<std::string> decrypt_notice(std::string_view base64, const notice_cipher& cipher) {
  if (!cipher.valid())
    return crypto_error(errc::invalid_argument, "key must be 32 and iv 16 characters");
  auto raw = base64_decode(base64);
  if (!raw)
    return std::move(raw).error();
  if (raw->empty() || raw->size() % 16 != 0)
    return crypto_error(errc::malformed, "ciphertext is not a whole number of AES blocks");
  return run_cipher(*raw, cipher, false);
}

api::result<std::string> encrypt_notice(std::string_view plain, const notice_cipher& cipher) {
  if (!cipher.valid())
    return crypto_error(errc::invalid_argument, "key must be 32 and iv 16 characters");
  auto enc = run_cipher(plain, cipher, true);
  if (!enc)
    return enc;
  return base64_encode(*enc);
}

} // namespace kis::api
