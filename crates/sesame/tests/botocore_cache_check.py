#!/usr/bin/env python3
"""Checks sesame's cache files against the real botocore, byte for byte.

Usage:
    botocore_cache_check.py write DIR   botocore writes the fixture into DIR/botocore/
    botocore_cache_check.py check DIR   compares DIR/sesame/ with DIR/botocore/ byte for byte,
                                        then reads DIR/sesame/ with botocore's own readers
    botocore_cache_check.py DIR         both

Exit status 0 when everything matches; 1 with one line per problem otherwise; 3 (with a hint on
stderr) when botocore is not installed for this python3. The Rust test
`cache::botocore_check::sesame_and_botocore_write_the_same_cache_files` runs write, then its own
half, then check.

`write` drives botocore's own code paths, with botocore's Stubber in place of the network:
  - the sso-session token is the file SSOTokenProvider writes when it refreshes a token that
    expires within 15 minutes (JSONFileCache with _sso_json_dumps, SSOTokenLoader.save_token);
  - role credentials are what SSOCredentialFetcher.fetch_credentials caches after a
    GetRoleCredentials call (JSONFileCache, the cache the AWS CLI v2 injects);
  - the legacy token and the client registrations are the dicts the AWS CLI v2's
    SSOTokenFetcher / SSOTokenFetcherAuth build (awscli/botocore/utils.py, v2 branch; pip's
    botocore does not ship them), stored through JSONFileCache with _sso_json_dumps under the
    CLI v2's own key function, quoted below.

sesame must write the same logical content into DIR/sesame/ (same relative paths):

  sso/cache/0ad374308c5a4e22f723adf10145eafad7c4031c.json   token, sso-session "my-sso":
      startUrl START_URL, region us-east-1, accessToken "at-refreshed",
      expiresAt 2026-11-22T15:34:04Z, clientId "cid", clientSecret "csecret",
      registrationExpiresAt 2027-02-10T07:34:04Z, refreshToken "rt-new"
  sso/cache/7487b5b67d5fa1132cf33fa93ae51ef38cc37752.json   token, legacy START_URL:
      startUrl, region us-east-1, accessToken "at-legacy", expiresAt 2036-08-01T12:00:00Z,
      clientId "cid-legacy", clientSecret "csecret-legacy",
      registrationExpiresAt 2027-02-10T07:34:04Z (no refreshToken)
  sso/cache/8b2cedd020fb181ad4cf906d1d27b232fd31557e.json   registration (device code),
      key (START_URL, us-east-1, scopes None, "my-sso"): clientId "cid",
      clientSecret "csecret", expiresAt 2027-02-10T07:34:04Z
  sso/cache/<key with scopes ["sso:account:access"]>.json   registration (PKCE): clientId
      "cid-pkce", clientSecret "csecret-pkce", expiresAt 2027-02-10T07:34:04Z,
      scopes ["sso:account:access"], grantTypes ["authorization_code", "refresh_token"]
  cli/cache/0521d1f6a6c4e68f9e18540309367cc3cccb6305.json   role credentials, (111122223333,
      ReadOnly, session my-sso): ASIAEXAMPLE / "sk/+secret" / "st==",
      Expiration 2036-11-22T08:37:06Z, AccountId 111122223333
  cli/cache/417c90ed1b57b636208f01348e75fbf5c9a91a50.json   role credentials, legacy
      (111122223333, ReadOnly, START_URL): ASIALEGACY / "sk-legacy" / "st-legacy",
      Expiration 2036-11-22T08:37:06Z, AccountId 111122223333
"""

import datetime
import hashlib
import json
import os
import shutil
import sys

try:
    import botocore
    import botocore.session
    from botocore import UNSIGNED
    from botocore.config import Config
    from botocore.credentials import SSOCredentialFetcher
    from botocore.stub import Stubber
    from botocore.tokens import SSOTokenProvider, _sso_json_dumps
    from botocore.utils import JSONFileCache, SSOTokenLoader
    from dateutil.tz import tzutc
except ImportError as e:
    print(
        f"{e}: botocore is not installed for {sys.executable}\n"
        "hint: python3 -m pip install -r requirements-test.txt",
        file=sys.stderr,
    )
    sys.exit(3)

START_URL = "https://d-1234567890.awsapps.com/start"
REGION = "us-east-1"
SESSION = "my-sso"
ACCOUNT = "111122223333"
ROLE = "ReadOnly"
NOW = datetime.datetime(2026, 11, 22, 7, 34, 4, tzinfo=tzutc())
REGISTRATION_EXPIRES = 1802244844  # clientSecretExpiresAt: 2027-02-10T07:34:04Z
ROLE_EXPIRATION_MS = 2110955826000  # 2036-11-22T08:37:06Z
LEGACY_TOKEN_EXPIRES = datetime.datetime(2036, 8, 1, 12, 0, 0, tzinfo=tzutc())
PKCE_SCOPES = ["sso:account:access"]


# --- quoted from the AWS CLI v2 (awscli/botocore/utils.py, BaseSSOTokenFetcher) -------------
def registration_cache_key(start_url, region, session_name, scopes):
    args = {
        'tool': 'botocore',
        'startUrl': start_url,
        'region': region,
        'scopes': scopes,
        'session_name': session_name,
    }
    cache_args = json.dumps(args, sort_keys=True).encode('utf-8')
    return hashlib.sha1(cache_args).hexdigest()


def is_expired(response, now, window=15 * 60):
    import dateutil.parser

    end_time = response['expiresAt']
    if not isinstance(end_time, datetime.datetime):
        end_time = dateutil.parser.parse(end_time)
    return (end_time - now).total_seconds() < window


def is_registration_for_auth_code(registration):
    return (
        'grantTypes' in registration
        and 'authorization_code' in registration['grantTypes']
    )


# ----------------------------------------------------------------------------------------------


def sso_cache(root):
    return JSONFileCache(os.path.join(root, "sso", "cache"), dumps_func=_sso_json_dumps)


def cli_cache(root):
    return JSONFileCache(os.path.join(root, "cli", "cache"))


def client(service):
    return botocore.session.get_session().create_client(
        service, region_name=REGION, config=Config(signature_version=UNSIGNED)
    )


class FixedToken:
    """What SSOCredentialFetcher expects from a token provider."""

    def __init__(self, token):
        self.token = token

    def load_token(self):
        return self

    def get_frozen_token(self):
        return self


def token_provider(root, oidc, now):
    provider = SSOTokenProvider(
        session=None, cache=sso_cache(root), time_fetcher=lambda: now, profile_name="dev"
    )
    # Both are CachedProperty values: set them as the first access would.
    provider.__dict__["_sso_config"] = {
        "session_name": SESSION,
        "sso_region": REGION,
        "sso_start_url": START_URL,
    }
    provider.__dict__["_client"] = oidc
    return provider


def role_fetcher(root, sso, session_name, token_provider=None, token_loader=None):
    return SSOCredentialFetcher(
        START_URL,
        REGION,
        ROLE,
        ACCOUNT,
        lambda service, config=None: sso,
        token_loader=token_loader,
        cache=cli_cache(root),
        token_provider=token_provider,
        sso_session_name=session_name,
    )


def write(dir_):
    root = os.path.join(dir_, "botocore")
    shutil.rmtree(root, ignore_errors=True)  # botocore would read a previous run's cache
    tokens = sso_cache(root)

    # 1. The sso-session token, as SSOTokenProvider rewrites it after a refresh.
    loader = SSOTokenLoader(cache=tokens)
    loader.save_token(
        START_URL,
        {
            "startUrl": START_URL,
            "region": REGION,
            "accessToken": "at-old",
            "expiresAt": NOW + datetime.timedelta(minutes=5),
            "clientId": "cid",
            "clientSecret": "csecret",
            "registrationExpiresAt": datetime.datetime.fromtimestamp(
                REGISTRATION_EXPIRES, tzutc()
            ),
            "refreshToken": "rt-old",
        },
        session_name=SESSION,
    )
    oidc = client("sso-oidc")
    with Stubber(oidc) as stub:
        stub.add_response(
            "create_token",
            {"accessToken": "at-refreshed", "tokenType": "Bearer", "expiresIn": 28800,
             "refreshToken": "rt-new"},
            {"grantType": "refresh_token", "clientId": "cid", "clientSecret": "csecret",
             "refreshToken": "rt-old"},
        )
        frozen = token_provider(root, oidc, NOW).load_token().get_frozen_token()
        stub.assert_no_pending_responses()
    assert frozen.token == "at-refreshed", frozen

    # 2. A legacy (start URL) token as the CLI v2 device flow stores it.
    tokens[hashlib.sha1(START_URL.encode("utf-8")).hexdigest()] = {
        "startUrl": START_URL,
        "region": REGION,
        "accessToken": "at-legacy",
        "expiresAt": LEGACY_TOKEN_EXPIRES,
        "clientId": "cid-legacy",
        "clientSecret": "csecret-legacy",
        "registrationExpiresAt": datetime.datetime.fromtimestamp(REGISTRATION_EXPIRES, tzutc()),
    }

    # 3. Client registrations, as SSOTokenFetcher / SSOTokenFetcherAuth._register_client build them.
    expires = datetime.datetime.fromtimestamp(REGISTRATION_EXPIRES, tzutc())
    tokens[registration_cache_key(START_URL, REGION, SESSION, None)] = {
        "clientId": "cid",
        "clientSecret": "csecret",
        "expiresAt": expires,
    }
    tokens[registration_cache_key(START_URL, REGION, SESSION, PKCE_SCOPES)] = {
        "clientId": "cid-pkce",
        "clientSecret": "csecret-pkce",
        "expiresAt": expires,
        "scopes": PKCE_SCOPES,
        "grantTypes": ("authorization_code", "refresh_token"),
    }

    # 4. Role credentials, as SSOCredentialFetcher caches a GetRoleCredentials answer.
    for session_name, akid, secret, session_token, bearer in [
        (SESSION, "ASIAEXAMPLE", "sk/+secret", "st==", "at-refreshed"),
        (None, "ASIALEGACY", "sk-legacy", "st-legacy", "at-legacy"),
    ]:
        sso = client("sso")
        with Stubber(sso) as stub:
            stub.add_response(
                "get_role_credentials",
                {"roleCredentials": {"accessKeyId": akid, "secretAccessKey": secret,
                                     "sessionToken": session_token,
                                     "expiration": ROLE_EXPIRATION_MS}},
                {"roleName": ROLE, "accountId": ACCOUNT, "accessToken": bearer},
            )
            if session_name:
                fetcher = role_fetcher(root, sso, session_name, token_provider=FixedToken(bearer))
            else:
                fetcher = role_fetcher(root, sso, None, token_loader=SSOTokenLoader(cache=tokens))
            creds = fetcher.fetch_credentials()
            stub.assert_no_pending_responses()
        assert creds["access_key"] == akid, creds

    files = sorted(
        os.path.relpath(os.path.join(d, f), root)
        for d, _, fs in os.walk(root)
        for f in fs
    )
    print(f"botocore {botocore.__version__} wrote {len(files)} files under {root}:")
    for f in files:
        print(f"  {f}")


def check(dir_):
    problems = []
    ours_root = os.path.join(dir_, "sesame")
    theirs_root = os.path.join(dir_, "botocore")

    def listing(root):
        return sorted(
            os.path.relpath(os.path.join(d, f), root)
            for d, _, fs in os.walk(root)
            for f in fs
            if f.endswith(".json")
        )

    ours, theirs = listing(ours_root), listing(theirs_root)
    if not theirs:
        problems.append(f"no botocore files under {theirs_root}: run `write` first")
    if ours != theirs:
        problems.append(f"file sets differ: sesame {ours}, botocore {theirs}")
    for rel in sorted(set(ours) & set(theirs)):
        with open(os.path.join(ours_root, rel), "rb") as f:
            a = f.read()
        with open(os.path.join(theirs_root, rel), "rb") as f:
            b = f.read()
        if a != b:
            problems.append(f"{rel} differs:\n    sesame:   {a!r}\n    botocore: {b!r}")
        else:
            print(f"identical: {rel} ({len(a)} bytes)")

    if not ours:
        problems.append(f"no sesame files under {ours_root}: write the fixture first")
    else:
        try:
            problems.extend(read_with_botocore(dir_, ours_root))
        except Exception as e:  # report, with no traceback: a clear line is the contract
            problems.append(f"botocore could not use sesame's files: {type(e).__name__}: {e}")

    if problems:
        for p in problems:
            print(f"PROBLEM: {p}")
        return 1
    print("botocore reads sesame's files, and sesame writes botocore's bytes")
    return 0


def read_with_botocore(dir_, ours_root):
    """Reads sesame's files with botocore's own readers; returns the problems found."""
    problems = []
    tokens = sso_cache(ours_root)
    token = SSOTokenLoader(cache=tokens)(START_URL, session_name=SESSION)
    if token.get("accessToken") != "at-refreshed":
        problems.append("SSOTokenLoader did not read sesame's sso-session token")
    # Well before expiry: botocore uses the token as is (the stub fails any OIDC call).
    oidc = client("sso-oidc")
    with Stubber(oidc):
        frozen = token_provider(ours_root, oidc, NOW).load_token().get_frozen_token()
    if frozen.token != "at-refreshed":
        problems.append(f"SSOTokenProvider returned {frozen.token!r}")
    # Within the refresh window: botocore refreshes with the registration sesame cached.
    refresh_root = os.path.join(dir_, "refresh")
    shutil.rmtree(refresh_root, ignore_errors=True)
    rel = f"sso/cache/{hashlib.sha1(SESSION.encode()).hexdigest()}.json"
    os.makedirs(os.path.dirname(os.path.join(refresh_root, rel)), exist_ok=True)
    with open(os.path.join(ours_root, rel), "rb") as src:
        with open(os.path.join(refresh_root, rel), "wb") as dst:
            dst.write(src.read())
    oidc = client("sso-oidc")
    with Stubber(oidc) as stub:
        stub.add_response(
            "create_token",
            {"accessToken": "at-3", "tokenType": "Bearer", "expiresIn": 3600},
            {"grantType": "refresh_token", "clientId": "cid", "clientSecret": "csecret",
             "refreshToken": "rt-new"},
        )
        late = datetime.datetime(2026, 11, 22, 15, 24, 4, tzinfo=tzutc())
        frozen = token_provider(refresh_root, oidc, late).load_token().get_frozen_token()
        stub.assert_no_pending_responses()
    if frozen.token != "at-3":
        problems.append("botocore did not refresh sesame's token")

    legacy = SSOTokenLoader(cache=tokens)(START_URL)
    if legacy.get("accessToken") != "at-legacy":
        problems.append("SSOTokenLoader did not read sesame's legacy token")

    device = tokens[registration_cache_key(START_URL, REGION, SESSION, None)]
    pkce = tokens[registration_cache_key(START_URL, REGION, SESSION, PKCE_SCOPES)]
    if is_expired(device, NOW) or is_registration_for_auth_code(device):
        problems.append("the CLI v2 would not reuse sesame's device-code registration")
    if is_expired(pkce, NOW) or not is_registration_for_auth_code(pkce):
        problems.append("the CLI v2 would not reuse sesame's PKCE registration")

    # Role credentials come from sesame's cache: the stubbed client has no answer to give.
    for session_name, akid, kwargs in [
        (SESSION, "ASIAEXAMPLE", {"token_provider": FixedToken("unused")}),
        (None, "ASIALEGACY", {"token_loader": SSOTokenLoader(cache=tokens)}),
    ]:
        sso = client("sso")
        with Stubber(sso):
            creds = role_fetcher(ours_root, sso, session_name, **kwargs).fetch_credentials()
        want = {"access_key": akid, "expiry_time": "2036-11-22T08:37:06Z",
                "account_id": ACCOUNT}
        got = {k: creds.get(k) for k in want}
        if got != want:
            problems.append(f"SSOCredentialFetcher read {got}, expected {want}")
    return problems


def main(argv):
    if len(argv) == 2:
        write(argv[1])
        return check(argv[1])
    if len(argv) == 3 and argv[1] in ("write", "check"):
        if argv[1] == "write":
            write(argv[2])
            return 0
        return check(argv[2])
    print(__doc__.split("\n\n")[1], file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
