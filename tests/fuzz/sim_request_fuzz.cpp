// libFuzzer target: what kis-sim parses from its clients. 'W' + text: a WebSocket frame
// (register, unregister, PINGPONG echo). 'H' + lines: an HTTP request as plain values --
// method, target, "name: value" header lines, a blank line, the body -- handed to the
// simulator's gateway, whose answer must be a well-formed status. @APPKEY@, @APPSECRET@ and
// @TOKEN@ stand for the default credentials and a token issued at start, so inputs reach
// past the credential checks into the endpoints.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <boost/json/parse.hpp>

#include "kis/clock.hpp"
#include "sim/frames.hpp"
#include "sim/gateway.hpp"
#include "sim/server.hpp"

namespace {

using namespace kis::sim;

struct harness {
  std::shared_ptr<kis::manual_wall_clock> clock = std::make_shared<kis::manual_wall_clock>();
  std::unique_ptr<gateway> gw;
  std::string token;

  harness() {
    options o;
    o.rate_limit = 1'000'000; // the budget is not what this target explores
    o.clock = clock;
    gw = std::make_unique<gateway>(o);
    http_request r{"POST", "/oauth2/tokenP", {{"content-type", "application/json"}}, {}};
    r.body = std::string{R"({"grant_type":"client_credentials","appkey":")"} +
             std::string{default_app_key} + R"(","appsecret":")" + std::string{default_app_secret} +
             R"("})";
    auto answer = gw->handle(r);
    boost::system::error_code ec;
    auto v = boost::json::parse(answer.body, ec);
    if (!ec && v.is_object())
      if (const auto* t = v.as_object().if_contains("access_token"); t && t->is_string())
        token = std::string{t->as_string()};
  }

  std::string expand(std::string_view in) const {
    std::string out{in};
    for (auto [from, to] :
         {std::pair<std::string_view, std::string_view>{"@APPKEY@", default_app_key},
          {"@APPSECRET@", default_app_secret},
          {"@TOKEN@", token}})
      for (auto at = out.find(from); at != std::string::npos; at = out.find(from, at + to.size()))
        out.replace(at, from.size(), to);
    return out;
  }
};

std::string_view next_line(std::string_view& rest) {
  auto nl = rest.find('\n');
  auto line = rest.substr(0, nl);
  rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
  return line;
}

http_request to_request(std::string_view text) {
  http_request r;
  r.method = std::string{next_line(text)};
  r.target = std::string{next_line(text)};
  while (!text.empty()) {
    auto line = next_line(text);
    if (line.empty())
      break;
    auto colon = line.find(": ");
    if (colon == std::string_view::npos)
      continue;
    std::string name{line.substr(0, colon)};
    for (auto& c : name)
      c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    r.headers[name] = std::string{line.substr(colon + 2)};
  }
  r.body = std::string{text};
  return r;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static harness h;
  if (size == 0)
    return 0;
  std::string_view rest{reinterpret_cast<const char*>(data) + 1, size - 1};
  if (data[0] == 'W') {
    (void)frames::parse_inbound(rest);
    return 0;
  }
  if (data[0] != 'H')
    return 0;
  auto answer = h.gw->handle(to_request(h.expand(rest)));
  if (answer.status < 200 || answer.status > 599)
    __builtin_trap();
  h.clock->advance(std::chrono::milliseconds{1}); // the market and the windows move on
  return 0;
}
