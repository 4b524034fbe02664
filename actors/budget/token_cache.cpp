#include "actors/budget/token_cache.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <openssl/evp.h>

namespace kis {

namespace {

constexpr std::string_view format_tag = "kis-token-cache/1";

api::api_error bad(const std::filesystem::path& file, std::string why) {
  return api::make_api_error(errc::malformed,
                             "token cache " + file.filename().string() + ": " + std::move(why));
}

// Optional integer member; a wrong type makes the whole file untrusted.
bool read_int(const boost::json::object& o, std::string_view key, std::int64_t& out) {
  auto* v = o.if_contains(key);
  if (v == nullptr)
    return true;
  if (!v->is_int64())
    return false;
  out = v->get_int64();
  return true;
}

bool read_string(const boost::json::object& o, std::string_view key, std::string& out) {
  auto* v = o.if_contains(key);
  if (v == nullptr)
    return true;
  if (!v->is_string())
    return false;
  out = std::string{v->get_string()};
  return true;
}

} // namespace

std::string sha256_hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr) != 1)
    return {};
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(len * 2);
  for (unsigned int i = 0; i < len; ++i) {
    out.push_back(digits[md[i] >> 4]);
    out.push_back(digits[md[i] & 0xf]);
  }
  return out;
}

std::filesystem::path token_cache_path(const std::filesystem::path& dir, api::environment env,
                                       std::string_view app_key) {
  return dir / ("kis-token-" + std::string{api::to_string_view(env)} + "-" +
                sha256_hex(app_key).substr(0, 16) + ".json");
}

api::result<cached_token> load_token_cache(const std::filesystem::path& file, api::environment env,
                                           std::string_view app_key) {
  std::ifstream in{file, std::ios::binary};
  if (!in)
    return api::make_api_error(errc::not_supported, "no token cache file");
  std::ostringstream text;
  text << in.rdbuf();
  boost::system::error_code ec;
  auto doc = boost::json::parse(text.str(), ec);
  if (ec || !doc.is_object())
    return bad(file, "not a JSON object");
  const auto& o = doc.get_object();
  std::string tag, env_name, key_hash;
  cached_token entry;
  if (!read_string(o, "format", tag) || !read_string(o, "env", env_name) ||
      !read_string(o, "key_sha256", key_hash) ||
      !read_string(o, "access_token", entry.token.value) ||
      !read_string(o, "token_type", entry.token.type) ||
      !read_int(o, "issued_ns", entry.token.issued_ns) ||
      !read_int(o, "expires_ns", entry.token.expires_ns) ||
      !read_int(o, "last_issue_ns", entry.last_issue_ns))
    return bad(file, "a field has the wrong type");
  if (tag != format_tag)
    return bad(file, "unknown format");
  if (env_name != api::to_string_view(env) || key_hash != sha256_hex(app_key))
    return bad(file, "belongs to another environment or app key");
  if (!entry.token.value.empty() && entry.token.expires_ns <= entry.token.issued_ns)
    return bad(file, "expiry before issue");
  return entry;
}

std::optional<api::api_error> store_token_cache(const std::filesystem::path& file,
                                                api::environment env, std::string_view app_key,
                                                const cached_token& entry) {
  boost::json::object o;
  o["format"] = format_tag;
  o["env"] = api::to_string_view(env);
  o["key_sha256"] = sha256_hex(app_key);
  o["access_token"] = entry.token.value;
  o["token_type"] = entry.token.type;
  o["issued_ns"] = entry.token.issued_ns;
  o["expires_ns"] = entry.token.expires_ns;
  o["last_issue_ns"] = entry.last_issue_ns;
  const auto text = boost::json::serialize(o);
  std::error_code fs_ec;
  if (file.has_parent_path()) {
    std::filesystem::create_directories(file.parent_path(), fs_ec);
    if (fs_ec)
      return api::make_api_error(errc::config, "token cache directory: " + fs_ec.message());
  }
  auto tmp = file;
  tmp += ".tmp." + std::to_string(::getpid());
  // 0600 from the first byte: the token is never readable by anyone else, not even briefly.
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, S_IRUSR | S_IWUSR);
  if (fd < 0)
    return api::make_api_error(errc::config,
                               std::string{"token cache temp file: "} + std::strerror(errno));
  bool ok = ::fchmod(fd, S_IRUSR | S_IWUSR) == 0;
  std::size_t off = 0;
  while (ok && off < text.size()) {
    const auto n = ::write(fd, text.data() + off, text.size() - off);
    if (n < 0 && errno == EINTR)
      continue;
    ok = n > 0;
    if (ok)
      off += static_cast<std::size_t>(n);
  }
  ok = ok && ::fsync(fd) == 0;
  ok = (::close(fd) == 0) && ok;
  if (!ok || std::rename(tmp.c_str(), file.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    ::unlink(tmp.c_str());
    return api::make_api_error(errc::config, "token cache write failed: " + why);
  }
  return std::nullopt;
}

} // namespace kis
