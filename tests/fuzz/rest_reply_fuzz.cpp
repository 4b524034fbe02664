// libFuzzer target: a REST reply body through parse_reply (as a 200 and as a 500 answer) and,
// when it is an object, every decoder the gateway uses (with and without a continuation).
#include <cstddef>
#include <cstdint>
#include <string>

#include "kis/rest_codec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace kis::api;
  kis::http_exchange ex;
  ex.body.assign(reinterpret_cast<const char*>(data), size);
  ex.sent = true;
  ex.http_status = 500;
  (void)parse_reply(ex);
  ex.http_status = 200;
  auto root = parse_reply(ex);
  if (!root)
    return 0;
  const auto& obj = *root;
  const std::int64_t now = 1'767'225'600'000'000'000;
  kis::chart_query q{"005930", 20260101, 20260301, 'D', true, "J"};
  (void)decode_quote(obj, "005930", now);
  (void)decode_daily_prices(obj, "005930");
  (void)decode_chart(obj, q);
  (void)decode_order_ack(obj, "c1");
  (void)decode_buyable(obj, "005930");
  (void)decode_token(obj, now);
  (void)decode_approval(obj, now);
  (void)decode_hashkey(obj);
  for (const char* cont : {"", "M", "F", "D"}) {
    auto bal = decode_balance(obj, cont);
    (void)decode_fills(obj, cont);
    if (bal) {
      kis::balance sum;
      merge_balance(sum, std::move(bal->value));
    }
  }
  return 0;
}
