#!/usr/bin/env python3
"""botocore's and the AWS CLI v1's view of a config file sesame populate wrote. Runs with HOME (and
AWS_ENDPOINT_URL_SSO for `creds`) set by the test.

  populate_check.py profiles
      Every profile botocore sees, each resolved by a botocore Session for that profile:
      {"NAME": {"sso_session": ..., "sso_account_id": ..., "sso_role_name": ..., "region": ...,
      "credential_process": ..., "credential_process_argv": [...]}, ...}
      (credential_process_argv: the command as botocore's ProcessProvider splits it).

  populate_check.py creds PROFILE
      Credentials through botocore's SSO provider: {"AccessKeyId": ...} (never the secret).

  populate_check.py awscli-region PROFILE
      `aws configure get region --profile PROFILE` with the AWS CLI v1: {"region": ...}.
"""
import json
import shlex
import subprocess
import sys

import botocore.session

KEYS = ("sso_session", "sso_account_id", "sso_role_name", "region", "output", "credential_process", "duration_seconds")


def profiles():
    shared = botocore.session.Session()
    names = shared.available_profiles
    out = {}
    for i, name in enumerate(names):
        # A fresh Session(profile=NAME) for the first few, as a program would make; then one
        # session switched from profile to profile (the same lookup, without the set-up cost).
        if i < 3:
            session = botocore.session.Session(profile=name)
        else:
            session = shared
            session.set_config_variable("profile", name)
        scoped = session.get_scoped_config()
        entry = {k: scoped[k] for k in KEYS if k in scoped}
        if "credential_process" in entry:
            entry["credential_process_argv"] = shlex.split(entry["credential_process"])
        out[name] = entry
    print(json.dumps(out))


def creds(profile):
    c = botocore.session.Session(profile=profile).get_credentials().get_frozen_credentials()
    print(json.dumps({"AccessKeyId": c.access_key, "HasSessionToken": bool(c.token)}))


def awscli_region(profile):
    out = subprocess.run(["aws", "configure", "get", "region", "--profile", profile], capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit("aws configure get failed: " + out.stderr)
    print(json.dumps({"region": out.stdout.strip()}))


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    {"profiles": profiles, "creds": creds, "awscli-region": awscli_region}[cmd](*args)
