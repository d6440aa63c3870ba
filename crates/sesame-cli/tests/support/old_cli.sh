#!/bin/sh
# Does an AWS CLI older than 2.22 (Debian 12's awscli 2.9.19) keep logging in after a sesame
# browser (PKCE) login? `old_cli.sh SESAME EMULATOR [AWS]`, as root.
#
# Such a CLI ignores AWS_ENDPOINT_URL_*: it reaches its real hosts. So this runs in a private mount
# and network namespace (nothing outside it changes): an /etc/hosts of its own sends
# oidc.us-east-1.amazonaws.com and portal.sso.us-east-1.amazonaws.com to 127.0.0.1, where a TLS
# front (tls_front.py, a throwaway CA that both tools get as AWS_CA_BUNDLE) on port 443 pipes to the
# emulator. Then: `sesame login --pkce`, the old CLI's `aws sso login` (device code), `sesame roles`
# on the CLI's token. Prints PASS and exits 0, or says what failed and exits 1.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
if [ -z "${OLD_CLI_INSIDE:-}" ]; then
  export OLD_CLI_INSIDE=1
  exec unshare --mount --net --fork "$0" "$@"
fi
sesame=$1 emulator=$2 aws=${3:-/usr/bin/aws}
"$aws" --version

w=$(mktemp -d)
pids=""
trap 'for p in $pids; do kill "$p" 2>/dev/null || true; done; rm -rf "$w"' EXIT
ip link set lo up
printf '127.0.0.1 localhost\n127.0.0.1 oidc.us-east-1.amazonaws.com portal.sso.us-east-1.amazonaws.com\n' >"$w/hosts"
mount --bind "$w/hosts" /etc/hosts

"$emulator" --port 0 --auto-approve >"$w/emulator.out" 2>"$w/emulator.err" &
pids="$pids $!"
for _ in $(seq 50); do [ -s "$w/emulator.out" ] && break; sleep 0.1; done
upstream=$(head -1 "$w/emulator.out" | sed 's/.*://')
mkdir "$w/front"
# The front runs until its stdin closes: this script holds the fifo's other end (fd 9).
mkfifo "$w/hold"
python3 "$here/tls_front.py" "$w/front" "$upstream" --port 443 \
  --names oidc.us-east-1.amazonaws.com,portal.sso.us-east-1.amazonaws.com <"$w/hold" >"$w/front.out" &
pids="$pids $!"
exec 9>"$w/hold"
for _ in $(seq 100); do [ -s "$w/front.out" ] && break; sleep 0.1; done

mkdir -p "$w/home/.aws"
printf '[sso-session acme]\nsso_start_url = https://d-9067c2c1a0.awsapps.com/start\nsso_region = us-east-1\nsso_registration_scopes = sso:account:access\n' \
  >"$w/home/.aws/config"
run() {
  env -i HOME="$w/home" PATH="$PATH" AWS_CA_BUNDLE="$w/front/ca.pem" SSL_CERT_FILE="$w/front/ca.pem" \
    BROWSER="python3 $here/fake_browser.py" "$@"
}

run "$sesame" login --pkce >"$w/step1" 2>&1 || { cat "$w/step1"; echo "FAIL: sesame login --pkce"; exit 1; }
if ! run timeout 120 "$aws" sso login --sso-session acme --no-browser >"$w/step2" 2>&1; then
  cat "$w/step2"
  echo "FAIL: the old CLI's aws sso login after a sesame PKCE login"
  exit 1
fi
run "$sesame" roles -o text >"$w/step3" 2>&1 || { cat "$w/step3"; echo "FAIL: sesame roles on the old CLI's login"; exit 1; }
echo "PASS: $("$aws" --version 2>&1 | cut -d' ' -f1) logs in after a sesame PKCE login, and sesame uses its login"
