#!/usr/bin/env python3
"""botocore's side of sesame's role-credential tests. Runs with HOME and AWS_ENDPOINT_URL_* set by
the test; prints JSON on stdout, never a secret key.

  creds_interop.py boto3-creds PROFILE
      boto3.Session(profile_name=PROFILE).get_credentials(), as every boto3 program resolves a
      profile (for a `credential_process = sesame credential-process ...` profile, botocore runs
      sesame and parses its stdout). Prints {"AccessKeyId", "Method", "HasToken", "Expiry"}.

  creds_interop.py cli-v2-creds PROFILE
      Resolve an SSO profile the way the AWS CLI v2 does: botocore's SSOProvider with
      `cache = JSONFileCache(~/.aws/cli/cache)` (awscli/customizations/sso inject_json_file_cache),
      so SSOCredentialFetcher reads and writes the role-credential cache sesame shares.
      Prints {"AccessKeyId", "Method"}.
"""
import json
import os
import sys

import boto3
import botocore.session
from botocore.utils import JSONFileCache


def boto3_creds(profile):
    c = boto3.Session(profile_name=profile).get_credentials()
    frozen = c.get_frozen_credentials()
    expiry = getattr(c, "_expiry_time", None)
    print(json.dumps({
        "AccessKeyId": frozen.access_key,
        "Method": c.method,
        "HasToken": bool(frozen.token),
        "Expiry": expiry.isoformat() if expiry else None,
    }))


def cli_v2_creds(profile):
    session = botocore.session.Session(profile=profile)
    resolver = session.get_component("credential_provider")
    resolver.get_provider("sso").cache = JSONFileCache(
        os.path.expanduser(os.path.join("~", ".aws", "cli", "cache"))
    )
    c = session.get_credentials()
    frozen = c.get_frozen_credentials()
    print(json.dumps({"AccessKeyId": frozen.access_key, "Method": c.method}))


if __name__ == "__main__":
    command, profile = sys.argv[1], sys.argv[2]
    {"boto3-creds": boto3_creds, "cli-v2-creds": cli_v2_creds}[command](profile)
