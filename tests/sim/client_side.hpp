// The client's half of notice encryption, written independently of sim/frames.cpp so that the
// tests check the simulator against OpenSSL rather than against itself.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <openssl/evp.h>

namespace kis::sim::test {

inline std::optional<std::string> decrypt_notice(std::string_view b64, std::string_view key,
                                                 std::string_view iv) {
  if (b64.empty() || b64.size() % 4 != 0 || key.size() != 32 || iv.size() != 16)
    return std::nullopt;
  std::vector<unsigned char> raw(b64.size() / 4 * 3);
  const int n = EVP_DecodeBlock(raw.data(), reinterpret_cast<const unsigned char*>(b64.data()),
                                static_cast<int>(b64.size()));
  if (n < 0)
    return std::nullopt;
  // EVP_DecodeBlock counts the bytes that '=' padding stands for; drop them.
  std::size_t len = static_cast<std::size_t>(n);
  for (auto it = b64.rbegin(); it != b64.rend() && *it == '='; ++it)
    --len;
  std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx{EVP_CIPHER_CTX_new(),
                                                                      &EVP_CIPHER_CTX_free};
  std::string plain(len + 16, '\0');
  auto* out = reinterpret_cast<unsigned char*>(plain.data());
  int part = 0, tail = 0;
  if (EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_cbc(), nullptr,
                         reinterpret_cast<const unsigned char*>(key.data()),
                         reinterpret_cast<const unsigned char*>(iv.data())) != 1 ||
      EVP_DecryptUpdate(ctx.get(), out, &part, raw.data(), static_cast<int>(len)) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), out + part, &tail) != 1)
    return std::nullopt;
  plain.resize(static_cast<std::size_t>(part + tail));
  return plain;
}

inline std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (;;) {
    const auto pos = s.find(sep, start);
    out.emplace_back(s.substr(start, pos == std::string_view::npos ? pos : pos - start));
    if (pos == std::string_view::npos)
      return out;
    start = pos + 1;
  }
}

} // namespace kis::sim::test
