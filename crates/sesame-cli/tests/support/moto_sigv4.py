"""A moto server on a free loopback port that VERIFIES SigV4 (botocore's SigV4Auth/S3SigV4Auth,
moto's INITIAL_NO_AUTH_ACTION_COUNT=0), with an IAM user and an assumed role allowed everything.

Prints one JSON line: {"url", "user": {key, secret}, "role": {key, secret, token}, "account"}
then serves until its stdin closes (the test drops it) or it is killed.

Usage: python3 moto_sigv4.py
"""

import json
import sys

try:
    import boto3
    from moto import settings
    from moto.core.authorization import ActionAuthenticatorMixin
    from moto.moto_server.threaded_moto_server import ThreadedMotoServer
    from moto.sts.exceptions import STSValidationError
    from moto.sts.responses import TokenResponse
except ImportError as e:  # a failure with a hint, never a skip
    sys.stderr.write(f"missing Python package ({e}): pip install -r requirements-test.txt\n")
    sys.exit(3)

# STS's AssumeRoleWithWebIdentity and AssumeRoleWithSAML are unsigned by design (the token or
# assertion is the credential); moto would demand a signature on them once checking is on.
NO_AUTH_ACTIONS = {"AssumeRoleWithWebIdentity", "AssumeRoleWithSAML"}
_check = ActionAuthenticatorMixin._authenticate_and_authorize_action


def _authenticate(self, iam_request_cls, resource="*"):
    if self._get_action() in NO_AUTH_ACTIONS and "Authorization" not in self.headers:
        return None
    return _check(self, iam_request_cls, resource)


ActionAuthenticatorMixin._authenticate_and_authorize_action = _authenticate

# moto ignores MFA; like STS, refuse an AssumeRole naming a SerialNumber without a six-digit
# TokenCode.
_assume_role = TokenResponse.assume_role


def _assume_role_with_mfa(self):
    code = self._get_param("TokenCode") or ""
    if self._get_param("SerialNumber") and not (len(code) == 6 and code.isdigit()):
        raise STSValidationError("MultiFactorAuthentication failed with invalid MFA one time pass code.")
    return _assume_role(self)


TokenResponse.assume_role = _assume_role_with_mfa

ALLOW_ALL = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
)


def main() -> None:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    kw = dict(
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="AKIASETUPSETUPSETUP0",
        aws_secret_access_key="setup",
    )
    iam = boto3.client("iam", **kw)
    iam.create_user(UserName="tester")
    iam.put_user_policy(UserName="tester", PolicyName="all", PolicyDocument=ALLOW_ALL)
    key = iam.create_access_key(UserName="tester")["AccessKey"]
    trust = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}],
        }
    )
    role = iam.create_role(RoleName="Admin", AssumeRolePolicyDocument=trust)["Role"]
    iam.put_role_policy(RoleName="Admin", PolicyName="all", PolicyDocument=ALLOW_ALL)
    sts = boto3.client(
        "sts",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id=key["AccessKeyId"],
        aws_secret_access_key=key["SecretAccessKey"],
    )
    assumed = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="sesame-test")["Credentials"]
    # From now on every request must be signed correctly.
    settings.INITIAL_NO_AUTH_ACTION_COUNT = 0
    ActionAuthenticatorMixin.request_count = 0
    print(
        json.dumps(
            {
                "url": url,
                "account": "123456789012",
                "user": {"key": key["AccessKeyId"], "secret": key["SecretAccessKey"]},
                "role": {
                    "key": assumed["AccessKeyId"],
                    "secret": assumed["SecretAccessKey"],
                    "token": assumed["SessionToken"],
                },
            }
        ),
        flush=True,
    )
    sys.stdin.read()
    server.stop()


if __name__ == "__main__":
    main()
