#!/usr/bin/env bash
# `sesame api` vs awscurl: one SigV4-signed call (STS GetCallerIdentity, a form body) against a
# loopback server that checks every signature with botocore (crates/sesame-cli/tests/support/
# sigv4_verifier.py), so both tools are timed doing the real, verified thing.
#
#   bash bench/api.sh            # RUNS=30 by default
#
# Needs hyperfine, python3 with botocore; installs awscurl from PyPI into a venv under /tmp.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${RUNS:-30}"
TARGET_DIR="${CARGO_TARGET_DIR:-target}"
VENV="${AWSCURL_VENV:-/tmp/awscurl-venv}"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

cargo build --release --quiet -p sesame-cli
SESAME="$TARGET_DIR/release/sesame"
if [ ! -x "$VENV/bin/awscurl" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet awscurl
fi

export SIGV4_KEYS='{"AKIDBENCHMARK": "bench/secret+key"}'
export AWS_ACCESS_KEY_ID=AKIDBENCHMARK AWS_SECRET_ACCESS_KEY='bench/secret+key'
unset AWS_SESSION_TOKEN AWS_PROFILE AWS_DEFAULT_PROFILE
export HOME="$TMP"   # no config or credentials files of the user's
# The server lives as long as fd 3 is open (until this script exits).
exec 3> >(python3 crates/sesame-cli/tests/support/sigv4_verifier.py > "$TMP/server.json")
for _ in $(seq 100); do [ -s "$TMP/server.json" ] && break; sleep 0.1; done
URL="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["url"])' "$TMP/server.json")/"
BODY='Action=GetCallerIdentity&Version=2011-06-15'

SESAME_CMD="$SESAME api $URL --service sts --region us-east-1 -d $BODY"
AWSCURL_CMD="$VENV/bin/awscurl --service sts --region us-east-1 -X POST -d $BODY $URL"

# Both must pass the server's signature check before anything is timed.
for cmd in "$SESAME_CMD" "$AWSCURL_CMD"; do
  out="$($cmd)"
  case "$out" in *'"service": "sts"'*) ;; *) echo "not verified: $cmd -> $out" >&2; exit 1 ;; esac
done

hyperfine -N --warmup 3 --runs "$RUNS" --export-json "$TMP/h.json" \
  -n sesame "$SESAME_CMD" -n awscurl "$AWSCURL_CMD" >&2

python3 - "$TMP/h.json" "$RUNS" <<'PY'
import json, sys, platform
res = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
s, a = res["sesame"]["median"] * 1000, res["awscurl"]["median"] * 1000
print(f"| tool | median | mean ± σ | runs |")
print(f"| --- | --- | --- | --- |")
for name in ("sesame", "awscurl"):
    r = res[name]
    print(f"| {name} | {r['median']*1000:.1f} ms | {r['mean']*1000:.1f} ± {r['stddev']*1000:.1f} ms | {sys.argv[2]} |")
print(f"\nawscurl / sesame (medians): **{a / s:.1f}×**; sesame median {s:.1f} ms")
PY
