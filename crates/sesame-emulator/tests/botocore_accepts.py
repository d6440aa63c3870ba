#!/usr/bin/env python3
"""The real botocore accepts sesame-emulator unchanged.

    python3 botocore_accepts.py http://127.0.0.1:PORT

Start the emulator with or without --auto-approve (the device-flow checks adapt), with default
lifetimes and no faults or throttle. Prints "OK" and exits 0 on success; any failed check raises.
"""
import html.parser
import json
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import boto3
import botocore
from botocore import UNSIGNED
from botocore.config import Config

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
START_URL = "https://d-1234567890.awsapps.com/start"


def control(url, path, body=None):
    """GET (or POST JSON to) the emulator's control API."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url + path, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read())


def expect(client_error_class, fn, **kwargs):
    """Calls fn and returns the modelled exception it must raise."""
    try:
        fn(**kwargs)
    except client_error_class as e:
        return e
    raise AssertionError(f"{fn.__name__} should raise {client_error_class.__name__}")


def expect_code(code, fn, **kwargs):
    """Calls fn and checks the unmodelled error code botocore reports."""
    try:
        fn(**kwargs)
    except botocore.exceptions.ClientError as e:
        assert e.response["Error"]["Code"] == code, e.response
        return e
    raise AssertionError(f"{fn.__name__} should fail with {code}")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Forms(html.parser.HTMLParser):
    """Collects hidden inputs of the consent page."""

    def __init__(self):
        super().__init__()
        self.fields = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and a.get("type") == "hidden":
            self.fields[a["name"]] = a.get("value", "")


def authorize_code(url, client_id, redirect_uri, challenge):
    """Plays the browser: /authorize, the consent page if any, and returns the redirect's code."""
    opener = urllib.request.build_opener(NoRedirect)
    query = urllib.parse.urlencode({
        "response_type": "code", "client_id": client_id, "redirect_uri": redirect_uri,
        "state": "s-1", "code_challenge_method": "S256", "scopes": "sso:account:access",
        "code_challenge": challenge,
    })
    try:
        with opener.open(f"{url}/authorize?{query}", timeout=10) as resp:
            page = resp.read().decode()
        forms = Forms()
        forms.feed(page)
        data = urllib.parse.urlencode({**forms.fields, "action": "approve"}).encode()
        opener.open(f"{url}/authorize", data=data, timeout=10)
        raise AssertionError("the consent page should redirect")
    except urllib.error.HTTPError as e:
        assert e.code == 302, e.code
        location = e.headers["Location"]
    assert location.startswith(redirect_uri), location
    params = dict(urllib.parse.parse_qsl(urllib.parse.urlparse(location).query))
    assert params["state"] == "s-1", params
    return params["code"]


def main(url):
    url = url.rstrip("/")
    config = Config(signature_version=UNSIGNED, retries={"mode": "standard", "max_attempts": 1})
    session = boto3.session.Session()
    oidc = session.client("sso-oidc", endpoint_url=url, region_name="us-east-1", config=config)
    sso = session.client("sso", endpoint_url=url, region_name="us-east-1", config=config)

    # RegisterClient
    reg = oidc.register_client(clientName="botocore-client-check", clientType="public",
                               scopes=["sso:account:access"])
    client = {"clientId": reg["clientId"], "clientSecret": reg["clientSecret"]}
    assert isinstance(reg["clientIdIssuedAt"], int) and reg["clientIdIssuedAt"] < 10**11, reg
    assert reg["clientSecretExpiresAt"] > reg["clientIdIssuedAt"], reg
    expect(oidc.exceptions.InvalidClientException, oidc.start_device_authorization,
           clientId=reg["clientId"], clientSecret="wrong", startUrl=START_URL)

    # Device flow: pending, slow down, approval through the control API, tokens.
    start = oidc.start_device_authorization(startUrl=START_URL, **client)
    for key in ("deviceCode", "userCode", "verificationUri", "verificationUriComplete"):
        assert isinstance(start[key], str), start
    assert start["verificationUriComplete"].endswith("user_code=" + start["userCode"]), start
    auto_approved = start["userCode"] not in control(url, "/_emulator/pending")["userCodes"]
    poll = dict(grantType=DEVICE_GRANT, deviceCode=start["deviceCode"], **client)
    if not auto_approved:
        e = expect(oidc.exceptions.AuthorizationPendingException, oidc.create_token, **poll)
        assert e.response["Error"]["Code"] == "AuthorizationPendingException", e.response
        assert e.response["error"] == "authorization_pending", e.response
        expect(oidc.exceptions.SlowDownException, oidc.create_token, **poll)
        approved = control(url, "/_emulator/approve", {"userCode": start["userCode"]})
        assert approved == {"approved": [start["userCode"]]}, approved
        time.sleep(start["interval"])
    token = oidc.create_token(**poll)
    assert token["tokenType"] == "Bearer" and token["expiresIn"] > 0, token
    assert token["refreshToken"], token
    expect(oidc.exceptions.InvalidGrantException, oidc.create_token, **poll)

    if not auto_approved:
        denied_start = oidc.start_device_authorization(startUrl=START_URL, **client)
        control(url, "/_emulator/deny", {"userCode": denied_start["userCode"]})
        expect(oidc.exceptions.AccessDeniedException, oidc.create_token, grantType=DEVICE_GRANT,
               deviceCode=denied_start["deviceCode"], **client)

    # Refresh rotates the refresh token.
    refreshed = oidc.create_token(grantType="refresh_token", refreshToken=token["refreshToken"], **client)
    expect(oidc.exceptions.InvalidGrantException, oidc.create_token, grantType="refresh_token",
           refreshToken=token["refreshToken"], **client)
    access = refreshed["accessToken"]

    # Portal: paginators, roles, role credentials.
    accounts = [a for page in sso.get_paginator("list_accounts").paginate(
        accessToken=access, PaginationConfig={"PageSize": 2}) for a in page["accountList"]]
    again = [a for page in sso.get_paginator("list_accounts").paginate(accessToken=access)
             for a in page["accountList"]]
    assert accounts and accounts == again, (accounts, again)
    assert len({a["accountId"] for a in accounts}) == len(accounts)
    for a in accounts:
        assert len(a["accountId"]) == 12 and a["accountName"] and "@" in a["emailAddress"], a
    stats = control(url, "/_emulator/stats")
    assert stats["requests"]["ListAccounts"] >= (len(accounts) + 1) // 2 + 1, stats

    account = accounts[0]["accountId"]
    roles = [r for page in sso.get_paginator("list_account_roles").paginate(
        accessToken=access, accountId=account, PaginationConfig={"PageSize": 1}) for r in page["roleList"]]
    assert roles and all(r["accountId"] == account for r in roles), roles
    creds = sso.get_role_credentials(accessToken=access, accountId=account,
                                     roleName=roles[0]["roleName"])["roleCredentials"]
    assert creds["accessKeyId"].startswith("ASIA"), creds
    assert abs(creds["expiration"] / 1000 - time.time() - 3600) < 60, creds
    who = control(url, "/_emulator/whoami?access_key_id=" + creds["accessKeyId"])
    assert who == {"accountId": account, "roleName": roles[0]["roleName"]}, who

    expect(sso.exceptions.InvalidRequestException, sso.list_accounts, accessToken=access, maxResults=101)
    expect_code("ForbiddenException", sso.list_account_roles, accessToken=access, accountId="000000000000")
    e = expect(sso.exceptions.UnauthorizedException, sso.list_accounts, accessToken="not-a-token")
    assert e.response["Error"]["Message"] == "Session token not found or invalid", e.response

    # Logout ends the session.
    sso.logout(accessToken=access)
    expect(sso.exceptions.UnauthorizedException, sso.list_accounts, accessToken=access)
    expect(oidc.exceptions.InvalidGrantException, oidc.create_token, grantType="refresh_token",
           refreshToken=refreshed["refreshToken"], **client)

    # Authorization code with PKCE, as the AWS CLI v2 registers and redeems it.
    pkce = oidc.register_client(clientName="botocore-client-pkce", clientType="public",
                                grantTypes=["authorization_code", "refresh_token"],
                                redirectUris=["http://127.0.0.1/oauth/callback"],
                                issuerUrl=START_URL, scopes=["sso:account:access"])
    pkce_client = {"clientId": pkce["clientId"], "clientSecret": pkce["clientSecret"]}
    verifier = "v" * 64
    import base64
    import hashlib
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    redirect_uri = "http://127.0.0.1:54321/oauth/callback"
    code = authorize_code(url, pkce["clientId"], redirect_uri, challenge)
    expect(oidc.exceptions.InvalidGrantException, oidc.create_token, grantType="authorization_code",
           code=code, redirectUri=redirect_uri, codeVerifier="w" * 64, **pkce_client)
    code = authorize_code(url, pkce["clientId"], redirect_uri, challenge)
    pkce_token = oidc.create_token(grantType="authorization_code", code=code, redirectUri=redirect_uri,
                                   codeVerifier=verifier, **pkce_client)
    assert pkce_token["accessToken"] and pkce_token["refreshToken"], pkce_token
    sso.list_accounts(accessToken=pkce_token["accessToken"], maxResults=1)

    print("OK")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
