// The order server's answers in KIS's words, and the ORD_DVSN helpers the exchange's rules
// share (exchange.cpp, exchange_venues.cpp). Codes other than those named as observed are the
// simulator's own (KIS-PROTOCOL.md §5.2, §9.2).
#pragma once

#include <string>
#include <string_view>

#include "sim/exchange.hpp"

namespace kis::sim::answers {

inline verdict reject(std::string code, std::string text) {
  return verdict{false, std::move(code), std::move(text)};
}

// Order-server answers. 40580000 and APBK0952 are observed KIS codes; the rest are ours.
inline verdict closed_market(bool paper) {
  return reject("40580000", paper ? "모의투자 장종료 입니다." : "장운영시간이 아닙니다.");
}
inline verdict bad_account() {
  return reject("OPSQ2000", "ERROR : INPUT INVALID_CHECK_ACNO");
}
inline verdict unknown_symbol() {
  return reject("40100000", "종목코드를 확인하십시오.");
}
inline verdict bad_kind() {
  return reject("40340000", "지원하지 않는 주문구분입니다.");
}
inline verdict bad_qty() {
  return reject("40310000", "주문수량을 확인하십시오.");
}
inline verdict bad_tick() {
  return reject("40320000", "호가단위에 맞지 않는 주문단가입니다.");
}
inline verdict out_of_band() {
  return reject("40330000", "상하한가를 벗어난 주문단가입니다.");
}
inline verdict no_cash() {
  return reject("APBK0952", "주문가능금액을 초과 했습니다");
}
inline verdict no_shares() {
  return reject("40360000", "주문가능수량을 초과 했습니다.");
}
inline verdict nothing_to_revise() {
  return reject("40350000", "정정취소 가능수량이 없습니다.");
}
inline verdict market_with_price() {
  return reject("40370000", "시장가 주문은 주문단가를 0으로 입력하십시오.");
}
// Venue refusals: KIS's codes and texts for these are UNCONFIRMED (KIS-PROTOCOL.md §9.8);
// these are the simulator's guesses.
inline verdict paper_krx_only() {
  return reject("40570000", "모의투자는 KRX 주문만 가능합니다.");
}
inline verdict not_on_nxt() {
  return reject("40390000", "넥스트레이드 거래대상 종목이 아닙니다.");
}
inline verdict other_venue() {
  return reject("40410000", "원주문의 거래소구분과 다릅니다.");
}
// Observed (3P, KIS-PROTOCOL.md §9.2): a market order KRX cannot take now, and a kind the
// pre/after-market does not take (the pre-market text is the after-market's, guessed).
inline verdict no_market_order() {
  return reject("APBK1943", "시장가호가불가로 주문이 불가합니다.");
}
inline verdict extended_kinds_only(bool after) {
  return reject("APBK3013", after ? "[애프터마켓]지정가 및 최유리/최우선지정가 주문만 가능합니다."
                                  : "[프리마켓]지정가 및 최유리/최우선지정가 주문만 가능합니다.");
}

// The acks: one code on the real server, one per kind of order on paper (captured).
inline verdict accepted(bool paper, std::string_view what) {
  if (!paper)
    return {true, "APBK0013", "주문 전송 완료 되었습니다."};
  if (what == "buy")
    return {true, "40600000", "모의투자 매수주문이 완료 되었습니다."};
  if (what == "sell")
    return {true, "40590000", "모의투자 매도주문이 완료 되었습니다."};
  if (what == "revise")
    return {true, "40620000", "모의투자 정정주문이 완료 되었습니다."};
  return {true, "40630000", "모의투자 취소주문이 완료 되었습니다."};
}

inline bool market_kind(std::string_view kind) noexcept {
  return kind == "01";
}

// 03 best limit and 04 top-of-book limit take their price from the book when they arrive.
inline bool book_priced(std::string_view kind) noexcept {
  return kind == "03" || kind == "04";
}

inline unsigned kind_number(std::string_view kind) noexcept {
  return kind.size() == 2 && kind[0] >= '0' && kind[0] <= '9' && kind[1] >= '0' && kind[1] <= '9'
             ? static_cast<unsigned>((kind[0] - '0') * 10 + (kind[1] - '0'))
             : 99U;
}

} // namespace kis::sim::answers
