"""Resolves a profile's credentials with real botocore the way the AWS CLI does (its
AssumeRoleProvider and AssumeRoleWithWebIdentityProvider given a JSONFileCache on
~/.aws/cli/cache), calls STS GetCallerIdentity with them, and prints one JSON line:
{"arn": ..., "assume_calls": N} where N counts the AssumeRole* calls botocore made (0 when it
reused a cache entry).

Usage: HOME=... AWS_ENDPOINT_URL=... python3 assume_role_interop.py PROFILE
"""

import json
import os
import sys

try:
    import botocore.session
    from botocore.credentials import JSONFileCache
except ImportError as e:  # a failure with a hint, never a skip
    sys.stderr.write(f"missing Python package ({e}): pip install -r requirements-test.txt\n")
    sys.exit(3)


def main() -> None:
    session = botocore.session.Session(profile=sys.argv[1])
    calls = []
    for op in ("AssumeRole", "AssumeRoleWithWebIdentity"):
        session.register(f"before-call.sts.{op}", lambda **kw: calls.append(1))
    # What awscli/customizations/assumerole.py does.
    chain = session.get_component("credential_provider")
    cache = JSONFileCache(os.path.expanduser(os.path.join("~", ".aws", "cli", "cache")))
    chain.get_provider("assume-role").cache = cache
    chain.get_provider("assume-role-with-web-identity").cache = cache
    sts = session.create_client("sts", region_name="us-east-1")
    arn = sts.get_caller_identity()["Arn"]
    print(json.dumps({"arn": arn, "assume_calls": len(calls)}))


if __name__ == "__main__":
    main()
