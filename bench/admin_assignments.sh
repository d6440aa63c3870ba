#!/usr/bin/env bash
# `sesame admin assignments` vs aws-sso-lib's `list_assignments`, on the same moto
# backend, with names, side by side in one hyperfine run.
#
#   bench/admin_assignments.sh        # release build; LATENCY_MS=40 RUNS=10 by default
#
# moto answers in well under a millisecond; real AWS endpoints take tens of milliseconds, which
# is where a concurrent walk pays, so the moto wrapper delays every answer by LATENCY_MS (its
# requests are served on threads, so delays overlap as they would on AWS). The world is the
# integration tests' (tests/support/moto_admin.py): 27 accounts, 4 provisioned permission sets,
# 11 assignments; moto lists every provisioned set for every account, so the walk is ~110
# ListAccountAssignments calls. The script checks both tools return the same number of rows.
#
# Needs: hyperfine, python3 with boto3 and moto[server] (requirements-test.txt). aws-sso-lib is
# installed into a venv under /tmp (AWS_SSO_LIB_VENV to reuse one).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
RUNS=${RUNS:-10}
LATENCY_MS=${LATENCY_MS:-40}
PROFILE=${PROFILE:-release}
VENV=${AWS_SSO_LIB_VENV:-/tmp/sesame-bench-aws-sso-lib}
OUT=${OUT:-$ROOT/bench/results}
mkdir -p "$OUT"

command -v hyperfine >/dev/null || { echo "error: hyperfine is missing; apt-get install -y hyperfine" >&2; exit 1; }
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import aws_sso_lib' 2>/dev/null; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check aws-sso-lib
fi

if [ "$PROFILE" = release ]; then
  cargo build --release --locked -p sesame-cli >&2
else
  cargo build --locked -p sesame-cli >&2
fi
SESAME=${CARGO_TARGET_DIR:-$ROOT/target}/$PROFILE/sesame
MOTO=$ROOT/crates/sesame-cli/tests/support/moto_admin.py

WORK=$(mktemp -d)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# The server exits when its stdin (this FIFO's writer) closes.
mkfifo "$WORK/stdin"
python3 "$MOTO" serve "$PORT" --latency-ms "$LATENCY_MS" <"$WORK/stdin" >"$WORK/moto.log" 2>&1 &
MOTO_PID=$!
exec 3>"$WORK/stdin"
trap 'exec 3>&-; kill $MOTO_PID 2>/dev/null || true; rm -rf "$WORK"' EXIT
URL=http://127.0.0.1:$PORT
for _ in $(seq 100); do python3 -c "import socket; socket.create_connection(('127.0.0.1',$PORT))" 2>/dev/null && break; sleep 0.1; done
python3 "$MOTO" world "$URL" >"$WORK/world.json"

eval "$(python3 - "$WORK/world.json" <<'PY'
import json, sys
k = json.load(open(sys.argv[1]))["keys"]["sesame-admin"]
print(f"export AWS_ACCESS_KEY_ID={k['id']} AWS_SECRET_ACCESS_KEY={k['secret']}")
PY
)"
export HOME=$WORK/home AWS_ENDPOINT_URL=$URL AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
export AWS_EC2_METADATA_DISABLED=true
unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_CONFIG_FILE AWS_SHARED_CREDENTIALS_FILE
mkdir -p "$HOME"

cat >"$WORK/ssolib.py" <<'PY'
import boto3, aws_sso_lib
rows = list(aws_sso_lib.list_assignments(boto3.Session(), get_principal_names=True, get_permission_set_names=True))
print(len(rows))
PY
SESAME_CMD="$SESAME admin assignments --names -o json"
SSOLIB_CMD="$VENV/bin/python $WORK/ssolib.py"
A=$($SESAME_CMD | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
B=$($SSOLIB_CMD)
echo "rows: sesame $A, aws-sso-lib $B" >&2
[ "$A" = "$B" ] || { echo "error: the tools disagree on the rows" >&2; exit 1; }

hyperfine --runs "$RUNS" --warmup 1 --export-json "$OUT/admin_assignments.json" \
  -n "sesame admin assignments --names" "$SESAME_CMD" \
  -n "aws-sso-lib list_assignments (names)" "$SSOLIB_CMD"
python3 - "$OUT/admin_assignments.json" "$LATENCY_MS" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
s, p = r[0]["median"], r[1]["median"]
print(f"median, {sys.argv[2]} ms per answer: sesame {s:.2f} s, aws-sso-lib {p:.2f} s, ratio {p/s:.1f}x")
PY
