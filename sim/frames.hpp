// The simulator's side of the KIS real-time wire format (KIS-PROTOCOL.md §6): data frames
// `<enc>|<tr_id>|<count>|<payload>`, AES-256-CBC notice encryption, and the JSON control
// messages (requests in, OPSP replies and PINGPONG out). Plain code: no sockets, no Beast.
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "messages/market.hpp"
#include "messages/orders.hpp"

namespace kis::sim::frames {

inline constexpr std::string_view tr_trades = "H0STCNT0";
inline constexpr std::string_view tr_book = "H0STASP0";
inline constexpr std::string_view tr_trades_nxt = "H0NXCNT0"; // Nextrade and combined: real only
inline constexpr std::string_view tr_book_nxt = "H0NXASP0";
inline constexpr std::string_view tr_trades_combined = "H0UNCNT0";
inline constexpr std::string_view tr_book_combined = "H0UNASP0";
inline constexpr std::string_view tr_notice_real = "H0STCNI0";
inline constexpr std::string_view tr_notice_paper = "H0STCNI9";
inline constexpr std::string_view tr_pingpong = "PINGPONG";

inline constexpr std::size_t trade_fields = 46;
inline constexpr std::size_t book_fields = 59;
inline constexpr std::size_t wide_book_fields = 62; // + KMID_PRC, KMID_TOTAL_RSQN, KMID_CLS_CODE
inline constexpr std::size_t nxt_book_fields = 65;  // + NMID_PRC, NMID_TOTAL_RSQN, NMID_CLS_CODE
inline constexpr std::size_t notice_fields = 26;
inline constexpr std::size_t max_records_per_frame = 10; // a burst at the open is up to 8

// A market-data TR: trades or book, and whose (KRX, Nextrade, combined); nullopt for others.
struct market_tr {
  bool book = false;
  market_code market = market_code::krx;
};
std::optional<market_tr> market_tr_of(std::string_view tr_id) noexcept;
std::string_view tr_of(bool book, market_code m) noexcept;

// "0|H0STCNT0|002|" + payload: count is three digits, payload records joined by '^'.
std::string data_frame(bool encrypted, std::string_view tr_id, std::size_t count,
                       std::string_view payload);

// The running figures of one symbol that H0STCNT0 repeats with every trade: buy/sell counts
// and volumes, and when the day's open, high and low happened.
class trade_tape {
public:
  // Appends one 46-field record per trade to out ('^' between records too), updating the
  // tally trade by trade. top supplies ASKP_RSQN1/BIDP_RSQN1 and the book totals (may be null).
  void append(std::string& out, std::span<const kis::trade_tick> trades,
              const kis::order_book* top);

private:
  void record(std::string& out, const kis::trade_tick& t, const kis::order_book* top);

  std::int64_t sell_count_ = 0, buy_count_ = 0;
  std::int64_t sell_volume_ = 0, buy_volume_ = 0;
  std::int64_t open_ns_ = 0, high_ns_ = 0, low_ns_ = 0;
  std::int64_t high_ = 0, low_ = 0;
};

// One book record of `width` fields: 59 (H0STASP0 as documented), 62 (+ KMID_*, the 2026 live
// H0STASP0) or 65 (+ NMID_*, H0NXASP0 and H0UNASP0). prev is the previous snapshot sent for the
// symbol on that TR, for the *_ICDC change fields (0 on the first).
std::string book_record(const kis::order_book& book, std::size_t width,
                        const kis::order_book* prev);

// The 26-field H0STCNI0/H0STCNI9 record, before encryption. OODER_NO is ten zeros on a new
// order's records, as KIS sends it; ACNT_NAME is the account holder's name.
std::string notice_record(const kis::execution_notice& n, std::string_view account_name);

// base64(AES-256-CBC(PKCS#7)) with the ASCII bytes of key (32) and iv (16) as raw key/iv.
// Throws std::invalid_argument on other lengths (our own keys are always right).
std::string encrypt(std::string_view plain, std::string_view key, std::string_view iv);

// n random letters and digits, for ack iv/key.
std::string random_chars(std::mt19937_64& rng, std::size_t n);

// KIS's OPSP control codes as the simulator answers them.
struct opsp {
  std::string_view code;
  std::string_view rt_cd;
  std::string_view msg;
};
namespace code {
inline constexpr opsp subscribed{"OPSP0000", "0", "SUBSCRIBE SUCCESS"};
inline constexpr opsp unsubscribed{"OPSP0001", "0", "UNSUBSCRIBE SUCCESS"};
inline constexpr opsp already_subscribed{"OPSP0002", "1", "ALREADY IN SUBSCRIBE"};
inline constexpr opsp not_subscribed{"OPSP0003", "1", "UNSUBSCRIBE ERROR(not found!)"};
inline constexpr opsp max_over{"OPSP0008", "1", "MAX SUBSCRIBE OVER"};
inline constexpr opsp other_key{"OPSP0010", "1", "SUBSCRIBE WARNING : invalid appkey"};
inline constexpr opsp key_not_found{"OPSP0011", "9", "invalid approval : NOT FOUND"};
inline constexpr opsp wrong_hts_id{"OPSP0017", "9", "ERROR : htsid가잘못되었습니다"};
inline constexpr opsp bad_tr_id{"OPSP8991", "9", "SUBSCRIBE ERROR : invalid tr_id"};
inline constexpr opsp bad_tr_key{"OPSP8992", "9", "SUBSCRIBE ERROR : invalid tr_key"};
inline constexpr opsp key_in_use{"OPSP8996", "1", "ALREADY IN USE appkey"};
inline constexpr opsp bad_tr_type{"OPSP8997", "9", "JSON PARSING ERROR : invalid tr_type"};
inline constexpr opsp bad_custtype{"OPSP8998", "9", "JSON PARSING ERROR : invalid custtype"};
inline constexpr opsp no_tr_key{"OPSP9990", "9", "JSON PARSING ERROR : tr_key not found"};
inline constexpr opsp no_input{"OPSP9991", "9", "JSON PARSING ERROR : input not found"};
inline constexpr opsp no_body{"OPSP9992", "9", "JSON PARSING ERROR : body not found"};
inline constexpr opsp no_key{"OPSP9996", "9", "JSON PARSING ERROR : appkey not found"};
inline constexpr opsp no_custtype{"OPSP9997", "9", "JSON PARSING ERROR : custtype not found"};
inline constexpr opsp no_header{"OPSP9998", "9", "JSON PARSING ERROR : header not found"};
inline constexpr opsp bad_json{"OPSP9999", "9", "JSON PARSING ERROR : invalid json format"};
} // namespace code

// A client's register (tr_type 1) or unregister (2) message.
struct request {
  std::string approval_key;
  std::string tr_id;
  std::string tr_key;
  bool subscribe = true;
};

// A request we refuse before looking at sessions; tr_id/tr_key as far as they were readable.
struct parse_refusal {
  opsp why;
  std::string tr_id;
  std::string tr_key;
};

// What a client's text frame was.
struct pingpong_echo {};
using inbound = std::variant<request, parse_refusal, pingpong_echo>;
inbound parse_inbound(std::string_view text);

// {"header":{tr_id,tr_key,encrypt},"body":{rt_cd,msg_cd,msg1,output:{iv,key}}}: the ack.
std::string ack(const opsp& c, std::string_view tr_id, std::string_view tr_key, bool encrypted,
                std::string_view iv, std::string_view key);
// A refusal. tr_id empty -> "(null)" and no tr_key, as KIS does for OPSP0017.
std::string refusal(const opsp& c, std::string_view tr_id, std::string_view tr_key);
// {"header":{"tr_id":"PINGPONG","datetime":"YYYYMMDDHHMMSS"}} in KST.
std::string pingpong(std::int64_t utc_ns);

} // namespace kis::sim::frames
