#!/usr/bin/env bash
# Warm `sesame credential-process` for three profile kinds — SSO, assume-role (two hops), and an
# `aws login` session — each against the AWS CLI v2's `aws configure export-credentials --format
# process` on the same profile and the same shared cache, in one hyperfine run.
#
#   bench/credential_process_kinds.sh      # release build, hyperfine, results in bench/results/
#
# Needs: hyperfine, python3 with moto[server] (STS for the assume-role chain), the AWS CLI v2
# (SESAME_AWS_CLI_V2, else ~/.cache/sesame-ci/aws-cli-v2/bin/aws; ../shared/aws-cli-v2/install.sh
# puts it there). The emulator serves Identity Center and the sign-in service; the CLI v2's own
# `aws login` makes the login session. Every cache is warmed before timing, and the script checks
# that nothing was fetched while timing (GetRoleCredentials, CreateOAuth2Token, the assumed-role
# cache file).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
RUNS=${RUNS:-100}
AWS_RUNS=${AWS_RUNS:-20}
OUT=${OUT:-$ROOT/bench/results}
AWS=${SESAME_AWS_CLI_V2:-$HOME/.cache/sesame-ci/aws-cli-v2/bin/aws}
mkdir -p "$OUT"
command -v hyperfine >/dev/null || { echo "error: hyperfine is missing; apt-get install -y hyperfine" >&2; exit 1; }
[ -x "$AWS" ] || { echo "error: no AWS CLI v2 at $AWS (../shared/aws-cli-v2/install.sh DIR)" >&2; exit 1; }

TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
[ -n "${NO_BUILD:-}" ] || cargo build --release --locked -p sesame-cli -p sesame-emulator >&2
SESAME=$TARGET/release/sesame
# The emulator only serves the set-up (nothing is timed against it): any build will do.
EMULATOR=${EMULATOR:-$TARGET/release/sesame-emulator}

WORK=$(mktemp -d)
trap 'kill $EMU_PID $MOTO_PID 2>/dev/null || true; rm -rf "$WORK"' EXIT
"$EMULATOR" --auto-approve --port 0 >"$WORK/emulator.out" 2>"$WORK/emulator.err" &
EMU_PID=$!
MOTO_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 -m moto.server -H 127.0.0.1 -p "$MOTO_PORT" >"$WORK/moto.log" 2>&1 &
MOTO_PID=$!
for _ in $(seq 200); do [ -s "$WORK/emulator.out" ] && curl -s "http://127.0.0.1:$MOTO_PORT/moto-api/" >/dev/null && break; sleep 0.05; done
URL=$(grep -o 'http://127.0.0.1:[0-9]*' "$WORK/emulator.out" | head -1)

export HOME=$WORK/home AWS_ENDPOINT_URL_SSO=$URL AWS_ENDPOINT_URL_SSO_OIDC=$URL
export AWS_ENDPOINT_URL_SIGNIN=$URL AWS_ENDPOINT_URL_STS=http://127.0.0.1:$MOTO_PORT
export AWS_EC2_METADATA_DISABLED=true AWS_SSO_DISABLE_BROWSER=1 AWS_PAGER=
unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_CONFIG_FILE AWS_SHARED_CREDENTIALS_FILE AWS_REGION AWS_DEFAULT_REGION
mkdir -p "$HOME/.aws"
printf '[sso-session bench]\nsso_start_url = %s/start\nsso_region = us-east-1\nsso_registration_scopes = sso:account:access\n' "$URL" >"$HOME/.aws/config"
"$SESAME" login --sso-session bench --device-code 2>/dev/null
ACCOUNT=$("$SESAME" accounts --sso-session bench -o text | head -1 | cut -f1)
ROLE=$("$SESAME" roles --sso-session bench -o text | awk -F'\t' -v a="$ACCOUNT" '$1==a {print $3; exit}')
cat >>"$HOME/.aws/config" <<CFG
[profile sso]
sso_session = bench
sso_account_id = $ACCOUNT
sso_role_name = $ROLE
region = us-east-1
[profile keys]
aws_access_key_id = AKIDBENCHKEYS
aws_secret_access_key = bench-secret
region = us-east-1
[profile hop]
role_arn = arn:aws:iam::123456789012:role/Hop
source_profile = keys
role_session_name = hop
region = us-east-1
[profile role]
role_arn = arn:aws:iam::123456789012:role/Admin
source_profile = hop
role_session_name = bench
region = us-east-1
[profile login]
region = us-east-1
CFG
cat >"$WORK/browser.sh" <<'SH'
#!/bin/sh
(sleep 0.2; curl -sSL -o /dev/null "$1") &
SH
chmod +x "$WORK/browser.sh"
BROWSER=$WORK/browser.sh "$AWS" login --profile login >/dev/null 2>&1

key() { python3 -c 'import json,sys; print(json.load(sys.stdin)["AccessKeyId"])'; }
for p in sso role login; do
  S=$("$SESAME" credential-process --profile "$p" | key)
  A=$("$AWS" configure export-credentials --profile "$p" --format process | key)
  [ "$S" = "$A" ] || { echo "error: profile $p: sesame $S, aws $A: not the same cache" >&2; exit 1; }
done
stats() { curl -s "$URL/_emulator/stats" | python3 -c 'import json,sys; r=json.load(sys.stdin)["requests"]; print(r.get("GetRoleCredentials",0), r.get("CreateOAuth2Token",0))'; }
BEFORE="$(stats) $(ls -l --time-style=+%s.%N "$HOME/.aws/cli/cache" | md5sum)"

hyperfine -N --warmup 5 --export-json "$OUT/credential_process_kinds.json" \
  --runs "$RUNS" \
  -n "sesame sso" "$SESAME credential-process --profile sso" \
  -n "sesame assume-role (2 hops)" "$SESAME credential-process --profile role" \
  -n "sesame login session" "$SESAME credential-process --profile login" \
  -n "floor: /bin/true" "/bin/true" >&2
hyperfine -N --warmup 2 --export-json "$OUT/credential_process_kinds_aws.json" \
  --runs "$AWS_RUNS" \
  -n "aws sso" "$AWS configure export-credentials --profile sso --format process" \
  -n "aws assume-role (2 hops)" "$AWS configure export-credentials --profile role --format process" \
  -n "aws login session" "$AWS configure export-credentials --profile login --format process" >&2

AFTER="$(stats) $(ls -l --time-style=+%s.%N "$HOME/.aws/cli/cache" | md5sum)"
[ "$BEFORE" = "$AFTER" ] || { echo "error: something was fetched while timing ($BEFORE -> $AFTER): not warm" >&2; exit 1; }

python3 - "$OUT/credential_process_kinds.json" "$OUT/credential_process_kinds_aws.json" "$RUNS" "$AWS_RUNS" <<'PY'
import json, platform, subprocess, sys
med = {}
for f in sys.argv[1:3]:
    for r in json.load(open(f))["results"]:
        med[r["command"]] = r["median"]
floor = med["floor: /bin/true"]
print(f"| profile kind | sesame credential-process (median, {sys.argv[3]} runs) | aws configure export-credentials (median, {sys.argv[4]} runs) | aws / sesame | sesame / bare process |")
print("| --- | --- | --- | --- | --- |")
for kind in ["sso", "assume-role (2 hops)", "login session"]:
    s, a = med[f"sesame {kind}"], med[f"aws {kind}"]
    print(f"| {kind} | {s*1000:.2f} ms | {a*1000:.0f} ms | {a/s:.0f}× | {s/floor:.1f}× |")
print(f"\nfloor (/bin/true): {floor*1000:.2f} ms; {platform.machine()}, {subprocess.run(['nproc'], capture_output=True, text=True).stdout.strip()} cores")
PY
