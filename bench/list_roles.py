#!/usr/bin/env python3
"""Benchmark: list every account and role under Identity Center's throttle.

`sesame roles --refresh` against the ways people do it today, on the same emulator
(`--tps 20 --latency-ms 50` by default: the portal's ~20 requests/s throttle):

- `aws-sso-util roles` (pip), sequential botocore calls, default page size;
- a boto3 loop: the list_accounts paginator, then the list_account_roles
  paginator for each account, one after the other (botocore's default retry mode).

Each tool lists from a valid login (one legacy start-URL login, read by all three from the AWS
CLI token cache). Per run: wall time, whether it failed (non-zero exit, or not every
account/role listed exactly once), portal requests and 429s (from the emulator's counters). Also
timed: sesame's second run served by its listing cache. Prints a Markdown table.

  python3 bench/list_roles.py --accounts 2000 --runs 3 \
      --sesame target/release/sesame --emulator target/release/sesame-emulator \
      --aws-sso-util /tmp/venv/bin/aws-sso-util
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

BOTO3_LOOP = r'''
import hashlib, json, os, sys
import boto3
start_url = sys.argv[1]
path = os.path.expanduser("~/.aws/sso/cache/%s.json" % hashlib.sha1(start_url.encode()).hexdigest())
token = json.load(open(path))["accessToken"]
sso = boto3.client("sso", region_name="us-east-1")
out = []
for page in sso.get_paginator("list_accounts").paginate(accessToken=token):
    for account in page["accountList"]:
        for rpage in sso.get_paginator("list_account_roles").paginate(accessToken=token, accountId=account["accountId"]):
            for role in rpage["roleList"]:
                out.append("%s\t%s\t%s" % (account["accountId"], account["accountName"], role["roleName"]))
print("\n".join(out))
'''


def stats(url):
    with urllib.request.urlopen(f"{url}/_emulator/stats") as r:
        s = json.load(r)
    req = s["requests"]
    return req.get("ListAccounts", 0) + req.get("ListAccountRoles", 0), s["throttled"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--accounts", type=int, default=2000)
    ap.add_argument("--roles", type=int, default=3)
    ap.add_argument("--latency-ms", type=int, default=50)
    ap.add_argument("--tps", type=float, default=20.0)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--peer-runs", type=int, default=None, help="runs of each peer (default: --runs)")
    ap.add_argument("--sesame", default="target/release/sesame")
    ap.add_argument("--emulator", default="target/release/sesame-emulator")
    ap.add_argument("--aws-sso-util", default="aws-sso-util")
    ap.add_argument("--python", default=sys.executable, help="a python with boto3")
    ap.add_argument("--skip-peers", action="store_true")
    a = ap.parse_args()
    peer_runs = a.runs if a.peer_runs is None else a.peer_runs

    cmd = [a.emulator, "--accounts", str(a.accounts), "--roles-per-account", str(a.roles),
           "--latency-ms", str(a.latency_ms), "--tps", str(a.tps), "--auto-approve", "--interval", "0"]
    emu = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        url = emu.stdout.readline().strip()
        assert url.startswith("http"), url
        start_url = f"{url}/start"
        home = tempfile.mkdtemp(prefix="sesame-bench-roles-")
        os.makedirs(os.path.join(home, ".aws"))
        open(os.path.join(home, ".aws", "config"), "w").close()
        env = {"HOME": home, "PATH": os.environ["PATH"], "AWS_ENDPOINT_URL_SSO": url,
               "AWS_ENDPOINT_URL_SSO_OIDC": url, "AWS_EC2_METADATA_DISABLED": "true",
               "AWS_SSO_DISABLE_BROWSER": "1"}
        session = ["--start-url", start_url, "--sso-region", "us-east-1"]
        subprocess.run([a.sesame, "login", "--device-code", *session], env=env, check=True,
                       capture_output=True)
        time.sleep(1.5)  # let the emulator's bucket refill after the login

        expected = a.accounts * a.roles

        def run(name, argv):
            calls0, thr0 = stats(url)
            t = time.perf_counter()
            out = subprocess.run(argv, env=env, capture_output=True, text=True)
            dt = time.perf_counter() - t
            calls1, thr1 = stats(url)
            rows = [l for l in out.stdout.splitlines() if l.strip()]
            pairs = {(l.split("\t")[0], l.split("\t")[-1]) for l in rows if "\t" in l}
            failed = out.returncode != 0 or len(pairs) != expected or len(rows) != expected
            if failed:
                print(f"{name} FAILED (exit {out.returncode}, {len(rows)} rows, {len(pairs)} distinct, "
                      f"expected {expected}):\n{out.stderr[-1500:]}", file=sys.stderr)
            print(f"  {name}: {dt:.2f}s, {calls1 - calls0} requests, {thr1 - thr0} throttled"
                  f"{' FAILED' if failed else ''}", file=sys.stderr)
            time.sleep(1.5)  # a full bucket for the next tool
            return dt, failed, calls1 - calls0, thr1 - thr0

        tools = [("sesame roles", [a.sesame, "roles", "--refresh", "-o", "text", *session], a.runs)]
        if not a.skip_peers:
            tools.append(("aws-sso-util roles", [a.aws_sso_util, "roles", "--sso-start-url", start_url,
                                                  "--sso-region", "us-east-1", "--sep", "\t", "--sort-by", "id,role",
                                                  "--no-header"], peer_runs))
            tools.append(("boto3 loop", [a.python, "-c", BOTO3_LOOP, start_url], peer_runs))
        results = {name: [] for name, _, _ in tools}
        for i in range(max(n for _, _, n in tools)):
            print(f"run {i + 1}", file=sys.stderr)
            for name, argv, n in tools:
                if i < n:
                    results[name].append(run(name, argv))
        cached = [run("sesame roles (cached)", [a.sesame, "roles", "-o", "text", *session])
                  for _ in range(5)]

        s_med = statistics.median(r[0] for r in results["sesame roles"])
        print(f"\n{a.accounts} accounts x {a.roles} roles, emulator --tps {a.tps:g} "
              f"--latency-ms {a.latency_ms}; {platform.processor() or platform.machine()}, "
              f"{os.cpu_count()} cores, {platform.system()} {platform.release()}\n")
        print("| tool | runs | median wall | failed runs | requests sent (median) | of which 429 "
              "| needed ÷ tps | wall ÷ (needed ÷ tps) | wall vs sesame |")
        print("|---|---|---|---|---|---|---|---|---|")
        for name, rs in list(results.items()) + [("sesame roles, 2nd run (listing cache)", cached)]:
            wall = statistics.median(r[0] for r in rs)
            calls = statistics.median(r[2] for r in rs)
            thr = statistics.median(r[3] for r in rs)
            failed = sum(1 for r in rs if r[1])
            ideal = (calls - thr) / a.tps
            ratio = f"{wall / ideal:.2f}" if calls else "-"
            versus = f"{wall / s_med:.2f}×" if calls else "-"
            print(f"| {name} | {len(rs)} | {wall:.2f} s | {failed} | {calls:g} | {thr:g} | "
                  f"{ideal:.1f} s | {ratio} | {versus} |")
    finally:
        emu.terminate()
        emu.wait()


if __name__ == "__main__":
    main()
