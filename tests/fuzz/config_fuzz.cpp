// libFuzzer target: a TOML config file through the parser and the checks that follow it at
// start. Every input is either a config or a config_error that says what is wrong; nothing throws.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <variant>

#include "runtime/config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace kis::runtime;
  std::string_view text{reinterpret_cast<const char*>(data), size};
  auto parsed = parse_config(text, "fuzz.toml");
  if (auto* cfg = std::get_if<engine_config>(&parsed)) {
    // The TLS checks read the files a config names: not the parser's business, and a name
    // such as /dev/zero would only make the target read forever.
    cfg->cluster.tls_cert.clear();
    cfg->cluster.tls_key.clear();
    cfg->cluster.tls_ca.clear();
    (void)validate(*cfg);
  } else if (std::get<config_error>(parsed).message.empty()) {
    __builtin_trap(); // every refusal says what is wrong
  }
  return 0;
}
