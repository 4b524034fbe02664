#!/usr/bin/env python3
"""Runs KIS's official samples unchanged against kis-sim (a manual check, not a ctest).

The samples are koreainvestment/open-trading-api's `examples_user` (kis_auth.py and the
domestic-stock REST and WebSocket functions). Nothing of them is copied here: this script
starts kis-sim, writes the samples' own config file (kis_devlp.yaml) into a throw-away HOME so
that their "real" and "paper" domains point at kis-sim, then imports their modules as a user
would and calls the domestic-stock functions kis-sim serves. Each call prints OK or FAIL.

Needs python3 with requests, pyyaml, websockets, pycryptodome and pandas (Debian:
python3-requests python3-yaml python3-websockets python3-pycryptodome python3-pandas). Debian
names pycryptodome's package `Cryptodome`; when `Crypto` is missing, the throw-away HOME gets
a two-line alias package so the samples' `from Crypto.Cipher import AES` finds it.

  check_official_samples.py --samples /path/to/open-trading-api --kis-sim build/release/sim/kis-sim
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import textwrap

APP_KEY = "PSkisSimSamplesCheck0000000000000001"
APP_SECRET = "s" * 180
ACCOUNT = "50000000"
HTS_ID = "kissim"

REST_CALLS = """
import datetime, sys, time, traceback
import kis_auth as ka
from domestic_stock_functions import *
svr = "{svr}"
env = "real" if svr == "prod" else "demo"
ka.auth(svr=svr)
t = ka.getTREnv()
from zoneinfo import ZoneInfo
today = datetime.datetime.now(ZoneInfo("Asia/Seoul")).strftime("%Y%m%d")  # KIS dates are KST
gap = 1.1 if svr == "vps" else 0.1  # paper allows 1 call a second
def run(name, fn):
    time.sleep(gap)
    try:
        out = fn()
        frames = out if isinstance(out, tuple) else (out,)
        shapes = [getattr(f, "shape", None) for f in frames]
        empty = any(s is None or s[0] == 0 for s in shapes)
        print(("EMPTY " if empty else "OK    ") + name, shapes, flush=True)
    except Exception as e:
        print("FAIL  " + name, type(e).__name__, e, flush=True)
run("inquire_price", lambda: inquire_price(env_dv=env, fid_cond_mrkt_div_code="J", fid_input_iscd="005930"))
run("inquire_daily_price", lambda: inquire_daily_price(env_dv=env, fid_cond_mrkt_div_code="J", fid_input_iscd="005930", fid_period_div_code="D", fid_org_adj_prc="1"))
run("inquire_daily_itemchartprice", lambda: inquire_daily_itemchartprice(env_dv=env, fid_cond_mrkt_div_code="J", fid_input_iscd="005930", fid_input_date_1="20250101", fid_input_date_2=today, fid_period_div_code="D", fid_org_adj_prc="1"))
run("inquire_time_itemchartprice", lambda: inquire_time_itemchartprice(env_dv=env, fid_cond_mrkt_div_code="J", fid_input_iscd="005930", fid_input_hour_1="235959", fid_pw_data_incu_yn="Y"))
run("search_info", lambda: search_info(pdno="000660", prdt_type_cd="300"))
run("search_stock_info", lambda: search_stock_info(prdt_type_cd="300", pdno="005930"))
run("inquire_psbl_order", lambda: inquire_psbl_order(env_dv=env, cano=t.my_acct, acnt_prdt_cd=t.my_prod, pdno="005930", ord_unpr="55000", ord_dvsn="01", cma_evlu_amt_icld_yn="N", ovrs_icld_yn="N"))
run("order_cash buy market", lambda: order_cash(env_dv=env, ord_dv="buy", cano=t.my_acct, acnt_prdt_cd=t.my_prod, pdno="005930", ord_dvsn="01", ord_qty="3", ord_unpr="0", excg_id_dvsn_cd="KRX"))
run("order_cash buy limit (rests)", lambda: order_cash(env_dv=env, ord_dv="buy", cano=t.my_acct, acnt_prdt_cd=t.my_prod, pdno="005930", ord_dvsn="00", ord_qty="2", ord_unpr="49000", excg_id_dvsn_cd="KRX"))
run("order_cash sell market", lambda: order_cash(env_dv=env, ord_dv="sell", cano=t.my_acct, acnt_prdt_cd=t.my_prod, pdno="005930", ord_dvsn="01", ord_qty="1", ord_unpr="0", excg_id_dvsn_cd="KRX"))
run("inquire_psbl_rvsecncl", lambda: inquire_psbl_rvsecncl(cano=t.my_acct, acnt_prdt_cd=t.my_prod, inqr_dvsn_1="1", inqr_dvsn_2="0"))
run("order_rvsecncl cancel", lambda: order_rvsecncl(env_dv=env, cano=t.my_acct, acnt_prdt_cd=t.my_prod, krx_fwdg_ord_orgno="06010", orgn_odno="0000000002", ord_dvsn="00", rvse_cncl_dvsn_cd="02", ord_qty="0", ord_unpr="0", qty_all_ord_yn="Y", excg_id_dvsn_cd="KRX"))
run("inquire_balance", lambda: inquire_balance(env_dv=env, cano=t.my_acct, acnt_prdt_cd=t.my_prod, afhr_flpr_yn="N", inqr_dvsn="01", unpr_dvsn="01", fund_sttl_icld_yn="N", fncg_amt_auto_rdpt_yn="N", prcs_dvsn="00"))
run("inquire_psbl_sell", lambda: inquire_psbl_sell(cano=t.my_acct, acnt_prdt_cd=t.my_prod, pdno="005930"))
run("inquire_daily_ccld", lambda: inquire_daily_ccld(env_dv=env, pd_dv="inner", cano=t.my_acct, acnt_prdt_cd=t.my_prod, inqr_strt_dt=today, inqr_end_dt=today, sll_buy_dvsn_cd="00", ccld_dvsn="00", inqr_dvsn="00", inqr_dvsn_3="00"))
"""

WS_RUN = """
import os, threading, time, collections
import kis_auth as ka
from domestic_stock_functions import order_cash
from domestic_stock_functions_ws import *
svr = "{svr}"
env = "real" if svr == "prod" else "demo"
ka.auth(svr=svr)
ka.auth_ws(svr=svr)
t = ka.getTREnv()
seen = collections.Counter()
shapes = {{}}
def on_result(ws, tr_id, df, data_map):
    seen[tr_id] += 1
    shapes.setdefault(tr_id, df.shape)
    if seen["H0STCNT0"] >= 5 and seen["H0STASP0"] >= 3 and (seen["H0STCNI0"] + seen["H0STCNI9"]) >= 2:
        for k, v in sorted(seen.items()):
            print("OK    ws", k, v, "frames, first DataFrame", shapes[k], flush=True)
        os._exit(0)
def trade_later():
    time.sleep(4)
    order_cash(env_dv=env, ord_dv="buy", cano=t.my_acct, acnt_prdt_cd=t.my_prod, pdno="005930", ord_dvsn="01", ord_qty="1", ord_unpr="0", excg_id_dvsn_cd="KRX")
threading.Thread(target=trade_later, daemon=True).start()
kws = ka.KISWebSocket(api_url="/tryitout")
kws.subscribe(request=ccnl_krx, data=["005930", "000660"], kwargs={{"env_dv": env}})
kws.subscribe(request=asking_price_krx, data=["005930"], kwargs={{"env_dv": env}})
kws.subscribe(request=ccnl_notice, data=[t.my_htsid], kwargs={{"env_dv": env}})
kws.start(on_result=on_result)
print("FAIL  ws ended early:", dict(seen), flush=True)
"""


CRYPTO_ALIAS = """import importlib, sys
for name in ("Cipher", "Cipher.AES", "Util", "Util.Padding"):
    sys.modules["Crypto." + name] = importlib.import_module("Cryptodome." + name)
"""


def config(rest_url, ws_url):
    return textwrap.dedent(f"""\
        my_app: "{APP_KEY}"
        my_sec: "{APP_SECRET}"
        paper_app: "{APP_KEY}"
        paper_sec: "{APP_SECRET}"
        my_htsid: "{HTS_ID}"
        my_acct_stock: "{ACCOUNT}"
        my_acct_future: "{ACCOUNT}"
        my_paper_stock: "{ACCOUNT}"
        my_paper_future: "{ACCOUNT}"
        my_prod: "01"
        prod: "{rest_url}"
        ops: "{ws_url}"
        vps: "{rest_url}"
        vops: "{ws_url}"
        my_token: ""
        my_agent: "kis-sim official samples check"
        """)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--samples", required=True, help="open-trading-api checkout")
    ap.add_argument("--kis-sim", required=True, help="the kis-sim binary")
    ap.add_argument("--env", choices=["real", "paper"], default="real")
    ap.add_argument("--ws-seconds", type=int, default=40)
    args = ap.parse_args()

    sim = subprocess.Popen([args.kis_sim, "--env", args.env, "--app-key", APP_KEY,
                            "--app-secret", APP_SECRET, "--hts-id", HTS_ID],
                           stdout=subprocess.PIPE, text=True)
    try:
        urls = json.loads(sim.stdout.readline())
        home = tempfile.mkdtemp(prefix="kis-samples-")
        os.makedirs(os.path.join(home, "KIS", "config"))
        with open(os.path.join(home, "KIS", "config", "kis_devlp.yaml"), "w") as f:
            f.write(config(urls["rest_url"], urls["ws_url"]))
        cwd = os.path.join(args.samples, "examples_user", "domestic_stock")
        paths = [os.path.join(args.samples, "examples_user")]
        try:
            import Crypto  # noqa: F401 (pycryptodome under its own name)
        except ImportError:
            os.makedirs(os.path.join(home, "alias", "Crypto"))
            with open(os.path.join(home, "alias", "Crypto", "__init__.py"), "w") as f:
                f.write(CRYPTO_ALIAS)
            paths.append(os.path.join(home, "alias"))
        env = dict(os.environ, HOME=home, PYTHONPATH=os.pathsep.join(paths))
        svr = "prod" if args.env == "real" else "vps"
        print(f"== REST ({args.env}) against {urls['rest_url']}", flush=True)
        subprocess.run([sys.executable, "-c", REST_CALLS.format(svr=svr)], cwd=cwd, env=env)
        print(f"== WebSocket ({args.env}) against {urls['ws_url']}", flush=True)
        try:
            subprocess.run([sys.executable, "-c", WS_RUN.format(svr=svr)], cwd=cwd, env=env,
                           timeout=args.ws_seconds)
        except subprocess.TimeoutExpired:
            print(f"FAIL  ws: not every TR delivered within {args.ws_seconds} s", flush=True)
    finally:
        sim.terminate()
        sim.wait()


if __name__ == "__main__":
    main()
