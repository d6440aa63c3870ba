#!/usr/bin/env python3
"""Print what the real botocore reads from an AWS config or credentials file, as JSON.

Used to check sesame's `config` module against botocore (differential tests):

    python3 botocore_configloader.py PATH                # config file: load_config(PATH)
    python3 botocore_configloader.py --credentials PATH  # credentials file: raw_config_parse(PATH)
    python3 botocore_configloader.py --batch             # many files, one process (see below)

Output, one JSON object on stdout:

    {"ok": {"profiles": {...}, "sso_sessions": {...}, "services": {...}, "other": {...}}}
    {"error": "ConfigParseError", "message": "..."}

For a config file, "other" holds the top-level sections that are neither profiles, sso-sessions
nor services (botocore keeps them under their own names). For a credentials file, "profiles" is
every section and the other keys are empty. Values are strings, or objects for indented blocks.
Dict order is botocore's (Python insertion order). A missing file prints {"ok": <empty>}, as
botocore treats it as empty.

With --batch, stdin is a JSON list of {"path": PATH, "credentials": BOOL} and stdout one JSON
list holding, in the same order, the object the single-file form prints for each (the Rust test
`config::botocore_diff` runs it this way, once for hundreds of files).

Exit status 3, with a hint on stderr, when botocore is not installed for this python3.
"""

import json
import sys

try:
    import botocore.configloader
    import botocore.exceptions
except ImportError as e:
    print(
        f"{e}: botocore is not installed for {sys.executable}\n"
        "hint: python3 -m pip install -r requirements-test.txt",
        file=sys.stderr,
    )
    sys.exit(3)


def read(path, credentials):
    """botocore's view of one file, as the dict printed for it."""
    empty = {"profiles": {}, "sso_sessions": {}, "services": {}, "other": {}}
    try:
        if credentials:
            result = dict(empty, profiles=botocore.configloader.raw_config_parse(path))
        else:
            loaded = botocore.configloader.load_config(path)
            result = {
                "profiles": loaded.pop("profiles"),
                "sso_sessions": loaded.pop("sso_sessions"),
                "services": loaded.pop("services"),
                "other": loaded,
            }
    except botocore.exceptions.ConfigNotFound:
        result = empty
    except botocore.exceptions.ConfigParseError as e:
        return {"error": type(e).__name__, "message": str(e)}
    return {"ok": result}


def main(argv):
    if argv == ["--batch"]:
        files = json.load(sys.stdin)
        print(json.dumps([read(f["path"], f["credentials"]) for f in files]))
        return 0
    credentials = False
    if argv and argv[0] == "--credentials":
        credentials = True
        argv = argv[1:]
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    print(json.dumps(read(argv[0], credentials)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
