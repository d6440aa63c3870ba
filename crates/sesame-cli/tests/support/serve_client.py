"""The real botocore against `sesame serve` / `sesame exec --server`.

    serve_client.py creds    botocore's default chain from the environment: prints
                             {"method", "access_key", "expiry"} as JSON
    serve_client.py renew N  keeps asking botocore for credentials (it refreshes through the
                             server whenever they are near expiry) until it has seen N distinct
                             access keys or 90 s passed; fails if it was ever handed expired ones;
                             prints {"method", "keys", "calls"}
"""

import datetime
import json
import sys
import time

import botocore.session


def credentials():
    session = botocore.session.Session()
    creds = session.get_credentials()
    if creds is None:
        sys.exit("botocore found no credentials")
    return creds


def main():
    command = sys.argv[1]
    if command == "creds":
        creds = credentials()
        frozen = creds.get_frozen_credentials()
        expiry = getattr(creds, "_expiry_time", None)
        print(json.dumps({
            "method": creds.method,
            "access_key": frozen.access_key,
            "expiry": expiry.isoformat() if expiry else None,
        }))
    elif command == "renew":
        wanted = int(sys.argv[2])
        creds = credentials()
        keys, calls = [], 0
        deadline = time.monotonic() + 90
        while len(keys) < wanted and time.monotonic() < deadline:
            frozen = creds.get_frozen_credentials()
            calls += 1
            now = datetime.datetime.now(datetime.timezone.utc)
            if creds._expiry_time <= now:
                sys.exit(f"botocore was handed expired credentials ({creds._expiry_time})")
            if not keys or keys[-1] != frozen.access_key:
                keys.append(frozen.access_key)
            time.sleep(0.2)
        print(json.dumps({"method": creds.method, "keys": keys, "calls": calls}))
    else:
        sys.exit(f"unknown command {command}")


if __name__ == "__main__":
    main()
