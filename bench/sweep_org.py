#!/usr/bin/env python3
"""`sesame run --org --assume-role` against a sequential boto3 loop, on moto's server.

moto's server (crates/sesame-cli/tests/support/moto_org.py: AssumeRole of a missing role refused)
holds an organization of N member accounts plus the management account, with the role `Sweeper`
in each; after seeding, every answer waits --latency-ms (a real endpoint's round trip). Then, in
turns, each way runs `true` once per ACTIVE account with that account's assumed-role credentials:

  sesame: sesame run --org --assume-role Sweeper --yes -j J -o jsonl -- true
  boto3:  list_accounts (paginated), then per account sts.assume_role and the command with the
          credentials in its environment (the loop people write today)

Both must run the command once per account (counted from sesame's JSON lines and the loop's own
count). Prints the medians and the ratio, with the date, cores and load.

  python3 bench/sweep_org.py --accounts 200 --latency-ms 50 --runs 3 --sesame target/release/sesame
"""
import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
MOTO_ORG = os.path.join(HERE, "..", "crates", "sesame-cli", "tests", "support", "moto_org.py")
ROLE = "Sweeper"
REGION = "us-east-1"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def seed(endpoint, accounts):
    import boto3

    def client(name, **creds):
        creds = creds or {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
        return boto3.client(name, region_name=REGION, endpoint_url=endpoint, **creds)

    org = client("organizations")
    management = org.create_organization(FeatureSet="ALL")["Organization"]["MasterAccountId"]
    ids = [management]
    for i in range(accounts):
        status = org.create_account(Email=f"a{i}@example.com", AccountName=f"account-{i:04d}")
        ids.append(status["CreateAccountStatus"]["AccountId"])
    trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]}
    sts = client("sts")
    for aid in ids:
        if aid == management:
            iam = client("iam")
        else:
            c = sts.assume_role(RoleArn=f"arn:aws:iam::{aid}:role/OrganizationAccountAccessRole",
                                RoleSessionName="seed")["Credentials"]
            iam = client("iam", aws_access_key_id=c["AccessKeyId"],
                         aws_secret_access_key=c["SecretAccessKey"],
                         aws_session_token=c["SessionToken"])
        iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument=json.dumps(trust))
    return ids


def boto3_loop(endpoint):
    """The sequential loop: list the accounts, assume the role in each, run the command."""
    import boto3

    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing",
                                    region_name=REGION)
    org = session.client("organizations", endpoint_url=endpoint)
    sts = session.client("sts", endpoint_url=endpoint)
    ran = 0
    for page in org.get_paginator("list_accounts").paginate():
        for account in page["Accounts"]:
            if account["Status"] != "ACTIVE":
                continue
            c = sts.assume_role(RoleArn=f"arn:aws:iam::{account['Id']}:role/{ROLE}",
                                RoleSessionName="sweep")["Credentials"]
            env = dict(os.environ, AWS_ACCESS_KEY_ID=c["AccessKeyId"],
                       AWS_SECRET_ACCESS_KEY=c["SecretAccessKey"],
                       AWS_SESSION_TOKEN=c["SessionToken"], AWS_REGION=REGION)
            subprocess.run(["true"], env=env, check=True)
            ran += 1
    return ran


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--accounts", type=int, default=200)
    ap.add_argument("--latency-ms", type=int, default=50)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--jobs", type=int, default=16)
    ap.add_argument("--sesame", default="target/release/sesame")
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="sesame-bench-org-")
    latency = os.path.join(work, "latency-ms")
    with open(latency, "w") as f:
        f.write("0")
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    moto = subprocess.Popen([sys.executable, MOTO_ORG, "serve", str(port)], stdin=subprocess.PIPE,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env=dict(os.environ, MOTO_LATENCY_FILE=latency))
    try:
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        ids = seed(endpoint, a.accounts)
        with open(latency, "w") as f:
            f.write(str(a.latency_ms))
        home = os.path.join(work, "home")
        os.makedirs(os.path.join(home, ".aws"))
        env = {"HOME": home, "PATH": os.environ["PATH"], "AWS_ACCESS_KEY_ID": "testing",
               "AWS_SECRET_ACCESS_KEY": "testing", "AWS_REGION": REGION,
               "AWS_ENDPOINT_URL": endpoint}
        argv = [a.sesame, "run", "--org", "--assume-role", ROLE, "--yes", "-j", str(a.jobs),
                "-o", "jsonl", "--", "true"]
        times = {"sesame": [], "boto3": []}
        for _ in range(a.runs):
            t = time.monotonic()
            out = subprocess.run(argv, env=env, capture_output=True, text=True)
            times["sesame"].append(time.monotonic() - t)
            rows = [json.loads(line) for line in out.stdout.splitlines() if line.strip()]
            ok = {r["accountId"] for r in rows if r.get("ok", r.get("exitCode") == 0)}
            assert out.returncode == 0 and ok == set(ids), (out.returncode, out.stderr[-2000:])
            t = time.monotonic()
            ran = boto3_loop(endpoint)
            times["boto3"].append(time.monotonic() - t)
            assert ran == len(ids), ran
        s, b = statistics.median(times["sesame"]), statistics.median(times["boto3"])
        print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} cores, "
              f"load average {os.getloadavg()[0]:.1f}; {len(ids)} accounts (with the management "
              f"account), moto latency {a.latency_ms} ms, {a.runs} runs each, alternating\n")
        print("| way | median | runs |\n| --- | --- | --- |")
        print(f"| `sesame run --org --assume-role {ROLE} -j {a.jobs}` | **{s:.2f} s** | "
              + ", ".join(f"{x:.2f}" for x in times["sesame"]) + " |")
        print("| boto3 loop (list_accounts, assume_role, run) | "
              f"{b:.2f} s | " + ", ".join(f"{x:.2f}" for x in times["boto3"]) + " |")
        print(f"\nboto3 loop ÷ sesame, medians: **{b / s:.1f}×**")
    finally:
        moto.stdin.close()
        moto.kill()


if __name__ == "__main__":
    sys.exit(main())
