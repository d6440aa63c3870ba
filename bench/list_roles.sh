#!/usr/bin/env bash
# Every account and role under Identity Center's throttle: `sesame roles` vs `aws-sso-util roles`
# vs a boto3 loop, on one `sesame-emulator --tps 20 --latency-ms 50`.
#
#   bench/list_roles.sh                      # 2,000 accounts x 3 roles, 3 runs each
#   ACCOUNTS=500 RUNS=5 bench/list_roles.sh  # quicker
#
# Needs python3 with boto3 (requirements-test.txt). aws-sso-util is installed into a venv under
# /tmp (AWS_SSO_UTIL_VENV to reuse one). Prints a Markdown table (see BENCHMARKS.md).
set -euo pipefail
cd "$(dirname "$0")/.."
ACCOUNTS=${ACCOUNTS:-2000}
RUNS=${RUNS:-3}
PEER_RUNS=${PEER_RUNS:-$RUNS}
VENV=${AWS_SSO_UTIL_VENV:-/tmp/sesame-bench-aws-sso-util}

if [ ! -x "$VENV/bin/aws-sso-util" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check aws-sso-util
fi
python3 -c 'import boto3' 2>/dev/null || { echo "error: boto3 is missing; pip install -r requirements-test.txt" >&2; exit 1; }

cargo build --release --locked -p sesame-cli -p sesame-emulator >&2
exec python3 bench/list_roles.py --accounts "$ACCOUNTS" --runs "$RUNS" --peer-runs "$PEER_RUNS" \
  --tps "${TPS:-20}" --latency-ms "${LATENCY_MS:-50}" \
  --sesame "${CARGO_TARGET_DIR:-target}/release/sesame" \
  --emulator "${CARGO_TARGET_DIR:-target}/release/sesame-emulator" \
  --aws-sso-util "$VENV/bin/aws-sso-util" --python python3
