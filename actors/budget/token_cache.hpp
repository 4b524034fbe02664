// The token keeper's cache file: one access token per environment and app key, shared by
// every process of that key so that none of them issues again (each issue pings the user's
// phone and KIS refuses a second within a minute). The file name carries a SHA-256 prefix of
// the app key, never the key; the file is written atomically with mode 0600.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "kis/endpoints.hpp"
#include "kis/result.hpp"
#include "messages/rest.hpp"

namespace kis {

struct cached_token {
  access_token token;             // value empty when only the issue time is known
  std::int64_t last_issue_ns = 0; // wall clock of the latest issue request, for the 60 s rule
};

// Lower-case hex SHA-256 (OpenSSL EVP).
std::string sha256_hex(std::string_view data);

// <dir>/kis-token-<env>-<first 16 hex digits of sha256(app_key)>.json
std::filesystem::path token_cache_path(const std::filesystem::path& dir, api::environment env,
                                       std::string_view app_key);

// Reads and checks a cache file. Errors (errc::malformed) say why it cannot be trusted: not
// JSON, wrong format, another environment or app key. A missing file is errc::not_supported.
api::result<cached_token> load_token_cache(const std::filesystem::path& file, api::environment env,
                                           std::string_view app_key);

// Writes through a temporary file in the same directory and renames it into place, so a
// reader sees the old file or the new one, never half of one. nullopt on success.
std::optional<api::api_error> store_token_cache(const std::filesystem::path& file,
                                                api::environment env, std::string_view app_key,
                                                const cached_token& entry);

} // namespace kis
