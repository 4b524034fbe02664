// The KIS real-time protocol (KIS-PROTOCOL.md §6): data frames `<enc>|<tr_id>|<NNN>|<payload>`,
// control JSON (register / unregister requests, acks, refusals, PINGPONG). No actors, no I/O.
// Data parsing is zero-copy: string views into the frame; only the output structs allocate.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kis/result.hpp"
#include "messages/market.hpp"
#include "messages/orders.hpp"
#include "messages/realtime.hpp"

namespace kis::api {

// Real-time TRs the engine speaks (§6.7-6.9, §9.5): KRX, Nextrade and both combined. The NXT
// and combined TRs exist on the real server only.
inline constexpr std::string_view tr_trades = "H0STCNT0";
inline constexpr std::string_view tr_book = "H0STASP0";
inline constexpr std::string_view tr_trades_nxt = "H0NXCNT0";
inline constexpr std::string_view tr_book_nxt = "H0NXASP0";
inline constexpr std::string_view tr_trades_combined = "H0UNCNT0";
inline constexpr std::string_view tr_book_combined = "H0UNASP0";
inline constexpr std::string_view tr_notice_real = "H0STCNI0";
inline constexpr std::string_view tr_notice_paper = "H0STCNI9";

// Documented field counts per record; servers may append more (kept and ignored).
inline constexpr std::size_t trade_fields = 46;      // all three markets
inline constexpr std::size_t book_fields = 59;       // H0STASP0 as documented
inline constexpr std::size_t book_fields_kmid = 62;  // + KMID_PRC, KMID_TOTAL_RSQN, KMID_CLS_CODE
inline constexpr std::size_t book_fields_nxt = 65;   // H0NXASP0/H0UNASP0: + NMID_* as well
inline constexpr std::size_t notice_fields = 26;     // layout since 2025-07
inline constexpr std::size_t notice_fields_old = 23; // older layout, still served by some

// The tr_id that carries a channel; notices differ between real and paper. With a market: the
// TR family of trades and books (H0ST.., H0NX.., H0UN..); notices ignore the market.
std::string_view tr_id_of(feed_channel ch, bool paper) noexcept;
std::string_view tr_id_of(feed_channel ch, market_code m, bool paper) noexcept;
bool is_notice_tr(std::string_view tr_id) noexcept;

// What a tr_id carries: its channel and market; nullopt for a TR the engine does not speak.
struct tr_info {
  feed_channel channel = feed_channel::trades;
  market_code market = market_code::krx;
};
std::optional<tr_info> describe_tr(std::string_view tr_id) noexcept;

// What the first byte of a text frame says it is.
enum class frame_kind : std::uint8_t { data, control, unknown };
frame_kind classify(std::string_view text) noexcept;

// A data frame split into its four parts; every view points into the original text.
struct data_frame {
  bool encrypted = false;
  std::string_view tr_id;
  std::uint32_t count = 0; // records in the payload
  std::string_view payload;
};

// Splits at most three times on '|'; the count must be three digits and at least 1.
result<data_frame> split_frame(std::string_view text);

// Each parser appends one value per record, or nothing at all on error (whole frame or none).
// Records are chunked by total fields / count, so undocumented trailing fields are tolerated.
// received_ns stamps every value (the caller's clock); market says which TR family the frame
// came from (describe_tr) and is stamped on every value.
result<std::size_t> parse_trades(std::string_view payload, std::uint32_t count,
                                 std::int64_t received_ns, std::vector<trade_tick>& out,
                                 market_code market = market_code::krx);

// Order-book records carry a time of day only; kst_date (YYYYMMDD) supplies the day. Records
// of 59 fields and more are read; KMID_PRC (field 59) and NMID_PRC (field 62) fill the mid
// prices where the record is that wide (an unreadable mid is 0: their place in the 62-field
// H0STASP0 record is inferred, KIS-PROTOCOL.md §6.8).
result<std::size_t> parse_books(std::string_view payload, std::uint32_t count,
                                std::string_view kst_date, std::int64_t received_ns,
                                std::vector<order_book>& out,
                                market_code market = market_code::krx);

// Plaintext notice records (after decryption); the 26- or 23-field layout by field count. The
// 26-field layout says where the order executed (ORD_EXG_GB, field 19); an unknown code there
// is exec_venue::unknown, never a lost notice.
result<std::size_t> parse_notices(std::string_view payload, std::uint32_t count,
                                  std::int64_t received_ns, std::vector<execution_notice>& out);

// --- control JSON -------------------------------------------------------------------------

// The register (tr_type "1") or unregister ("2") request. The approval key goes on the wire
// only; never log the returned text.
std::string make_subscribe_request(std::string_view approval_key, std::string_view custtype,
                                   std::string_view tr_id, std::string_view tr_key,
                                   bool subscribe = true);

enum class control_kind : std::uint8_t {
  ping,               // {"header":{"tr_id":"PINGPONG",...}}
  subscribed,         // OPSP0000
  already_subscribed, // OPSP0002: harmless, counts as success
  unsubscribed,       // OPSP0001
  refused,            // any other OPSP code; see `refusal`
};

struct control_reply {
  control_kind kind = control_kind::refused;
  std::string tr_id; // "(null)" on OPSP0017
  std::string tr_key;
  std::string msg_cd;
  std::string msg1;
  bool encrypted = false; // header.encrypt == "Y"
  std::string key;        // output.key (32 chars) when present
  std::string iv;         // output.iv (16 chars) when present
  api_error refusal;      // kind == refused: ws_cap_reached (OPSP0008), auth, ws_refused, ...
};

// A parse failure (not JSON, no header, no tr_id, ...) is errc::malformed.
result<control_reply> parse_control(std::string_view text);

// Cheap check for the heartbeat, without a full JSON parse.
bool is_pingpong(std::string_view text) noexcept;

// The typed error for an OPSP code that is not a success.
api_error refusal_for(std::string_view msg_cd, std::string_view msg1);

} // namespace kis::api
