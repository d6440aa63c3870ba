"""A loopback HTTP server that checks every request's SigV4 signature itself, with botocore's
signers (SigV4Auth, or S3SigV4Auth for service s3, exactly as moto does, but on the RAW request
target, so pre-encoded keys with `%`, `+` and spaces are checked byte for byte), header-signed
and presigned alike.

Keys it knows: SIGV4_KEYS='{"AKID": "secret", ...}' (environment). A session token, when sent,
must equal SIGV4_TOKEN. A key may also map to ["secret", "token"]: that key's own session token,
which it must then send (temporary credentials of many roles, for `sesame run --api`).

It behaves like a tiny S3: PUT stores the body under the decoded path, GET returns it; any other
method answers JSON describing what it verified. A bad signature is a 403 with an S3-style XML
error whose Message holds botocore's canonical request.

Prints {"url": ...} on one line, then serves until stdin closes.
"""

import hashlib
import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, unquote, urlsplit

try:
    from botocore.auth import S3SigV4Auth, SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
except ImportError as e:  # a failure with a hint, never a skip
    sys.stderr.write(f"missing Python package ({e}): pip install -r requirements-test.txt\n")
    sys.exit(3)

KEYS = json.loads(os.environ.get("SIGV4_KEYS", "{}"))
TOKEN = os.environ.get("SIGV4_TOKEN")
# Per-key session tokens: {"AKID": ["secret", "token"]}.
TOKENS = {k: v[1] for k, v in KEYS.items() if isinstance(v, list)}
KEYS = {k: v[0] if isinstance(v, list) else v for k, v in KEYS.items()}


def token_of(akid):
    return TOKENS.get(akid, TOKEN)
STORE = {}


def between(text, first, second):
    return text.partition(first)[2].partition(second)[0]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        raw_path, _, raw_query = self.path.partition("?")
        query = parse_qsl(raw_query, keep_blank_values=True)
        try:
            info = self.verify(raw_path, raw_query, query, body)
        except Exception as e:  # noqa: BLE001 - every failure is a signature failure here
            return self.error(403, "SignatureDoesNotMatch", str(e))
        key = unquote(raw_path)
        if self.command == "PUT":
            STORE[key] = body
            return self.reply(200, b"", "application/octet-stream")
        if self.command == "GET" and key in STORE:
            return self.reply(200, STORE[key], "application/octet-stream")
        if self.command == "GET" and key != "/":
            return self.error(404, "NoSuchKey", f"The specified key does not exist: {key}")
        info.update(
            method=self.command,
            key=key,
            body_sha256=hashlib.sha256(body).hexdigest(),
            query={k: v for k, v in query if not k.startswith("X-Amz-")},
        )
        return self.reply(200, json.dumps(info).encode(), "application/json")

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = do_any

    def verify(self, raw_path, raw_query, query, body):
        host = self.headers["Host"]
        params = dict(query)
        if "X-Amz-Signature" in params:
            return self.verify_presigned(host, raw_path, raw_query, params)
        auth = self.headers.get("Authorization")
        if not auth:
            raise ValueError("no Authorization header and no X-Amz-Signature")
        scope = between(auth, "Credential=", ",").split("/")
        akid, region, service = scope[0], scope[2], scope[3]
        signed = between(auth, "SignedHeaders=", ",").split(";")
        given = between(auth, "Signature=", ",") or auth.rpartition("Signature=")[2]
        if akid not in KEYS:
            raise ValueError(f"unknown access key {akid}")
        token = self.headers.get("X-Amz-Security-Token")
        if token is not None and token != token_of(akid):
            raise ValueError("wrong session token")
        if token_of(akid) is not None and token is None:
            raise ValueError("no session token")
        headers = {k: v for k, v in self.headers.items() if k.lower() in signed}
        content_sha = self.headers.get("X-Amz-Content-SHA256")
        if content_sha not in (None, "UNSIGNED-PAYLOAD") and content_sha != hashlib.sha256(body).hexdigest():
            raise ValueError("x-amz-content-sha256 does not match the body")
        request = AWSRequest(
            method=self.command,
            url=f"http://{host}{raw_path}" + (f"?{raw_query}" if raw_query else ""),
            data=body,
            headers=headers,
        )
        request.context["timestamp"] = self.headers["X-Amz-Date"]
        cls = S3SigV4Auth if service == "s3" else SigV4Auth
        signer = cls(Credentials(akid, KEYS[akid], token), service, region)
        canonical = signer.canonical_request(request)
        expected = signer.signature(signer.string_to_sign(request, canonical), request)
        if expected != given:
            raise ValueError(f"botocore's canonical request was:\n{canonical}")
        return {"service": service, "region": region, "signed_headers": signed, "presigned": False, "access_key": akid}

    def verify_presigned(self, host, raw_path, raw_query, params):
        scope = params["X-Amz-Credential"].split("/")
        akid, region, service = scope[0], scope[2], scope[3]
        if akid not in KEYS:
            raise ValueError(f"unknown access key {akid}")
        if params.get("X-Amz-Security-Token", token_of(akid)) != token_of(akid):
            raise ValueError("wrong session token")
        kept = "&".join(p for p in raw_query.split("&") if not p.startswith("X-Amz-Signature="))
        signed = params["X-Amz-SignedHeaders"].split(";")
        headers = {k: v for k, v in self.headers.items() if k.lower() in signed}
        request = AWSRequest(method=self.command, url=f"http://{host}{raw_path}?{kept}", headers=headers)
        request.context["timestamp"] = params["X-Amz-Date"]
        base = S3SigV4Auth if service == "s3" else SigV4Auth

        class Presigned(base):
            # A presigned request's payload is UNSIGNED-PAYLOAD (botocore's SigV4QueryAuth).
            def payload(self, request):
                return "UNSIGNED-PAYLOAD"

        signer = Presigned(Credentials(akid, KEYS[akid], params.get("X-Amz-Security-Token")), service, region)
        canonical = signer.canonical_request(request)
        expected = signer.signature(signer.string_to_sign(request, canonical), request)
        if expected != params["X-Amz-Signature"]:
            raise ValueError(f"botocore's canonical request was:\n{canonical}")
        return {"service": service, "region": region, "presigned": True, "access_key": akid}

    def reply(self, status, body, content_type):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def error(self, status, code, message):
        esc = message.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        xml = f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code><Message>{esc}</Message></Error>'
        self.reply(status, xml.encode(), "application/xml")


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(json.dumps({"url": f"http://127.0.0.1:{server.server_address[1]}"}), flush=True)
    sys.stdin.read()
    server.shutdown()


if __name__ == "__main__":
    main()
