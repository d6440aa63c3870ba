"""moto's server as the Identity Center admin backend for `sesame admin` tests.

  moto_admin.py serve PORT [--no-instance-region R]... [--latency-ms N]
                           [--multi-region PRIMARY ADDED]
      moto.server on 127.0.0.1:PORT; exits when stdin closes (so a test process that dies
      takes the server with it). --latency-ms delays every answer, as a real endpoint's
      round trip does (for benchmarks; requests are served on threads, so delays overlap). moto creates an Identity Center instance in every region;
      real AWS has none where Identity Center is not enabled, which moto cannot express, so
      the regions named here start with none.

      moto 5.2.1 raises NotImplementedError (an HTML 500) for an operation it lacks, such as
      sso-admin ListRegions; AWS answers an operation a service does not have with a 400
      `UnknownOperationException`, and so does this server. GET /_calls lists the
      `[X-Amz-Target, signing region]` of every request since the last DELETE /_calls (which
      answers the same, then forgets them; moto
      picks the backend by the signing region of a loopback request).

      --multi-region PRIMARY ADDED: the instance of PRIMARY is also enabled in ADDED, as AWS's
      multi-Region Identity Center: ListRegions (in either) names both, PRIMARY primary;
      ListInstances in ADDED returns PRIMARY's instance; ADDED's identity store is PRIMARY's
      (replicated, the same users, groups and memberships); in ADDED every other sso-admin
      operation is refused, as AWS serves permission-set and assignment operations only in
      the primary Region ("APIs supported in additional Regions"). AWS does not document the
      error it answers there; a 400 ValidationException is this server's choice.

  moto_admin.py small-world ENDPOINT
      Seeds a small instance in us-east-1 (accounts, users, a group, permission sets,
      assignments) and prints its ARN, identity store and assignment count as JSON.

  moto_admin.py world ENDPOINT
      Seeds an organization (nested OUs, accounts), identity store users, groups and
      memberships, permission sets (provisioned) and assignments with boto3, then prints JSON:
      the seeded ids and, for each filter case, the sesame arguments and the rows expected,
      computed from the backend with boto3 (ListAccountAssignmentsForPrincipal, a different
      path from sesame's walk) and the filter's meaning. Last, it creates two IAM users (one
      allowed sso, identitystore and organizations, one allowed nothing) and turns on moto's
      signature and IAM checks, so every later call must be signed right.
"""

import fnmatch
import json
import os
import sys
import threading

REGION = "us-east-1"


def serve(argv):
    port = argv[0]
    no_instance = {argv[i + 1] for i, a in enumerate(argv) if a == "--no-instance-region"}
    if no_instance:
        from moto.ssoadmin import models

        original = models.SSOAdminBackend.__init__

        def init(self, region_name, account_id):
            original(self, region_name, account_id)
            if region_name in no_instance:
                self.instances = []

        models.SSOAdminBackend.__init__ = init

    if "--latency-ms" in argv:
        import time
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication

        delay = float(argv[argv.index("--latency-ms") + 1]) / 1000
        call = DomainDispatcherApplication.__call__

        def slow(self, environ, start_response):
            if not environ.get("PATH_INFO", "").startswith("/moto-api"):
                time.sleep(delay)
            return call(self, environ, start_response)

        DomainDispatcherApplication.__call__ = slow

    unknown_operations()
    record_calls()
    if "--multi-region" in argv:
        i = argv.index("--multi-region")
        multi_region(argv[i + 1], argv[i + 2])

    def watch_stdin():
        sys.stdin.read()
        os._exit(0)

    threading.Thread(target=watch_stdin, daemon=True).start()
    from moto.server import main

    main(["-H", "127.0.0.1", "-p", port])


def unknown_operations():
    """An operation moto lacks is a 400 UnknownOperationException, as AWS answers it."""
    from moto.core.responses import BaseResponse

    call = BaseResponse.call_action

    def call_action(self):
        try:
            return call(self)
        except NotImplementedError:
            body = {"__type": "UnknownOperationException", "message": f"unknown operation {self._get_action()}"}
            return 400, {"x-amzn-errortype": "UnknownOperationException", "content-type": "application/x-amz-json-1.1"}, json.dumps(body)

    BaseResponse.call_action = call_action


CALLS = []


def record_calls():
    """GET /_calls: the [target, signing region] of each request since the last DELETE /_calls
    (which answers the same, then forgets them)."""
    import re
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    call = DomainDispatcherApplication.__call__
    scope = re.compile(r"Credential=[^/]+/\d{8}/([^/]+)/")

    def recorded(self, environ, start_response):
        if environ.get("PATH_INFO") == "/_calls":
            body = json.dumps(CALLS).encode()
            if environ.get("REQUEST_METHOD") == "DELETE":
                CALLS.clear()
            start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
            return [body]
        target = environ.get("HTTP_X_AMZ_TARGET")
        if target:
            region = scope.search(environ.get("HTTP_AUTHORIZATION", ""))
            CALLS.append([target, region.group(1) if region else None])
        return call(self, environ, start_response)

    DomainDispatcherApplication.__call__ = recorded


REGIONAL = {"ListInstances", "ListRegions", "DescribeRegion"}


def multi_region(primary, added):
    from moto.identitystore import models as identitystore
    from moto.ssoadmin import models, responses

    backends = models.ssoadmin_backends

    list_instances = models.SSOAdminBackend.list_instances

    def instances(self):
        if self.region_name == added:
            return list_instances(backends[self.account_id][primary])
        return list_instances(self)

    models.SSOAdminBackend.list_instances = instances

    def list_regions(self):
        arn = json.loads(self.body or "{}").get("InstanceArn")
        mine = self.ssoadmin_backend.list_instances()
        if not any(i.instance_arn == arn for i in mine):
            body = {"__type": "ResourceNotFoundException", "message": f"no instance {arn}"}
            return json.dumps(body), {"status": 400, "x-amzn-errortype": "ResourceNotFoundException"}
        if self.region in (primary, added):
            names = [primary, added]
        else:
            names = [self.region]
        regions = [
            {"RegionName": r, "Status": "ACTIVE", "AddedDate": 1.7e9, "IsPrimaryRegion": r == names[0]}
            for r in names
        ]
        return json.dumps({"Regions": regions})

    responses.SSOAdminResponse.list_regions = list_regions

    call = responses.SSOAdminResponse.call_action

    def call_action(self):
        action = self._get_action()
        if self.region == added and action not in REGIONAL:
            body = {
                "__type": "ValidationException",
                "message": f"{action} is served in the instance's primary Region {primary} only",
            }
            return 400, {"x-amzn-errortype": "ValidationException", "content-type": "application/x-amz-json-1.1"}, json.dumps(body)
        return call(self)

    responses.SSOAdminResponse.call_action = call_action

    stores = identitystore.identitystore_backends
    init = identitystore.IdentityStoreBackend.__init__

    def replicated(self, region_name, account_id):
        init(self, region_name, account_id)
        if region_name == added:
            self.identity_stores = stores[account_id][primary].identity_stores

    identitystore.IdentityStoreBackend.__init__ = replicated


def clients(endpoint):
    import boto3

    def c(name):
        return boto3.client(
            name,
            region_name=REGION,
            endpoint_url=endpoint,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    return c("organizations"), c("sso-admin"), c("identitystore")


def glob(pattern, name):
    return fnmatch.fnmatchcase(name.lower(), pattern.lower())


def world(endpoint):
    org, sso, ids = clients(endpoint)

    # -- organization: root > workloads > prod > prod-eu; root > sandbox (22 accounts: more
    # than one page of ListAccountsForParent, whose page is 20 in moto)
    org.create_organization(FeatureSet="ALL")
    root = org.list_roots()["Roots"][0]["Id"]

    def ou(parent, name):
        return org.create_organizational_unit(ParentId=parent, Name=name)["OrganizationalUnit"]["Id"]

    ous = {"workloads": ou(root, "workloads")}
    ous["prod"] = ou(ous["workloads"], "prod")
    ous["prod-eu"] = ou(ous["prod"], "prod-eu")
    ous["sandbox"] = ou(root, "sandbox")

    accounts = {}  # name -> id
    placement = {}  # id -> parent

    def account(name, parent):
        status = org.create_account(Email=f"{name}@example.com", AccountName=name)["CreateAccountStatus"]
        aid = status["AccountId"]
        org.move_account(AccountId=aid, SourceParentId=root, DestinationParentId=parent)
        accounts[name] = aid
        placement[aid] = parent

    account("prod-api", ous["prod"])
    account("prod-web", ous["prod-eu"])
    account("dev-api", ous["workloads"])
    account("security", root)
    for i in range(1, 23):
        account(f"sandbox-{i:02d}", ous["sandbox"])
    master = [a for a in org.list_accounts()["Accounts"] if a["Id"] not in placement][0]
    accounts[master["Name"]] = master["Id"]
    placement[master["Id"]] = root
    account_names = {v: k for k, v in accounts.items()}

    # -- Identity Center
    instance = sso.list_instances()["Instances"][0]
    inst, store = instance["InstanceArn"], instance["IdentityStoreId"]
    users = {}
    for name in ["alice", "bob", "carol", "dave", "erin"]:
        users[name] = ids.create_user(
            IdentityStoreId=store,
            UserName=name,
            DisplayName=name.title(),
            Name={"GivenName": name.title(), "FamilyName": "Example"},
        )["UserId"]
    groups = {}
    for name in ["eng-admins", "eng-readers", "auditors"]:
        groups[name] = ids.create_group(IdentityStoreId=store, DisplayName=name)["GroupId"]
    for group, members in {
        "eng-admins": ["alice", "bob"],
        "eng-readers": ["carol", "alice"],
        "auditors": ["dave"],
    }.items():
        for m in members:
            ids.create_group_membership(
                IdentityStoreId=store, GroupId=groups[group], MemberId={"UserId": users[m]}
            )

    psets = {}
    for name in ["AdminAccess", "ReadOnly", "ReadOnlyBilling", "Unused", "NotProvisioned"]:
        psets[name] = sso.create_permission_set(InstanceArn=inst, Name=name)["PermissionSet"]["PermissionSetArn"]
    # Real AWS provisions a permission set when an assignment uses it; moto does not, and
    # lists only provisioned sets (for every account alike), so provision them here.
    for name in ["AdminAccess", "ReadOnly", "ReadOnlyBilling", "Unused"]:
        sso.provision_permission_set(InstanceArn=inst, PermissionSetArn=psets[name], TargetType="ALL_PROVISIONED_ACCOUNTS")

    def assign(ptype, principal, pset, account_name):
        pid = users[principal] if ptype == "USER" else groups[principal]
        sso.create_account_assignment(
            InstanceArn=inst,
            TargetId=accounts[account_name],
            TargetType="AWS_ACCOUNT",
            PermissionSetArn=psets[pset],
            PrincipalType=ptype,
            PrincipalId=pid,
        )

    assign("USER", "alice", "AdminAccess", "prod-api")
    assign("USER", "bob", "ReadOnly", "dev-api")
    assign("GROUP", "eng-admins", "AdminAccess", "prod-web")
    assign("GROUP", "eng-admins", "AdminAccess", "dev-api")
    assign("GROUP", "eng-readers", "ReadOnly", "prod-api")
    assign("GROUP", "eng-readers", "ReadOnly", "prod-web")
    assign("GROUP", "eng-readers", "ReadOnly", "sandbox-03")
    assign("GROUP", "auditors", "ReadOnly", "security")
    assign("GROUP", "auditors", "ReadOnlyBilling", master["Name"])
    assign("USER", "carol", "ReadOnlyBilling", "sandbox-07")
    assign("USER", "carol", "ReadOnly", "sandbox-21")

    # -- what the backend says, through boto3 (per principal, not sesame's per-account walk)
    truth = []
    user_names = {u["UserId"]: u["UserName"] for u in ids.list_users(IdentityStoreId=store)["Users"]}
    group_names = {g["GroupId"]: g["DisplayName"] for g in ids.list_groups(IdentityStoreId=store)["Groups"]}
    for ptype, table in [("USER", user_names), ("GROUP", group_names)]:
        for pid in table:
            pages = sso.get_paginator("list_account_assignments_for_principal").paginate(
                InstanceArn=inst, PrincipalId=pid, PrincipalType=ptype
            )
            for page in pages:
                for a in page["AccountAssignments"]:
                    truth.append((ptype, pid, a["PermissionSetArn"], a["AccountId"]))
    members = {g: [] for g in group_names}
    for uid in user_names:
        for m in ids.list_group_memberships_for_member(IdentityStoreId=store, MemberId={"UserId": uid})["GroupMemberships"]:
            members[m["GroupId"]].append(uid)
    ps_names = {
        arn: sso.describe_permission_set(InstanceArn=inst, PermissionSetArn=arn)["PermissionSet"]["Name"]
        for arn in sso.list_permission_sets(InstanceArn=inst)["PermissionSets"]
    }
    org_accounts = {}
    for page in org.get_paginator("list_accounts").paginate():
        for a in page["Accounts"]:
            org_accounts[a["Id"]] = a["Name"]

    def principal_name(ptype, pid):
        return user_names[pid] if ptype == "USER" else group_names[pid]

    def in_ou(ou_id, recursive):
        found = []
        for page in org.get_paginator("list_accounts_for_parent").paginate(ParentId=ou_id):
            found += [a["Id"] for a in page["Accounts"]]
        if recursive:
            for page in org.get_paginator("list_organizational_units_for_parent").paginate(ParentId=ou_id):
                for child in page["OrganizationalUnits"]:
                    found += in_ou(child["Id"], True)
        return found

    def expect(principals=None, permission_sets=None, targets=None, names=False, expand=False):
        """principals: set of (type, id); permission_sets: set of ARNs; targets: {id: name or
        None (named only with --names)}; None = no filter (all accounts, named)."""
        scope = targets if targets is not None else dict(org_accounts)
        rows = []

        def ok(ptype, pid):
            return principals is None or (ptype, pid) in principals

        def row(ptype, pid, arn, acct, via):
            r = {
                "instance_arn": inst,
                "principal_type": ptype,
                "principal_id": pid,
                "principal_name": principal_name(ptype, pid) if names else None,
                "permission_set_arn": arn,
                "permission_set_name": ps_names[arn] if names else None,
                "target_type": "AWS_ACCOUNT",
                "target_id": acct,
                "target_name": scope[acct] if scope[acct] is not None else (org_accounts[acct] if names else None),
            }
            if expand:
                r["via_group_id"] = via
                r["via_group_name"] = group_names[via] if (via and names) else None
            return r

        for ptype, pid, arn, acct in truth:
            if acct not in scope or (permission_sets is not None and arn not in permission_sets):
                continue
            if ok(ptype, pid):
                rows.append(row(ptype, pid, arn, acct, None))
            if expand and ptype == "GROUP":
                for uid in members[pid]:
                    if ok(ptype, pid) or ok("USER", uid):
                        rows.append(row("USER", uid, arn, acct, pid))
        return rows

    U = lambda n: ("USER", users[n])
    G = lambda n: ("GROUP", groups[n])
    named = lambda ids_: {a: org_accounts[a] for a in ids_}
    unnamed = lambda ids_: {a: None for a in ids_}
    ps_id = lambda arn: arn.rsplit("/", 1)[1]
    cases = [
        ("everything", [], expect()),
        ("everything with names", ["--names"], expect(names=True)),
        ("principal as a bare user id", ["--principal", users["bob"]], expect(principals={U("bob")})),
        ("principal as GROUP:id", ["--principal", "GROUP:" + groups["auditors"]], expect(principals={G("auditors")})),
        ("principal as USER:name", ["--principal", "USER:carol"], expect(principals={U("carol")})),
        ("principal as a bare group name", ["--principal", "eng-readers"], expect(principals={G("eng-readers")})),
        ("two principals", ["--principal", "alice", "--principal", "auditors"], expect(principals={U("alice"), G("auditors")})),
        (
            "principal glob over users and groups",
            ["--principal", "*a*", "--names"],
            expect(
                principals={U(n) for n in users if glob("*a*", n)} | {G(n) for n in groups if glob("*a*", n)},
                names=True,
            ),
        ),
        ("principal glob, groups only", ["--principal", "GROUP:ENG-*"], expect(principals={G("eng-admins"), G("eng-readers")})),
        ("permission set ARN", ["--permission-set", psets["AdminAccess"]], expect(permission_sets={psets["AdminAccess"]})),
        ("permission set id", ["--permission-set", ps_id(psets["ReadOnlyBilling"])], expect(permission_sets={psets["ReadOnlyBilling"]})),
        ("permission set name", ["--permission-set", "ReadOnly"], expect(permission_sets={psets["ReadOnly"]})),
        (
            "permission set glob",
            ["--permission-set", "readonly*", "--names"],
            expect(permission_sets={psets["ReadOnly"], psets["ReadOnlyBilling"]}, names=True),
        ),
        ("account id", ["--target", accounts["prod-api"]], expect(targets=unnamed([accounts["prod-api"]]))),
        ("account id with names", ["--target", accounts["prod-web"], "--names"], expect(targets=unnamed([accounts["prod-web"]]), names=True)),
        ("account name glob", ["--target", "sandbox-0*"], expect(targets=named([a for n, a in accounts.items() if glob("sandbox-0*", n)]))),
        ("OU", ["--target", ous["workloads"]], expect(targets=named(in_ou(ous["workloads"], False)))),
        ("OU recursive", ["--target", ous["workloads"], "--ou-recursive"], expect(targets=named(in_ou(ous["workloads"], True)))),
        ("OU over a page", ["--target", ous["sandbox"]], expect(targets=named(in_ou(ous["sandbox"], False)))),
        ("root recursive", ["--target", root, "--ou-recursive"], expect(targets=named(in_ou(root, True)))),
        ("expand groups", ["--expand-groups"], expect(expand=True)),
        (
            "a user's effective access",
            ["--expand-groups", "--names", "--principal", "alice"],
            expect(principals={U("alice")}, names=True, expand=True),
        ),
        (
            "a group's members",
            ["--expand-groups", "--principal", "GROUP:eng-readers"],
            expect(principals={G("eng-readers")}, expand=True),
        ),
        (
            "all filters together",
            [
                "--principal", "GROUP:eng-*", "--permission-set", "ReadOnly", "--permission-set", "AdminAccess",
                "--target", ous["workloads"], "--ou-recursive", "--target", accounts["sandbox-03"], "--names",
            ],
            expect(
                principals={G("eng-admins"), G("eng-readers")},
                permission_sets={psets["ReadOnly"], psets["AdminAccess"]},
                targets={**named(in_ou(ous["workloads"], True)), accounts["sandbox-03"]: None},
                names=True,
            ),
        ),
    ]
    # -- from here on moto checks every request's SigV4 signature (with botocore's signer) and
    # the IAM policies of the caller: sesame's calls are made with an IAM user's keys.
    import boto3
    import urllib.request

    iam = boto3.client("iam", region_name=REGION, endpoint_url=endpoint, aws_access_key_id="testing", aws_secret_access_key="testing")
    keys = {}
    iam_users = [("sesame-admin", ["sso:*", "identitystore:*", "organizations:*"]), ("no-rights", None), ("assumer", ["sts:AssumeRole"])]
    for user, actions in iam_users:
        iam.create_user(UserName=user)
        if actions:
            policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]}
            iam.put_user_policy(UserName=user, PolicyName="admin", PolicyDocument=json.dumps(policy))
        k = iam.create_access_key(UserName=user)["AccessKey"]
        keys[user] = {"id": k["AccessKeyId"], "secret": k["SecretAccessKey"]}
    # Temporary keys with a session token (what an SSO profile's role credentials look like):
    # an assumed role with the same rights.
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]}
    role_arn = iam.create_role(RoleName="sesame-admin-role", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["sso:*", "identitystore:*", "organizations:*"], "Resource": "*"}]}
    iam.put_role_policy(RoleName="sesame-admin-role", PolicyName="admin", PolicyDocument=json.dumps(policy))
    sts = boto3.client("sts", region_name=REGION, endpoint_url=endpoint, aws_access_key_id="testing", aws_secret_access_key="testing")
    c = sts.assume_role(RoleArn=role_arn, RoleSessionName="sesame")["Credentials"]
    keys["sesame-admin-role"] = {"id": c["AccessKeyId"], "secret": c["SecretAccessKey"], "token": c["SessionToken"]}
    urllib.request.urlopen(
        urllib.request.Request(endpoint + "/moto-api/reset-auth", data=b"0", method="POST", headers={"Content-Type": "text/plain"})
    ).read()

    print(
        json.dumps(
            {
                "keys": keys,
                "instance_arn": inst,
                "identity_store_id": store,
                "root": root,
                "ous": ous,
                "accounts": accounts,
                "users": users,
                "groups": groups,
                "permission_sets": psets,
                "truth_count": len(truth),
                "cases": [{"name": n, "args": a, "expected": e} for n, a, e in cases],
            }
        )
    )


def small_world(endpoint):
    """A small instance (in REGION): three accounts, two users, a group, two provisioned
    permission sets and four assignments; prints the instance, its store and the assignment
    count (from boto3's ListAccountAssignmentsForPrincipal)."""
    org, sso, ids = clients(endpoint)
    org.create_organization(FeatureSet="ALL")
    accounts = [
        org.create_account(Email=f"{n}@example.com", AccountName=n)["CreateAccountStatus"]["AccountId"]
        for n in ["prod", "dev", "audit"]
    ]
    instance = sso.list_instances()["Instances"][0]
    inst, store = instance["InstanceArn"], instance["IdentityStoreId"]
    users = {
        n: ids.create_user(IdentityStoreId=store, UserName=n, DisplayName=n.title(), Name={"GivenName": n, "FamilyName": "X"})["UserId"]
        for n in ["alice", "bob"]
    }
    group = ids.create_group(IdentityStoreId=store, DisplayName="eng")["GroupId"]
    ids.create_group_membership(IdentityStoreId=store, GroupId=group, MemberId={"UserId": users["alice"]})
    psets = {}
    for name in ["Admin", "ReadOnly"]:
        psets[name] = sso.create_permission_set(InstanceArn=inst, Name=name)["PermissionSet"]["PermissionSetArn"]
        sso.provision_permission_set(InstanceArn=inst, PermissionSetArn=psets[name], TargetType="ALL_PROVISIONED_ACCOUNTS")
    for ptype, pid, pset, account in [
        ("USER", users["alice"], "Admin", accounts[0]),
        ("USER", users["bob"], "ReadOnly", accounts[1]),
        ("GROUP", group, "ReadOnly", accounts[0]),
        ("GROUP", group, "Admin", accounts[2]),
    ]:
        sso.create_account_assignment(
            InstanceArn=inst, TargetId=account, TargetType="AWS_ACCOUNT", PermissionSetArn=psets[pset], PrincipalType=ptype, PrincipalId=pid
        )
    count = 0
    for ptype, pid in [("USER", users["alice"]), ("USER", users["bob"]), ("GROUP", group)]:
        count += len(sso.list_account_assignments_for_principal(InstanceArn=inst, PrincipalId=pid, PrincipalType=ptype)["AccountAssignments"])
    print(json.dumps({"instance_arn": inst, "identity_store_id": store, "assignments": count}))


def wide_world(endpoint, n):
    """An instance over `n` accounts: the group `eng` has ReadOnly in every account and the
    user alice Admin in every seventh; prints the instance and the assignment count."""
    org, sso, ids = clients(endpoint)
    org.create_organization(FeatureSet="ALL")
    accounts = [
        org.create_account(Email=f"acct-{i:04d}@example.com", AccountName=f"acct-{i:04d}")["CreateAccountStatus"]["AccountId"]
        for i in range(n)
    ]
    instance = sso.list_instances()["Instances"][0]
    inst, store = instance["InstanceArn"], instance["IdentityStoreId"]
    alice = ids.create_user(IdentityStoreId=store, UserName="alice", DisplayName="Alice", Name={"GivenName": "Alice", "FamilyName": "X"})["UserId"]
    group = ids.create_group(IdentityStoreId=store, DisplayName="eng")["GroupId"]
    psets = {}
    for name in ["Admin", "ReadOnly"]:
        psets[name] = sso.create_permission_set(InstanceArn=inst, Name=name)["PermissionSet"]["PermissionSetArn"]
        sso.provision_permission_set(InstanceArn=inst, PermissionSetArn=psets[name], TargetType="ALL_PROVISIONED_ACCOUNTS")
    count = 0
    for i, account in enumerate(accounts):
        grants = [("GROUP", group, "ReadOnly")] + ([("USER", alice, "Admin")] if i % 7 == 0 else [])
        for ptype, pid, pset in grants:
            sso.create_account_assignment(
                InstanceArn=inst, TargetId=account, TargetType="AWS_ACCOUNT", PermissionSetArn=psets[pset], PrincipalType=ptype, PrincipalId=pid
            )
            count += 1
    print(json.dumps({"instance_arn": inst, "identity_store_id": store, "accounts": len(accounts), "assignments": count}))


if __name__ == "__main__":
    command, rest = sys.argv[1], sys.argv[2:]
    if command == "serve":
        serve(rest)
    elif command == "world":
        world(rest[0])
    elif command == "small-world":
        small_world(rest[0])
    elif command == "wide-world":
        wide_world(rest[0], int(rest[1]))
    else:
        sys.exit(f"unknown command {command}")
