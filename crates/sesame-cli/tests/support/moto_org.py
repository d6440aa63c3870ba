"""moto's server as an AWS organization for `sesame run --org --assume-role` tests.

  moto_org.py serve PORT
      moto.server on 127.0.0.1:PORT; exits when stdin closes. One patch to moto: STS
      AssumeRole of a role that does not exist in its account is refused with AccessDenied, as
      AWS refuses it (moto lets any ARN through). OrganizationAccountAccessRole, which AWS
      creates in every account Organizations creates, is taken as existing. With
      MOTO_LATENCY_FILE set, every AWS answer waits the milliseconds that file holds (read per
      request, so a benchmark can seed its world fast and then add a real endpoint's round trip).

  moto_org.py world ENDPOINT
      Seeds an organization with boto3: the management account, nested OUs (A, A/A1, B), a
      member account in each and a second one in A without the role, one closed account; the
      role `Sweeper` (allowed everything) in every account but one. Then two IAM users in the
      management account (`org-admin`: organizations and sts:AssumeRole; `no-rights`) and
      moto's signature and IAM checks on. Prints JSON: keys, OU ids, accounts by name, and the
      accounts of each OU's subtree.
"""

import json
import os
import sys
import threading

REGION = "us-east-1"
ROLE = "Sweeper"


def serve(argv):
    port = argv[0]
    from moto.iam.models import iam_backends
    from moto.sts import models
    from moto.sts.exceptions import STSClientError
    from moto.utilities.utils import get_partition

    original = models.STSBackend.assume_role

    def assume_role(self, region_name, role_session_name, role_arn, *args, **kwargs):
        account, name = role_arn.split(":")[4], role_arn.split("/")[-1]
        if name != "OrganizationAccountAccessRole":
            iam = iam_backends[account][get_partition(region_name)]
            if not any(r.arn == role_arn for r in iam.roles.values()):
                raise STSClientError(
                    "AccessDenied",
                    f"User is not authorized to perform: sts:AssumeRole on resource: {role_arn}",
                )
        return original(self, region_name, role_session_name, role_arn, *args, **kwargs)

    models.STSBackend.assume_role = assume_role

    latency_file = os.environ.get("MOTO_LATENCY_FILE")
    if latency_file:
        import time
        from moto.core.responses import BaseResponse

        dispatch = BaseResponse._dispatch

        def slow_dispatch(self, *args, **kwargs):
            try:
                with open(latency_file) as f:
                    time.sleep(int(f.read().strip() or 0) / 1000)
            except (OSError, ValueError):
                pass
            return dispatch(self, *args, **kwargs)

        BaseResponse._dispatch = slow_dispatch

    def watch_stdin():
        sys.stdin.read()
        os._exit(0)

    threading.Thread(target=watch_stdin, daemon=True).start()
    from moto.server import main

    main(["-H", "127.0.0.1", "-p", port])


def world(argv):
    endpoint = argv[0]
    import boto3
    import urllib.request

    def client(name, creds=None):
        creds = creds or {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
        return boto3.client(name, region_name=REGION, endpoint_url=endpoint, **creds)

    org = client("organizations")
    management = org.create_organization(FeatureSet="ALL")["Organization"]["MasterAccountId"]
    root = org.list_roots()["Roots"][0]["Id"]
    a = org.create_organizational_unit(ParentId=root, Name="A")["OrganizationalUnit"]["Id"]
    a1 = org.create_organizational_unit(ParentId=a, Name="A1")["OrganizationalUnit"]["Id"]
    b = org.create_organizational_unit(ParentId=root, Name="B")["OrganizationalUnit"]["Id"]
    accounts = {"management": management}

    def account(name, parent):
        status = org.create_account(Email=f"{name}@example.com", AccountName=name)["CreateAccountStatus"]
        aid = status["AccountId"]
        if parent != root:
            org.move_account(AccountId=aid, SourceParentId=root, DestinationParentId=parent)
        accounts[name] = aid
        return aid

    account("in-root", root)
    account("in-a", a)
    account("in-a-no-role", a)
    account("in-a1", a1)
    account("in-b", b)
    closed = account("closed", b)
    org.close_account(AccountId=closed)

    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]}
    everything = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    sts = client("sts")
    for name, aid in accounts.items():
        if name in ("in-a-no-role", "closed"):
            continue
        if aid == management:
            iam = client("iam")
        else:
            c = sts.assume_role(
                RoleArn=f"arn:aws:iam::{aid}:role/OrganizationAccountAccessRole", RoleSessionName="seed"
            )["Credentials"]
            iam = client("iam", {"aws_access_key_id": c["AccessKeyId"], "aws_secret_access_key": c["SecretAccessKey"], "aws_session_token": c["SessionToken"]})
        iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument=json.dumps(trust))
        iam.put_role_policy(RoleName=ROLE, PolicyName="all", PolicyDocument=json.dumps(everything))

    iam = client("iam")
    keys = {}
    for user, actions in [("org-admin", ["organizations:*", "sts:AssumeRole"]), ("no-rights", ["sts:AssumeRole"])]:
        iam.create_user(UserName=user)
        policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]}
        iam.put_user_policy(UserName=user, PolicyName="p", PolicyDocument=json.dumps(policy))
        k = iam.create_access_key(UserName=user)["AccessKey"]
        keys[user] = {"id": k["AccessKeyId"], "secret": k["SecretAccessKey"]}

    # The truth of each subtree, from boto3 (ListChildren, a different call from sesame's).
    def subtree(parent):
        out = [x["Id"] for x in org.list_children(ParentId=parent, ChildType="ACCOUNT")["Children"]]
        for ou in org.list_children(ParentId=parent, ChildType="ORGANIZATIONAL_UNIT")["Children"]:
            out += subtree(ou["Id"])
        return out

    active = {x["Id"] for x in org.list_accounts()["Accounts"] if x.get("Status", x.get("State")) == "ACTIVE"}
    trees = {name: sorted(set(subtree(ou)) & active) for name, ou in [("root", root), ("A", a), ("A1", a1), ("B", b)]}
    urllib.request.urlopen(
        urllib.request.Request(endpoint + "/moto-api/reset-auth", data=b"0", method="POST", headers={"Content-Type": "text/plain"})
    ).read()
    print(json.dumps({"keys": keys, "ous": {"root": root, "A": a, "A1": a1, "B": b}, "accounts": accounts, "active": sorted(active), "trees": trees}))


if __name__ == "__main__":
    {"serve": serve, "world": world}[sys.argv[1]](sys.argv[2:])
