#!/usr/bin/env python3
"""Benchmark: credentials from `sesame serve` against botocore reading the AWS CLI's file cache.

One emulator, one device-code login, `[profile dev]` (SSO), the role's credentials cached in
~/.aws/cli/cache by `sesame creds dev`, then `sesame serve dev`. In one run, each measured in
this process (Python 3, botocore as installed):

- endpoint, 1 client: GET of the container endpoint on one keep-alive connection (http.client),
  one request at a time;
- endpoint, 50 clients: 50 threads, one keep-alive connection each, all at once; requests/s is
  total requests over wall time (a Python client on 2 cores: the client is the bound);
- file cache: botocore's JSONFileCache reading the AWS CLI cache entry (open + json.load), what
  botocore's SSO provider does for a cached role;
- whole botocore: a new botocore Session and get_frozen_credentials(), through the container
  provider (the server) or through the SSO profile with the AWS CLI's JSONFileCache wired in as
  the AWS CLI does (the file cache): what a new process or boto3 session pays.

Per row: p50, p99 and operations/s (1 / mean for sequential rows). The emulator's
GetRoleCredentials count before and after the run shows the server made no upstream call.

  python3 bench/serve.py --sesame target/release/sesame --emulator target/release/sesame-emulator
"""
import argparse
import http.client
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request


def percentile(xs, p):
    xs = sorted(xs)
    k = max(0, min(len(xs) - 1, round(p / 100 * (len(xs) - 1))))
    return xs[k]


def row(name, samples, wall=None):
    ops = len(samples) / wall if wall else 1 / statistics.mean(samples)
    return (name, len(samples), percentile(samples, 50) * 1e3, percentile(samples, 99) * 1e3, ops)


def start_emulator(path):
    p = subprocess.Popen([path, "--auto-approve"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = p.stdout.readline()
    url = line.split("url=")[-1].strip() if "url=" in line else line.strip()
    return p, url


def grc(url):
    with urllib.request.urlopen(url + "/_emulator/stats") as r:
        return json.load(r)["requests"].get("GetRoleCredentials", 0)


def endpoint_sequential(url, token, n):
    u = urllib.parse.urlparse(url)
    conn = http.client.HTTPConnection(u.hostname, u.port)
    out = []
    for _ in range(n):
        t = time.perf_counter()
        conn.request("GET", u.path, headers={"Authorization": token})
        r = conn.getresponse()
        body = r.read()
        out.append(time.perf_counter() - t)
        assert r.status == 200, (r.status, body)
    return out


def endpoint_concurrent(url, token, clients, per_client):
    results, errors = [], []
    lock = threading.Lock()
    barrier = threading.Barrier(clients + 1)

    def client():
        try:
            barrier.wait()
            xs = endpoint_sequential(url, token, per_client)
            with lock:
                results.extend(xs)
        except Exception as e:  # counted, not hidden
            with lock:
                errors.append(repr(e))

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    barrier.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    return results, time.perf_counter() - t0, errors


def file_cache(n):
    from botocore.utils import JSONFileCache

    cache = JSONFileCache(os.path.expanduser(os.path.join("~", ".aws", "cli", "cache")))
    key = os.listdir(cache._working_dir)[0][: -len(".json")]
    out = []
    for _ in range(n):
        t = time.perf_counter()
        creds = cache[key]["Credentials"]
        out.append(time.perf_counter() - t)
        assert creds["AccessKeyId"]
    return out


def whole_session(env, n):
    import botocore.session
    from botocore.utils import JSONFileCache

    saved = dict(os.environ)
    os.environ.update(env)
    out, keys = [], set()
    try:
        for _ in range(n):
            t = time.perf_counter()
            session = botocore.session.Session()
            # As the AWS CLI wires it: the SSO provider reads ~/.aws/cli/cache (plain botocore
            # would call GetRoleCredentials every time).
            cache = JSONFileCache(os.path.expanduser(os.path.join("~", ".aws", "cli", "cache")))
            session.get_component("credential_provider").get_provider("sso").cache = cache
            creds = session.get_credentials()
            frozen = creds.get_frozen_credentials()
            out.append(time.perf_counter() - t)
            keys.add((creds.method, frozen.access_key))
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return out, keys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sesame", default="target/release/sesame")
    ap.add_argument("--emulator", default="target/release/sesame-emulator")
    ap.add_argument("--requests", type=int, default=5000)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--sessions", type=int, default=300)
    args = ap.parse_args()
    sesame, emulator = os.path.abspath(args.sesame), os.path.abspath(args.emulator)

    home = tempfile.mkdtemp(prefix="sesame-bench-serve-")
    emu, url = start_emulator(emulator)
    server = None
    try:
        os.makedirs(os.path.join(home, ".aws"))
        env = {"HOME": home, "PATH": os.environ["PATH"], "AWS_ENDPOINT_URL_SSO": url,
               "AWS_ENDPOINT_URL_SSO_OIDC": url, "AWS_EC2_METADATA_DISABLED": "true"}
        with open(os.path.join(home, ".aws", "config"), "w") as f:
            f.write(f"[sso-session acme]\nsso_start_url = {url}/start\nsso_region = us-east-1\n"
                    "sso_registration_scopes = sso:account:access\n")
        subprocess.run([sesame, "login", "--device-code"], env=env, check=True, capture_output=True)
        roles = subprocess.run([sesame, "roles", "--output", "text"], env=env, check=True,
                               capture_output=True, text=True).stdout.split("\n")[0].split("\t")
        with open(os.path.join(home, ".aws", "config"), "a") as f:
            f.write(f"\n[profile dev]\nsso_session = acme\nsso_account_id = {roles[0]}\n"
                    f"sso_role_name = {roles[2]}\nregion = eu-west-1\n")
        cached = json.loads(subprocess.run([sesame, "creds", "dev", "--format", "json"], env=env,
                                           check=True, capture_output=True, text=True).stdout)
        server = subprocess.Popen([sesame, "serve", "dev", "--format", "json"], env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        served = json.loads(server.stdout.readline())
        full_uri = served["AWS_CONTAINER_CREDENTIALS_FULL_URI"]
        token = served["AWS_CONTAINER_AUTHORIZATION_TOKEN"]
        before = grc(url)
        os.environ.update(env)

        endpoint_sequential(full_uri, token, 200)  # warm-up
        seq = endpoint_sequential(full_uri, token, args.requests)
        per = args.requests // args.clients
        conc, wall, errors = endpoint_concurrent(full_uri, token, args.clients, per)
        fc = file_cache(args.requests)
        container_env = {"AWS_CONTAINER_CREDENTIALS_FULL_URI": full_uri,
                         "AWS_CONTAINER_AUTHORIZATION_TOKEN": token}
        whole_session(container_env, 20)
        sess_server, k1 = whole_session(container_env, args.sessions)
        whole_session({"AWS_PROFILE": "dev"}, 20)
        sess_file, k2 = whole_session({"AWS_PROFILE": "dev"}, args.sessions)
        after = grc(url)
    finally:
        if server:
            server.terminate()
            server.wait()
        emu.terminate()
        emu.wait()

    assert not errors, errors
    assert k1 == {("container-role", cached["AccessKeyId"])}, k1
    assert k2 == {("sso", cached["AccessKeyId"])}, k2
    rows = [
        row("sesame serve, GET on a keep-alive connection, 1 client", seq),
        row(f"sesame serve, {args.clients} concurrent clients (req/s: all / wall)", conc, wall),
        row("botocore JSONFileCache read of the AWS CLI cache entry", fc),
        row("new botocore Session + credentials: container provider → sesame serve", sess_server),
        row("new botocore Session + credentials: SSO profile → AWS CLI file cache", sess_file),
    ]
    load = os.getloadavg()
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {platform.machine()}, "
          f"{os.cpu_count()} cores, load average {load[0]:.1f}; botocore "
          f"{__import__('botocore').__version__}, Python {platform.python_version()}; "
          f"GetRoleCredentials during the run: {after - before}; errors: {len(errors)}\n")
    print("| what | samples | p50 | p99 | ops/s |")
    print("| --- | --- | --- | --- | --- |")
    for name, n, p50, p99, ops in rows:
        print(f"| {name} | {n} | {p50:.3f} ms | {p99:.3f} ms | {ops:,.0f} |")


if __name__ == "__main__":
    import urllib.parse  # noqa: F401 (used above)

    sys.exit(main())
