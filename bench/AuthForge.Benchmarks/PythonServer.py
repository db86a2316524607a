#!/usr/bin/env python3
"""A minimal AuthForge-compatible /auth/validate server on Python's http.server, for the warm benchmark.

Not Kestrel: HTTP/1.1 keep-alive, TCP_NODELAY, one thread per connection (ThreadingHTTPServer). Answers v3
(Ed25519, with the `cryptography` package) or, without that package, v2 (HMAC-SHA256, standard library only).
Usage: PythonServer.py APP_ID APP_SECRET LICENSE_KEY. Prints "READY <base url> <v3|v2> <public key base64 or ->",
then serves until its standard input closes.
"""
import base64, hashlib, hmac, json, os, socket, sys, threading, time
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

try:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
except ImportError:
    Ed25519PrivateKey = None

APP_ID, APP_SECRET, LICENSE_KEY = sys.argv[1:4]
KEY = Ed25519PrivateKey.generate() if Ed25519PrivateKey else None
PUBLIC = base64.b64encode(KEY.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)).decode() if KEY else "-"
TOKEN_MAC_KEY = os.urandom(32)


def compact(value):
    return json.dumps(value, separators=(",", ":")).encode()


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self):
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, *args):
        pass

    def do_POST(self):
        request = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
        if self.path != "/auth/validate" or request.get("appId") != APP_ID or request.get("appSecret") != APP_SECRET \
                or request.get("licenseKey") != LICENSE_KEY:
            return self.answer(400, compact({"status": "error", "error": "invalid_key"}))
        now = int(time.time())
        exp = now + 86400
        claims = compact({"appId": APP_ID, "licenseKey": LICENSE_KEY, "hwid": request["hwid"], "exp": exp})
        token = b64url(claims) + "." + b64url(hmac.new(TOKEN_MAC_KEY, claims, hashlib.sha256).digest())
        payload = compact({
            "sessionToken": token,
            "timestamp": datetime.fromtimestamp(now, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ") if KEY else now,
            "expiresIn": exp,
            "nonce": request["nonce"],
            "appVariables": {},
            "licenseVariables": {},
        })
        text = base64.b64encode(payload)
        if KEY:
            signature = base64.b64encode(KEY.sign(text)).decode()
        else:
            derived = hashlib.sha256((APP_SECRET + request["nonce"]).encode()).digest()
            signature = hmac.new(derived, text, hashlib.sha256).hexdigest()
        self.answer(200, compact({"status": "ok", "payload": text.decode(), "signature": signature}))

    def answer(self, status, body):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print(f"READY http://127.0.0.1:{server.server_address[1]} {'v3' if KEY else 'v2'} {PUBLIC}", flush=True)
    threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()
    server.serve_forever()


if __name__ == "__main__":
    main()
