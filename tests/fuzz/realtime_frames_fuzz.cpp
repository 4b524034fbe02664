// libFuzzer target: one WebSocket text frame through everything the feed does with it before
// it becomes a message (classify, split, the three record parsers, control JSON).
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "kis/realtime_frames.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace kis::api;
  std::string_view text{reinterpret_cast<const char*>(data), size};
  (void)is_pingpong(text);
  switch (classify(text)) {
  case frame_kind::control:
    (void)parse_control(text);
    break;
  case frame_kind::data: {
    auto frame = split_frame(text);
    if (!frame)
      break;
    // Every parser on every payload: a hostile server may label a frame with any tr_id.
    std::vector<kis::trade_tick> ticks;
    std::vector<kis::order_book> books;
    std::vector<kis::execution_notice> notices;
    auto t = parse_trades(frame->payload, frame->count, 1, ticks);
    auto b = parse_books(frame->payload, frame->count, "20260724", 1, books);
    auto n = parse_notices(frame->payload, frame->count, 1, notices);
    // Whole frame or nothing: a failed parse appends no record.
    if ((!t && !ticks.empty()) || (!b && !books.empty()) || (!n && !notices.empty()))
      __builtin_trap();
    break;
  }
  case frame_kind::unknown:
    break;
  }
  return 0;
}
