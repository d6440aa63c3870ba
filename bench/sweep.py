#!/usr/bin/env python3
"""`sesame run` at 10,000 targets: the whole sweep, then 4 shards with the budget split.

On one `sesame-emulator --accounts N --roles-per-account 1` (the listing cached first; no throttle, no
latency unless given: what is measured is sesame's own cost per target and its memory). Each run is
`sesame run --yes -j J -o jsonl --results FILE -- true` (stdout to /dev/null) under
`/usr/bin/time -v`: wall time and peak RSS. Then `--shard i/4` for i = 0..3, one after the other
(on one machine; on an engine they run at once): each shard's targets, wall and peak RSS, and
that the four results files hold every target exactly once. A run fails unless every target's
result line says ok.

  python3 bench/sweep.py --accounts 10000 --sesame target/release/sesame \
      --emulator target/release/sesame-emulator
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time


def timed(argv, env):
    out = subprocess.run(["/usr/bin/time", "-v", *argv], env=env, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, text=True)
    err = out.stderr
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", err).group(1))
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", err).group(1)
    parts = [float(p) for p in wall.split(":")]
    seconds = sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
    return out.returncode, seconds, rss / 1024, err


def results(path):
    with open(path) as f:
        lines = f.read().splitlines()
    header = json.loads(lines[0])
    rows = [json.loads(l) for l in lines[1:]]
    return header, rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--accounts", type=int, default=10000)
    ap.add_argument("--jobs", type=int, default=64)
    ap.add_argument("--shards", type=int, default=4)
    ap.add_argument("--tps", type=float, default=None,
                    help="the emulator's throttle and sesame's --tps (the whole budget)")
    ap.add_argument("--latency-ms", type=int, default=0)
    ap.add_argument("--concurrent-shards", action="store_true",
                    help="start the shards at once (as an engine does) instead of one after another")
    ap.add_argument("--sesame", default="target/release/sesame")
    ap.add_argument("--emulator", default="target/release/sesame-emulator")
    a = ap.parse_args()

    # With --tps the emulator throttles at that rate too: sesame's budget is the service's.
    throttle = ["--tps", str(a.tps)] if a.tps else []
    emu = subprocess.Popen([a.emulator, "--accounts", str(a.accounts), "--roles-per-account", "1",
                            "--latency-ms", str(a.latency_ms), *throttle, "--auto-approve",
                            "--interval", "0"],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        url = emu.stdout.readline().strip()
        home = tempfile.mkdtemp(prefix="sesame-bench-sweep-")
        os.makedirs(os.path.join(home, ".aws"))
        with open(os.path.join(home, ".aws", "config"), "w") as f:
            f.write(f"[sso-session b]\nsso_start_url = {url}/start\nsso_region = us-east-1\n")
        env = {"HOME": home, "PATH": os.environ["PATH"], "AWS_ENDPOINT_URL_SSO": url,
               "AWS_ENDPOINT_URL_SSO_OIDC": url, "AWS_SSO_DISABLE_BROWSER": "1"}
        subprocess.run([a.sesame, "login", "--device-code"], env=env, check=True, capture_output=True)
        # The listing (one role per account), cached for the runs below.
        subprocess.run([a.sesame, "roles", "--output", "json"], env=env, check=True,
                       capture_output=True)
        base = [a.sesame, "run", "--yes", "-j", str(a.jobs), "-o", "jsonl"]
        if a.tps:
            base += ["--tps", str(a.tps)]
        print(f"{time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, load average "
              f"{os.getloadavg()[0]:.1f}; {a.accounts} targets, -j {a.jobs}"
              f"{', --tps ' + str(a.tps) if a.tps else ''}, emulator latency {a.latency_ms} ms\n")
        print("| run | targets | wall | targets/s | wall ÷ (calls ÷ budget) | peak RSS |\n"
              "| --- | --- | --- | --- | --- | --- |")

        def floor_ratio(targets, wall, share):
            # One GetRoleCredentials per target (the listing is cached): the throttle's floor is
            # targets ÷ the budget this run had.
            return f"{wall / (targets / (a.tps / share)):.2f}" if a.tps else "–"

        whole = os.path.join(home, "whole.jsonl")
        code, wall, rss, err = timed([*base, "--results", whole, "--", "true"], env)
        _, rows = results(whole)
        assert code == 0 and len(rows) == a.accounts and all(r["ok"] for r in rows), err[-2000:]
        print(f"| whole sweep | {len(rows)} | {wall:.1f} s | {len(rows) / wall:.0f} | "
              f"{floor_ratio(len(rows), wall, 1)} | {rss:.1f} MB |")
        seen = {}
        # A new sweep: the role cache is warm now, empty it so each shard fetches credentials.
        subprocess.run(["rm", "-rf", os.path.join(home, ".aws", "cli", "cache")], check=True)

        def shard_argv(i):
            f = os.path.join(home, f"shard-{i}.jsonl")
            return f, [*base, "--shard", f"{i}/{a.shards}", "--results", f, "--", "true"]

        def report(f, code, wall, rss, err):
            header, rows = results(f)
            assert code == 0 and all(r["ok"] for r in rows), err[-2000:]
            for r in rows:
                seen[r["accountId"]] = seen.get(r["accountId"], 0) + 1
            print(f"| shard {header['shard']} | {len(rows)} | {wall:.1f} s | "
                  f"{len(rows) / wall:.0f} | {floor_ratio(len(rows), wall, a.shards)} | "
                  f"{rss:.1f} MB |")

        if a.concurrent_shards:
            from concurrent.futures import ThreadPoolExecutor
            with ThreadPoolExecutor(a.shards) as pool:
                jobs = [(f, pool.submit(timed, argv, env))
                        for f, argv in map(shard_argv, range(a.shards))]
                for f, job in jobs:
                    report(f, *job.result())
        else:
            for i in range(a.shards):
                subprocess.run(["rm", "-rf", os.path.join(home, ".aws", "cli", "cache")],
                               check=True)
                f, argv = shard_argv(i)
                report(f, *timed(argv, env))
        assert len(seen) == a.accounts and all(n == 1 for n in seen.values()), "shards overlap"
        print(f"\nthe {a.shards} shards' results hold all {a.accounts} targets, each once")
    finally:
        emu.kill()


if __name__ == "__main__":
    sys.exit(main())
