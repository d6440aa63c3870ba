#!/usr/bin/env python3
"""botocore's side of sesame's interop tests. Runs with HOME and AWS_ENDPOINT_URL_* set by the test.

  botocore_interop.py creds PROFILE
      Resolve PROFILE's credentials the way every boto3 program does (sso-session profile:
      botocore's SSOTokenProvider reads sesame's token cache, refreshes it when near expiry,
      then GetRoleCredentials). Prints {"AccessKeyId": ..., "TokenRefreshed": bool} (never the secret).

  botocore_interop.py device-login SESSION START_URL REGION
      Log in with botocore's own clients (RegisterClient, StartDeviceAuthorization, CreateToken)
      against an auto-approving emulator, and write the token with botocore's JSONFileCache in
      the AWS CLI v2 format, as botocore's token provider writes it.
"""
import datetime
import hashlib
import json
import os
import sys
import time

import boto3
import botocore.session
from botocore.utils import JSONFileCache


def cache_dir():
    return os.path.expanduser(os.path.join("~", ".aws", "sso", "cache"))


def creds(profile):
    session = botocore.session.Session(profile=profile)
    key = hashlib.sha1(session.get_scoped_config()["sso_session"].encode()).hexdigest()
    path = os.path.join(cache_dir(), key + ".json")
    before = json.load(open(path))["accessToken"]
    c = session.get_credentials().get_frozen_credentials()
    after = json.load(open(path))["accessToken"]
    print(json.dumps({"AccessKeyId": c.access_key, "HasSessionToken": bool(c.token), "TokenRefreshed": before != after}))


def device_login(name, start_url, region):
    oidc = boto3.client("sso-oidc", region_name=region)
    reg = oidc.register_client(clientName="botocore-client-" + name, clientType="public", scopes=["sso:account:access"])
    auth = oidc.start_device_authorization(clientId=reg["clientId"], clientSecret=reg["clientSecret"], startUrl=start_url)
    while True:
        try:
            tok = oidc.create_token(
                grantType="urn:ietf:params:oauth:grant-type:device_code",
                clientId=reg["clientId"],
                clientSecret=reg["clientSecret"],
                deviceCode=auth["deviceCode"],
            )
            break
        except oidc.exceptions.AuthorizationPendingException:
            time.sleep(auth.get("interval", 1))
    now = datetime.datetime.now(datetime.timezone.utc)
    fmt = "%Y-%m-%dT%H:%M:%SZ"
    token = {
        "startUrl": start_url,
        "region": region,
        "accessToken": tok["accessToken"],
        "expiresAt": (now + datetime.timedelta(seconds=tok["expiresIn"])).strftime(fmt),
        "clientId": reg["clientId"],
        "clientSecret": reg["clientSecret"],
        "registrationExpiresAt": datetime.datetime.fromtimestamp(reg["clientSecretExpiresAt"], datetime.timezone.utc).strftime(fmt),
    }
    if "refreshToken" in tok:
        token["refreshToken"] = tok["refreshToken"]
    key = hashlib.sha1(name.encode()).hexdigest()
    JSONFileCache(cache_dir())[key] = token
    print(os.path.join(cache_dir(), key + ".json"))


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    {"creds": creds, "device-login": device_login}[cmd](*args)
