"""A fault-injecting loopback proxy in front of an AWS JSON API (moto) for sesame's fault suite.

    python3 fault_proxy.py PORT UPSTREAM_URL P429 P500 SEED

Each request is answered, with probability P429, by a 400 ThrottlingException and, with
probability P500, by a 500 InternalFailure, in the shape of the JSON 1.1 protocol; otherwise it is
forwarded unchanged (same method, path, headers including Host, body) to UPSTREAM_URL, so moto
checks the SigV4 signature sesame made. GET /_proxy/stats answers
{"forwarded": n, "throttled": n, "failed": n}. Exits when stdin closes.
"""

import http.client
import json
import random
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

PORT, UPSTREAM, P429, P500, SEED = (
    int(sys.argv[1]),
    urlsplit(sys.argv[2]),
    float(sys.argv[3]),
    float(sys.argv[4]),
    int(sys.argv[5]),
)
LOCK = threading.Lock()
RNG = random.Random(SEED)
STATS = {"forwarded": 0, "throttled": 0, "failed": 0}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, body, headers=()):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/_proxy/stats":
            with LOCK:
                body = json.dumps(STATS).encode()
            self.answer(200, body, [("Content-Type", "application/json")])
        else:
            self.forward()

    def do_POST(self):
        self.forward()

    def forward(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        with LOCK:
            roll = RNG.random()
            if roll < P429:
                STATS["throttled"] += 1
                fault = (400, "ThrottlingException", "Rate exceeded")
            elif roll < P429 + P500:
                STATS["failed"] += 1
                fault = (500, "InternalFailure", "injected by fault_proxy.py")
            else:
                STATS["forwarded"] += 1
                fault = None
        if fault:
            status, code, message = fault
            payload = json.dumps({"__type": code, "message": message}).encode()
            self.answer(
                status,
                payload,
                [("Content-Type", "application/x-amz-json-1.1"), ("x-amzn-ErrorType", code)],
            )
            return
        conn = http.client.HTTPConnection(UPSTREAM.hostname, UPSTREAM.port, timeout=60)
        headers = {k: v for k, v in self.headers.items()}
        conn.request(self.command, self.path, body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        keep = [
            (k, v)
            for k, v in resp.getheaders()
            if k.lower() not in ("content-length", "transfer-encoding", "connection")
        ]
        conn.close()
        self.answer(resp.status, data, keep)


server = ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
threading.Thread(target=server.serve_forever, daemon=True).start()
sys.stdin.read()
server.shutdown()
