#!/usr/bin/env python3
"""Writes the fuzz seed corpora (tests/fuzz/corpus/<target>/) from the captured frames, bodies
and config snippets that the unit tests already hold as C++ string literals, plus the example
config. Run it again after adding captured material to the tests; libFuzzer minimizes the rest.

    python3 tests/fuzz/seeds_from_tests.py
"""
import hashlib
import pathlib
import re
import subprocess

root = pathlib.Path(__file__).resolve().parents[2]
corpus = root / "tests" / "fuzz" / "corpus"

# One C++ string literal: "..." with escapes, or R"(...)"; adjacent ones concatenate.
literal = r'(?:R"\((?:.|\n)*?\)"|"(?:[^"\\\n]|\\.)*")'
sequence = re.compile(r"%s(?:\s*%s)*" % (literal, literal))
piece = re.compile(literal)
escapes = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "'": "'", "0": "\0"}


def unescape(text):
    out, i = [], 0
    while i < len(text):
        c = text[i]
        if c == "\\" and i + 1 < len(text):
            out.append(escapes.get(text[i + 1], text[i + 1]))
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def literals(path):
    src = path.read_text(encoding="utf-8")
    for m in sequence.finditer(src):
        parts = []
        for p in piece.findall(m.group(0)):
            parts.append(p[3:-2] if p.startswith('R"(') else unescape(p[1:-1]))
        yield "".join(parts)


def write(target, data):
    d = corpus / target
    d.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    (d / hashlib.sha1(data).hexdigest()[:16]).write_bytes(data)


def tests(*names):
    for n in names:
        yield from literals(root / "tests" / n)


# Real-time frames and control JSON.
frames = [s for s in tests("kis/realtime_frames_test.cpp", "kis/notice_crypto_test.cpp",
                           "feed/ws_feed_test.cpp", "sim/frames_test.cpp")
          if re.match(r"^[01]\|H0|^\{\"header\"", s)]
for f in frames:
    write("realtime_frames", f)

# Notices: mode byte 'p' + plaintext records (encrypted, decrypted and parsed by the target);
# mode 'c' + base64 ciphertext under the target's fixed key (what the sim sends).
key, iv = "0123456789abcdefghijABCDEFGHIJ01", "ivivivivivivivi1"
plains = [s for s in tests("kis/notice_crypto_test.cpp", "feed/ws_feed_test.cpp",
                           "sim/frames_test.cpp") if s.count("^") >= 10]
for p in plains:
    write("notice_crypto", "p" + p)
    enc = subprocess.run(["openssl", "enc", "-aes-256-cbc", "-K", key.encode().hex(), "-iv",
                          iv.encode().hex(), "-base64", "-A"], input=p.encode(),
                         capture_output=True, check=True).stdout
    write("notice_crypto", b"c" + enc)

# REST reply bodies (the target runs every decoder on each).
for s in tests("kis/decode_test.cpp", "kis/reply_test.cpp", "sim/gateway_test.cpp",
               "kis/transport_test.cpp"):
    if s.lstrip().startswith("{"):
        write("rest_reply", s)

# Config files.
write("config", (root / "config" / "engine.example.toml").read_text(encoding="utf-8"))
write("config", (root / "tests" / "runtime" / "data" / "misspelt_key.toml").read_text())
for s in tests("runtime/config_test.cpp"):
    if "=" in s or s.startswith("["):
        write("config", s)

# kis-sim requests: 'W' + a WebSocket text frame, or 'H' + an HTTP request in the target's
# line format (method, target, header lines, blank line, body); @TOKEN@ and @APPKEY@ are
# replaced by a token the target issued at start and by the default app key.
for s in tests("sim/frames_test.cpp", "sim/ws_server_test.cpp", "feed/ws_feed_test.cpp"):
    if s.startswith('{"header"'):
        write("sim_request", "W" + s)
common = ("appkey: @APPKEY@\nappsecret: @APPSECRET@\nauthorization: Bearer @TOKEN@\n"
          "custtype: P\ncontent-type: application/json\n")
requests = [
    ("GET", "/uapi/domestic-stock/v1/quotations/inquire-price?FID_COND_MRKT_DIV_CODE=J"
            "&FID_INPUT_ISCD=005930", "FHKST01010100", ""),
    ("GET", "/uapi/domestic-stock/v1/quotations/inquire-daily-itemchartprice?"
            "FID_COND_MRKT_DIV_CODE=J&FID_INPUT_ISCD=005930&FID_INPUT_DATE_1=20260101"
            "&FID_INPUT_DATE_2=20260301&FID_PERIOD_DIV_CODE=D&FID_ORG_ADJ_PRC=0", "FHKST03010100",
     ""),
    ("POST", "/uapi/domestic-stock/v1/trading/order-cash", "TTTC0012U",
     '{"CANO":"50000000","ACNT_PRDT_CD":"01","PDNO":"005930","ORD_DVSN":"00","ORD_QTY":"1",'
     '"ORD_UNPR":"70000"}'),
    ("GET", "/uapi/domestic-stock/v1/trading/inquire-balance?CANO=50000000&ACNT_PRDT_CD=01"
            "&AFHR_FLPR_YN=N&OFL_YN=&INQR_DVSN=02&UNPR_DVSN=01&FUND_STTL_ICLD_YN=N"
            "&FNCG_AMT_AUTO_RDPT_YN=N&PRCS_DVSN=00&CTX_AREA_FK100=&CTX_AREA_NK100=", "TTTC8434R",
     ""),
    ("POST", "/oauth2/tokenP", "",
     '{"grant_type":"client_credentials","appkey":"@APPKEY@","appsecret":"@APPSECRET@"}'),
    ("POST", "/oauth2/Approval", "",
     '{"grant_type":"client_credentials","appkey":"@APPKEY@","secretkey":"@APPSECRET@"}'),
]
for method, target, tr_id, body in requests:
    head = common + (f"tr_id: {tr_id}\n" if tr_id else "")
    write("sim_request", f"H{method}\n{target}\n{head}\n{body}")
# The recording target writes its own seeds (real chunks from the recorder's encoder):
#   KIS_FUZZ_WRITE_SEEDS=tests/fuzz/corpus/recording build/release/fuzz-clang/recording_fuzz
print("seeds written under", corpus)
