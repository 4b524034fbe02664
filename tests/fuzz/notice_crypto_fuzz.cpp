// libFuzzer target: execution-notice decryption. 'c' + text: base64 ciphertext decrypted with
// a fixed key (bad base64, bad padding and wrong sizes must be typed errors). Anything else:
// the bytes are a plaintext that must survive encrypt -> decrypt unchanged, then parse.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "kis/notice_crypto.hpp"
#include "kis/realtime_frames.hpp"

namespace {

const kis::api::notice_cipher cipher{"0123456789abcdefghijABCDEFGHIJ01", "ivivivivivivivi1"};

void parse(std::string_view plain) {
  std::vector<kis::execution_notice> out;
  for (std::uint32_t count : {1u, 2u})
    (void)kis::api::parse_notices(plain, count, 1, out);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace kis::api;
  if (size == 0)
    return 0;
  std::string_view rest{reinterpret_cast<const char*>(data) + 1, size - 1};
  if (data[0] == 'c') {
    if (auto plain = decrypt_notice(rest, cipher))
      parse(*plain);
    (void)base64_decode(rest);
    // A key or IV of the wrong size is refused, never used.
    if (decrypt_notice(rest, notice_cipher{std::string{rest.substr(0, 31)}, cipher.iv}))
      __builtin_trap();
    return 0;
  }
  auto sealed = encrypt_notice(rest, cipher);
  if (!sealed)
    __builtin_trap();
  auto opened = decrypt_notice(*sealed, cipher);
  if (!opened || *opened != rest)
    __builtin_trap();
  auto raw = base64_decode(base64_encode(rest)); // empty text is refused by design
  if (!rest.empty() && (!raw || *raw != rest))
    __builtin_trap();
  parse(rest);
  return 0;
}
