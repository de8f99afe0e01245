#!/usr/bin/env python3
"""Benchmark the MCP face: time from process spawn to the first tools/list answer over stdio, peak RSS,
the size of the tools/list answer, and the binary's size.

Usage: scripts/bench-mcp.py [BINARY] [RUNS]   (default target/release/sentry-companion, 30 runs)
Standard library only. Prints one line per measure; nothing here is a test.
"""
import json
import os
import statistics
import subprocess
import sys
import time

BINARY = sys.argv[1] if len(sys.argv) > 1 else "target/release/sentry-companion"
RUNS = int(sys.argv[2]) if len(sys.argv) > 2 else 30
REQUESTS = [
    {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {},
        "clientInfo": {"name": "bench", "version": "0"}}},
    {"jsonrpc": "2.0", "method": "notifications/initialized"},
    {"jsonrpc": "2.0", "id": 2, "method": "tools/list"},
]
PAYLOAD = "".join(json.dumps(r) + "\n" for r in REQUESTS).encode()
ENV = {"PATH": os.environ.get("PATH", ""), "SENTRY_AUTH_TOKEN": "bench", "SENTRY_ORG": "acme",
       "HOME": "/nonexistent"}


def peak_rss_kib(pid):
    """The process's peak resident set (VmHWM) from /proc, in KiB."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise SystemExit("no VmHWM in /proc: run this on Linux")


def one_run():
    """Spawns the server, sends the handshake and tools/list; returns (seconds, peak KiB, answer line)."""
    start = time.perf_counter()
    proc = subprocess.Popen([BINARY, "mcp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, env=ENV)
    proc.stdin.write(PAYLOAD)
    proc.stdin.flush()
    while True:
        line = proc.stdout.readline()
        if not line:
            raise SystemExit("server closed stdout before answering tools/list")
        if json.loads(line).get("id") == 2:
            elapsed = time.perf_counter() - start
            break
    peak = peak_rss_kib(proc.pid)
    proc.stdin.close()
    proc.wait()
    return elapsed, peak, line


def main():
    timings = []
    peaks = []
    answer = b""
    for _ in range(RUNS):
        elapsed, peak, answer = one_run()
        timings.append(elapsed * 1000)
        peaks.append(peak)
    result = json.loads(answer)["result"]
    print(f"runs: {RUNS}")
    print(f"spawn -> tools/list answer: median {statistics.median(timings):.2f} ms, "
          f"min {min(timings):.2f} ms, max {max(timings):.2f} ms")
    print(f"peak RSS after answering tools/list (VmHWM): median {statistics.median(peaks) / 1024:.2f} MiB, "
          f"max {max(peaks) / 1024:.2f} MiB")
    print(f"tools/list answer: {len(result['tools'])} tools, {len(answer)} bytes "
          f"(tools array alone: {len(json.dumps(result['tools'], separators=(',', ':')))} bytes)")
    print(f"binary size: {os.path.getsize(BINARY)} bytes ({os.path.getsize(BINARY) / 1048576:.2f} MiB)")


if __name__ == "__main__":
    main()
