#!/usr/bin/env python3
"""Peak memory of one tool call whose Sentry answer is huge (issue 10: a 400 MB answer used 827 MB).

Usage: scripts/bench-body-cap.py [BINARY] [MEGABYTES]

Serves `GET /api/0/organizations/` from a local fake Sentry three ways (a small list; a MEGABYTES answer
with Content-Length; the same streamed chunked, without a length) and runs `BINARY tool list_organizations`
against each, printing the exit code, wall time and peak RSS (ru_maxrss from wait4) of the binary.
Standard library only.
"""

import http.server
import os
import subprocess
import sys
import threading
import time

BINARY = sys.argv[1] if len(sys.argv) > 1 else "target/release/sentry-companion"
MEGABYTES = int(sys.argv[2]) if len(sys.argv) > 2 else 400
CHUNK = b'"' + b"x" * (1024 * 1024 - 3) + b'",'
SMALL = b'[{"id":"1","slug":"acme","name":"Acme"}]'


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    mode = "small"

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        try:
            if Handler.mode == "small":
                self.send_header("Content-Length", str(len(SMALL)))
                self.end_headers()
                self.wfile.write(SMALL)
            elif Handler.mode == "length":
                self.send_header("Content-Length", str(MEGABYTES * len(CHUNK) + 2))
                self.end_headers()
                self.stream(lambda data: self.wfile.write(data))
            else:
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                self.stream(self.write_chunk)
                self.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client stopped reading: what the cap is for

    def write_chunk(self, data):
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))

    def stream(self, write):
        write(b"[")
        for _ in range(MEGABYTES):
            write(CHUNK)
        write(b"1]")


def run(url):
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": "/nonexistent",
        "SENTRY_URL": url,
        "SENTRY_AUTH_TOKEN": "sntryu_bench-token-not-real",
        "SENTRY_LOAD_DOTENV": "0",
        "SENTRY_HTTP_MAX_RETRIES": "0",
    }
    started = time.monotonic()
    child = subprocess.Popen(
        [BINARY, "tool", "list_organizations"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.monotonic() - started
    stderr = child.stderr.read().decode(errors="replace").strip().splitlines()
    return os.waitstatus_to_exitcode(status), elapsed, usage.ru_maxrss / 1024, stderr[-1:] or [""]


def main():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    print(f"{'answer':<34} {'exit':>4} {'time':>8} {'peak RSS':>10}  last stderr line")
    for mode, label in [
        ("small", "40 bytes"),
        ("length", f"{MEGABYTES} MiB, Content-Length"),
        ("chunked", f"{MEGABYTES} MiB, chunked"),
    ]:
        Handler.mode = mode
        code, elapsed, rss, last = run(url)
        print(f"{label:<34} {code:>4} {elapsed:>7.2f}s {rss:>7.1f} MiB  {last[0][:90]}")
    server.shutdown()


if __name__ == "__main__":
    main()
