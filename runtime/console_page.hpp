// The live console the metrics port serves at `/`: one self-contained HTML page (no CDN, no
// JavaScript library) that reads /metrics.json every second.
#pragma once

#include <string_view>

namespace kis {

std::string_view console_page();

} // namespace kis
