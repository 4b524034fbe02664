// Execution notices arrive as base64 of AES-256-CBC (PKCS#7) ciphertext (KIS-PROTOCOL.md §6.5).
// The key is the 32 ASCII characters of the ack's output.key used as raw bytes, the IV the 16
// characters of output.iv. Keys are session material: never logged, never in an error message.
#pragma once

#include <string>
#include <string_view>

#include "kis/result.hpp"

namespace kis::api {

inline constexpr std::size_t notice_key_size = 32;
inline constexpr std::size_t notice_iv_size = 16;

// Key and IV of one tr_id, from the latest subscribe ack.
struct notice_cipher {
  std::string key;
  std::string iv;
  bool valid() const noexcept {
    return key.size() == notice_key_size && iv.size() == notice_iv_size;
  }
};

// Strict RFC 4648 base64 (padding required, no whitespace): errc::malformed otherwise.
api::result<std::string> base64_decode(std::string_view text);
std::string base64_encode(std::string_view bytes);

// base64 -> plaintext. Bad base64, a key/IV of the wrong size or a bad padding (which is what
// a wrong key usually produces) are typed errors.
api::result<std::string> decrypt_notice(std::string_view base64, const notice_cipher& cipher);

// plaintext -> base64, as the server does it (the simulator sends notices with this).
api::result<std::string> encrypt_notice(std::string_view plain, const notice_cipher& cipher);

} // namespace kis::api
