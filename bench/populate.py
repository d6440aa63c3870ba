#!/usr/bin/env python3
"""Benchmark: `sesame populate` vs `aws-sso-util configure populate` on the same emulator.

Both tools start from the same config (one [sso-session]), are logged in beforehand (each with
its own login), and write a profile for every account and role; each run starts from that config
again. Runs alternate between the tools. Prints a Markdown table (medians, ratio).

Every run must list cold: sesame runs with `--refresh` (its listing cache is never read), and the
emulator's counters must show each run of each tool making every portal call (one ListAccountRoles
per account). Every run must write one profile per (account, role) pair, and both tools the same
set of pairs (`sso_account_id`, `sso_role_name`); else the script stops with an error.

  python3 bench/populate.py --accounts 300 --roles 3 --latency-ms 20 --runs 5 \
      --sesame target/release/sesame --emulator target/release/sesame-emulator \
      --aws-sso-util /path/to/venv/bin/aws-sso-util
"""
import argparse
import configparser
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--accounts", type=int, default=300)
    ap.add_argument("--roles", type=int, default=3)
    ap.add_argument("--latency-ms", type=int, default=20)
    ap.add_argument("--tps", type=float)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--sesame", default="target/release/sesame")
    ap.add_argument("--emulator", default="target/release/sesame-emulator")
    ap.add_argument("--aws-sso-util", default="aws-sso-util")
    ap.add_argument("--skip-peer", action="store_true", help="time sesame only")
    a = ap.parse_args()

    cmd = [a.emulator, "--accounts", str(a.accounts), "--roles-per-account", str(a.roles),
           "--latency-ms", str(a.latency_ms), "--auto-approve", "--interval", "0"]
    if a.tps:
        cmd += ["--tps", str(a.tps)]
    emu = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        url = emu.stdout.readline().split()[-1].strip()
        assert url.startswith("http"), url
        home = tempfile.mkdtemp(prefix="sesame-bench-")
        os.makedirs(os.path.join(home, ".aws"))
        config = os.path.join(home, ".aws", "config")
        base = (f"[sso-session acme]\nsso_start_url = {url}/start\nsso_region = us-east-1\n"
                "sso_registration_scopes = sso:account:access\n")
        env = {"HOME": home, "PATH": os.environ["PATH"], "AWS_ENDPOINT_URL_SSO": url,
               "AWS_ENDPOINT_URL_SSO_OIDC": url, "AWS_EC2_METADATA_DISABLED": "true"}

        def reset():
            with open(config, "w") as f:
                f.write(base)

        def run(argv):
            t = time.perf_counter()
            out = subprocess.run(argv, env=env, capture_output=True, text=True)
            dt = time.perf_counter() - t
            if out.returncode != 0:
                sys.exit(f"{argv[0]} failed:\n{out.stderr[-2000:]}")
            return dt

        def pairs():
            """The (account, role) of every profile in the config; duplicates are an error."""
            cp = configparser.RawConfigParser(strict=False)
            cp.read(config)
            out = [(cp[s].get("sso_account_id"), cp[s].get("sso_role_name"))
                   for s in cp.sections() if s.startswith("profile ")]
            if len(out) != len(set(out)):
                sys.exit("error: a profile is written twice for the same account and role")
            return set(out)

        def role_calls():
            with urllib.request.urlopen(f"{url}/_emulator/stats") as r:
                return json.load(r)["requests"].get("ListAccountRoles", 0)

        reset()
        run([a.sesame, "login", "--device-code"])
        tools = {"sesame populate": [a.sesame, "populate", "--sso-session", "acme", "--refresh"]}
        if not a.skip_peer:
            run([a.aws_sso_util, "login", f"{url}/start", "us-east-1", "--headless"])
            tools["aws-sso-util configure populate"] = [
                a.aws_sso_util, "configure", "populate", "-u", f"{url}/start",
                "--sso-region", "us-east-1", "-r", "us-east-1"]
        times = {name: [] for name in tools}
        counts = {}
        written = {}
        want = a.accounts * a.roles
        load_before = os.getloadavg()
        for _ in range(a.runs):
            for name, argv in tools.items():
                reset()
                calls = role_calls()
                times[name].append(run(argv))
                calls = role_calls() - calls
                if calls < a.accounts:
                    sys.exit(f"error: {name} made {calls} ListAccountRoles calls for {a.accounts} "
                             "accounts: the listing was not cold")
                got = pairs()
                if len(got) != want or written.setdefault(name, got) != got:
                    sys.exit(f"error: {name} wrote {len(got)} (account, role) profiles, want {want}")
                counts[name] = len(got)
        if len(written) == 2 and len(set(map(frozenset, written.values()))) != 1:
            sys.exit("error: the two tools wrote profiles for different (account, role) pairs")
        load_after = os.getloadavg()
        requests = 1 + (a.accounts + 99) // 100 + a.accounts
        print(f"{a.accounts} accounts x {a.roles} roles, --latency-ms {a.latency_ms}"
              + (f", --tps {a.tps:g}" if a.tps else "")
              + f"; {a.runs} runs each; listing = {requests} portal calls;"
              + f" {platform.machine()}, {os.cpu_count()} cores, {platform.platform()};"
              + f" load average {load_before[0]:.2f} before, {load_after[0]:.2f} after\n")
        print("| tool | median (s) | min (s) | max (s) | profiles written (distinct account/role) |")
        print("| --- | --- | --- | --- | --- |")
        med = {}
        for name, ts in times.items():
            med[name] = statistics.median(ts)
            print(f"| {name} | {med[name]:.2f} | {min(ts):.2f} | {max(ts):.2f} | {counts[name]} of {want} |")
        if len(med) == 2:
            print(f"\nboth tools wrote profiles for the same {want} (account, role) pairs in every run")
            s, p = med["sesame populate"], med["aws-sso-util configure populate"]
            print(f"\nsesame is {p / s:.1f}x faster (median vs median)")
        if a.tps:
            floor = requests / a.tps
            print(f"\nfloor at --tps {a.tps:g}: {floor:.1f} s; sesame median / floor = {med['sesame populate'] / floor:.2f}")
    finally:
        emu.terminate()
        emu.wait()


if __name__ == "__main__":
    main()
