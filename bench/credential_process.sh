#!/usr/bin/env bash
# Warm `sesame credential-process` vs `aws-sso-util credential-process`, same emulator, same
# profile, same warm AWS CLI v2 role cache (~/.aws/cli/cache), side by side in one hyperfine run.
#
#   bench/credential_process.sh            # release build, hyperfine, results in bench/results/
#
# Needs: hyperfine (apt-get install -y hyperfine), python3. aws-sso-util is installed into a venv
# under /tmp (AWS_SSO_UTIL_VENV to reuse one). Both tools resolve a legacy SSO profile
# (sso_start_url + sso_region in the profile: aws-sso-util reads only those keys), so both key the
# role cache by start URL and read the very same entry; the script checks that neither calls
# GetRoleCredentials while it is timed.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
RUNS=${RUNS:-100}
VENV=${AWS_SSO_UTIL_VENV:-/tmp/sesame-bench-aws-sso-util}
OUT=${OUT:-$ROOT/bench/results}
mkdir -p "$OUT"

command -v hyperfine >/dev/null || { echo "error: hyperfine is missing; apt-get install -y hyperfine" >&2; exit 1; }
if [ ! -x "$VENV/bin/aws-sso-util" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check aws-sso-util
fi

cargo build --release --locked -p sesame-cli -p sesame-emulator >&2
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
SESAME=$TARGET_DIR/release/sesame
EMULATOR=$TARGET_DIR/release/sesame-emulator

WORK=$(mktemp -d)
trap 'kill $EMU_PID 2>/dev/null || true; rm -rf "$WORK"' EXIT
"$EMULATOR" --auto-approve --port 0 >"$WORK/emulator.out" 2>"$WORK/emulator.err" &
EMU_PID=$!
for _ in $(seq 100); do [ -s "$WORK/emulator.out" ] && break; sleep 0.05; done
URL=$(head -1 "$WORK/emulator.out")

export HOME=$WORK/home AWS_ENDPOINT_URL_SSO=$URL AWS_ENDPOINT_URL_SSO_OIDC=$URL
export AWS_EC2_METADATA_DISABLED=true AWS_SSO_DISABLE_BROWSER=1
unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_CONFIG_FILE AWS_SHARED_CREDENTIALS_FILE
mkdir -p "$HOME/.aws"
: >"$HOME/.aws/config"
"$SESAME" login --start-url "$URL/start" --sso-region us-east-1 --device-code 2>/dev/null
ACCOUNT=$("$SESAME" accounts --start-url "$URL/start" --sso-region us-east-1 -o text | head -1 | cut -f1)
ROLE=$(python3 - "$URL" "$ACCOUNT" <<'PY'
import glob, json, os, sys, urllib.request
url, account = sys.argv[1], sys.argv[2]
token = next(json.load(open(p))["accessToken"] for p in glob.glob(os.path.expanduser("~/.aws/sso/cache/*.json"))
             if "accessToken" in json.load(open(p)))
req = urllib.request.Request(f"{url}/assignment/roles?account_id={account}", headers={"x-amz-sso_bearer_token": token})
print(json.load(urllib.request.urlopen(req))["roleList"][0]["roleName"])
PY
)
cat >"$HOME/.aws/config" <<CFG
[profile bench]
sso_start_url = $URL/start
sso_region = us-east-1
sso_account_id = $ACCOUNT
sso_role_name = $ROLE
region = us-east-1
CFG

grc() { curl -s "$URL/_emulator/stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["requests"].get("GetRoleCredentials", 0))'; }
# Warm the cache with sesame, then check aws-sso-util reads that same entry.
S_KEY=$("$SESAME" credential-process --profile bench | python3 -c 'import json,sys; print(json.load(sys.stdin)["AccessKeyId"])')
U_KEY=$("$VENV/bin/aws-sso-util" credential-process --profile bench | python3 -c 'import json,sys; print(json.load(sys.stdin)["AccessKeyId"])')
[ "$S_KEY" = "$U_KEY" ] || { echo "error: the two tools returned different keys ($S_KEY, $U_KEY): not the same cache entry" >&2; exit 1; }
BEFORE=$(grc)

hyperfine -N --warmup 10 --runs "$RUNS" --export-json "$OUT/credential_process.json" \
  -n "sesame credential-process" "$SESAME credential-process --profile bench" \
  -n "aws-sso-util credential-process" "$VENV/bin/aws-sso-util credential-process --profile bench" \
  -n "floor: /bin/true" "/bin/true" >&2

AFTER=$(grc)
[ "$BEFORE" = "$AFTER" ] || { echo "error: GetRoleCredentials was called while timing ($BEFORE -> $AFTER): not warm" >&2; exit 1; }

python3 - "$OUT/credential_process.json" "$RUNS" <<'PY'
import json, platform, subprocess, sys
data = json.load(open(sys.argv[1]))["results"]
med = {r["command"]: r["median"] for r in data}
s, u, floor = med["sesame credential-process"], med["aws-sso-util credential-process"], med["floor: /bin/true"]
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
ver = subprocess.run(["hyperfine", "--version"], capture_output=True, text=True).stdout.strip()
print(f"| tool | median | mean ± σ | min |")
print(f"|---|---|---|---|")
for r in data:
    print(f"| {r['command']} | {r['median']*1000:.2f} ms | {r['mean']*1000:.2f} ± {r['stddev']*1000:.2f} ms | {r['min']*1000:.2f} ms |")
print()
print(f"ratio (aws-sso-util median / sesame median): **{u/s:.0f}×**; sesame median {s*1000:.2f} ms; "
      f"the machine's process-spawn floor (`/bin/true`, same run) {floor*1000:.2f} ms")
load = open("/proc/loadavg").read().split()[:3]
print(f"load average at the end of the run: {' '.join(load)}")
print(f"({sys.argv[2]} runs each after 10 warm-ups, {ver}, `-N` no shell; {platform.system()} {platform.release()}, "
      f"{cpu}, {__import__('os').cpu_count()} cores; GetRoleCredentials calls while timing: 0)")
PY
