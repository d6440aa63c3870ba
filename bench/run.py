#!/usr/bin/env python3
"""Benchmark: one command in every account, `sesame run` against a sequential boto3 loop.

On one emulator (`--tps 20 --latency-ms 50` by default: Identity Center's ~20 requests/s portal
throttle), N accounts with 14 roles each, the command (0.3 s: `sleep 0.3`) run as ReadOnlyAccess
in every account, no role credentials cached (~/.aws/cli/cache emptied before each run):

- sesame, `--role 'ReadOnlyAcces?'` (a glob) with the listing fetched afresh: ListAccounts, one
  ListAccountRoles and one GetRoleCredentials per account, then the command.
- sesame, `--role ReadOnlyAccess` (an exact name), nothing cached: ListAccounts and one
  GetRoleCredentials per account; no role listing.
- sesame, `--role ReadOnlyAccess` with the listing cache fresh (an earlier sweep or `sesame
  roles` within the hour): GetRoleCredentials only.
- a sequential boto3 loop (list_accounts paginator; per account the
  list_account_roles paginator, get_role_credentials for the role, then the command with the
  credentials in its environment), as `aws sso` users script it today.

Per run: wall time; failed if the exit code is non-zero or the command did not run exactly once
per account. Prints a Markdown table with medians and the ratio to the boto3 loop.

  python3 bench/run.py --accounts 100 --runs 3 \
      --sesame target/release/sesame --emulator target/release/sesame-emulator
"""
import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

BOTO3_LOOP = r'''
import hashlib, json, os, subprocess, sys
import boto3
start_url, marker_dir = sys.argv[1], sys.argv[2]
path = os.path.expanduser("~/.aws/sso/cache/%s.json" % hashlib.sha1(start_url.encode()).hexdigest())
token = json.load(open(path))["accessToken"]
sso = boto3.client("sso", region_name="us-east-1")
failed = 0
for page in sso.get_paginator("list_accounts").paginate(accessToken=token):
    for account in page["accountList"]:
        for rpage in sso.get_paginator("list_account_roles").paginate(accessToken=token, accountId=account["accountId"]):
            for role in rpage["roleList"]:
                if role["roleName"] != "ReadOnlyAccess":
                    continue
                c = sso.get_role_credentials(accessToken=token, accountId=account["accountId"], roleName=role["roleName"])["roleCredentials"]
                env = dict(os.environ, AWS_ACCESS_KEY_ID=c["accessKeyId"], AWS_SECRET_ACCESS_KEY=c["secretAccessKey"],
                           AWS_SESSION_TOKEN=c["sessionToken"], SESAME_ACCOUNT_ID=account["accountId"])
                r = subprocess.run(["sh", "-c", 'sleep 0.3; touch "%s/$SESAME_ACCOUNT_ID"' % marker_dir], env=env)
                failed += r.returncode != 0
sys.exit(1 if failed else 0)
'''


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--accounts", type=int, default=100)
    ap.add_argument("--latency-ms", type=int, default=50)
    ap.add_argument("--tps", type=float, default=20.0)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--jobs", type=int, default=16)
    ap.add_argument("--sesame", default="target/release/sesame")
    ap.add_argument("--emulator", default="target/release/sesame-emulator")
    ap.add_argument("--python", default=sys.executable, help="a python with boto3")
    a = ap.parse_args()

    cmd = [a.emulator, "--accounts", str(a.accounts), "--roles-per-account", "14",
           "--latency-ms", str(a.latency_ms), "--tps", str(a.tps), "--auto-approve", "--interval", "0"]
    emu = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        url = emu.stdout.readline().strip()
        assert url.startswith("http"), url
        start_url = f"{url}/start"
        home = tempfile.mkdtemp(prefix="sesame-bench-run-")
        os.makedirs(os.path.join(home, ".aws"))
        with open(os.path.join(home, ".aws", "config"), "w") as f:
            f.write(f"[sso-session b]\nsso_start_url = {start_url}\nsso_region = us-east-1\n")
        env = {"HOME": home, "PATH": os.environ["PATH"], "AWS_ENDPOINT_URL_SSO": url,
               "AWS_ENDPOINT_URL_SSO_OIDC": url, "AWS_EC2_METADATA_DISABLED": "true",
               "AWS_SSO_DISABLE_BROWSER": "1"}
        # One legacy start-URL-keyed login: the token file boto3's loop reads, and the session
        # sesame uses (`--start-url`).
        session = ["--start-url", start_url, "--sso-region", "us-east-1"]
        subprocess.run([a.sesame, "login", "--device-code", *session], env=env, check=True,
                       capture_output=True)
        time.sleep(1.5)

        def clear(listing):
            shutil.rmtree(os.path.join(home, ".aws", "cli", "cache"), ignore_errors=True)
            if listing:
                shutil.rmtree(os.path.join(home, ".aws", "sesame", "listing"), ignore_errors=True)

        def run(name, argv, before):
            before()
            marks = tempfile.mkdtemp(prefix="marks-")
            t = time.perf_counter()
            out = subprocess.run([*argv, marks] if "boto3" in name else
                                 [*argv, "sh", "-c", f'sleep 0.3; touch "{marks}/$SESAME_ACCOUNT_ID"'],
                                 env=env, capture_output=True, text=True)
            dt = time.perf_counter() - t
            n = len(os.listdir(marks))
            shutil.rmtree(marks)
            failed = out.returncode != 0 or n != a.accounts
            print(f"  {name}: {dt:.2f}s, {n} ran{' FAILED: ' + out.stderr[-800:] if failed else ''}",
                  file=sys.stderr)
            time.sleep(1.5)  # a full bucket for the next tool
            return dt, failed

        sesame = [a.sesame, "run", "--yes", "-j", str(a.jobs), "-o", "jsonl", *session]
        tools = [
            ("sesame run --role ReadOnlyAccess, nothing cached (no role listing)",
             sesame + ["--role", "ReadOnlyAccess", "--"], lambda: clear(True)),
            ("sesame run --role 'ReadOnlyAcces?', listing fetched (glob: roles listed)",
             sesame + ["--refresh", "--role", "ReadOnlyAcces?", "--"], lambda: clear(True)),
            ("sesame run --role ReadOnlyAccess, listing cached",
             sesame + ["--role", "ReadOnlyAccess", "--"], lambda: clear(False)),
            ("boto3 loop", [a.python, "-c", BOTO3_LOOP, start_url], lambda: clear(True)),
        ]
        results = {name: [] for name, _, _ in tools}
        for i in range(a.runs):
            print(f"run {i + 1}", file=sys.stderr)
            for name, argv, before in tools:
                results[name].append(run(name, argv, before))
        peer = statistics.median(r[0] for r in results["boto3 loop"])
        print(f"\n{a.accounts} accounts x 14 roles, ReadOnlyAccess in each, `sleep 0.3` each, emulator --tps {a.tps:g} "
              f"--latency-ms {a.latency_ms}, sesame -j {a.jobs}; "
              f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
              f"{platform.system()} {platform.release()}\n")
        print("| way | runs | median wall | failed runs | speed-up vs boto3 loop |")
        print("|---|---|---|---|---|")
        for name, rs in results.items():
            wall = statistics.median(r[0] for r in rs)
            failed = sum(1 for r in rs if r[1])
            print(f"| {name} | {len(rs)} | {wall:.2f} s | {failed} | {peer / wall:.2f}× |")
    finally:
        emu.terminate()
        emu.wait()


if __name__ == "__main__":
    main()
