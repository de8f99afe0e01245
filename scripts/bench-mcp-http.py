#!/usr/bin/env python3
"""Benchmark the HTTP MCP server under many clients: RSS over time and latency per method.

Each scenario starts the binary on loopback against a tiny fake Sentry (its own process), runs
CLIENTS concurrent clients for DURATION seconds, then stays idle until idle sessions have expired:
  open       every client opens one session, calls tools/list and tools/call (list_teams) in a
             loop, and leaves the session open at the end (no DELETE)
  churn      as open, but every client abandons its session every few cycles and opens a new one
             (the sessions pile up until the cap and the idle timeout deal with them)
  stateless  --stateless: no sessions; initialize once, then the same calls
Each client keeps one HTTP/1.1 connection alive and pauses THINK seconds between cycles.

Prints per scenario: RSS (from /proc: at start, peak, at the end of the load, after expiry, and a
timeline), p50/p99/max per method, throughput, refusals and errors.

Usage: scripts/bench-mcp-http.py [BINARY] [--clients 200] [--duration 60] [--think 0.5]
       [--idle-timeout 30] [--scenarios open,churn,stateless]
Standard library only; Linux only (reads /proc). Nothing here is a test.
"""
import argparse
import asyncio
import json
import multiprocessing
import os
import socket
import statistics
import subprocess
import sys
import time

TEAMS = json.dumps([{"id": "1", "slug": "backend", "name": "Backend"}]).encode()
INITIALIZE = {"jsonrpc": "2.0", "method": "initialize", "params": {
    "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "bench", "version": "0"}}}
INITIALIZED = {"jsonrpc": "2.0", "method": "notifications/initialized"}
LIST = {"jsonrpc": "2.0", "method": "tools/list"}
CALL = {"jsonrpc": "2.0", "method": "tools/call", "params": {"name": "list_teams", "arguments": {}}}
CHURN_EVERY = 5


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fake_sentry(port):
    """A keep-alive HTTP/1.1 server answering every request with the teams list."""
    async def serve(reader, writer):
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":")[1])
                if length:
                    await reader.readexactly(length)
                writer.write(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
                             b"content-length: %d\r\n\r\n%s" % (len(TEAMS), TEAMS))
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()

    async def main():
        server = await asyncio.start_server(serve, "127.0.0.1", port, backlog=1024)
        await server.serve_forever()

    asyncio.run(main())


class Connection:
    """One kept-alive HTTP/1.1 connection that posts JSON-RPC and reads JSON or SSE answers."""

    def __init__(self, port):
        self.port = port
        self.reader = self.writer = None
        self.next_id = 0

    async def open(self):
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)

    async def post(self, message, session=None):
        """Returns (status, headers, answer) where answer is the JSON-RPC response or None."""
        if self.writer is None:
            await self.open()
        if "method" in message and not message["method"].startswith("notifications/"):
            self.next_id += 1
            message = dict(message, id=self.next_id)
        body = json.dumps(message).encode()
        head = (f"POST /mcp HTTP/1.1\r\nhost: 127.0.0.1:{self.port}\r\ncontent-type: application/json\r\n"
                f"accept: application/json, text/event-stream\r\ncontent-length: {len(body)}\r\n")
        if session:
            head += f"mcp-session-id: {session}\r\n"
        self.writer.write(head.encode() + b"\r\n" + body)
        await self.writer.drain()
        status, headers, payload = await self.read_response()
        if headers.get("connection") == "close":
            self.writer.close()
            self.writer = None
        return status, headers, parse_answer(headers, payload, message.get("id"))

    async def read_response(self):
        head = (await self.reader.readuntil(b"\r\n\r\n")).decode()
        lines = head.split("\r\n")
        status = int(lines[0].split()[1])
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                headers[name.strip().lower()] = value.strip()
        if "content-length" in headers:
            return status, headers, await self.reader.readexactly(int(headers["content-length"]))
        if headers.get("transfer-encoding") == "chunked":
            chunks = []
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).strip(), 16)
                data = await self.reader.readexactly(size + 2)
                if size == 0:
                    break
                chunks.append(data[:-2])
            return status, headers, b"".join(chunks)
        return status, headers, b""


def parse_answer(headers, payload, request_id):
    if request_id is None or not payload:
        return None
    if headers.get("content-type", "").startswith("text/event-stream"):
        for line in payload.decode().splitlines():
            if line.startswith("data:") and line[5:].strip():
                message = json.loads(line[5:])
                if message.get("id") == request_id:
                    return message
        return None
    if headers.get("content-type", "").startswith("application/json"):
        return json.loads(payload)
    return None


class Stats:
    def __init__(self):
        self.latency = {"initialize": [], "tools/list": [], "tools/call": []}
        self.refused = 0
        self.errors = []

    async def timed(self, connection, message, session=None):
        start = time.perf_counter()
        status, headers, answer = await connection.post(message, session)
        elapsed = (time.perf_counter() - start) * 1000
        if status == 503:
            self.refused += 1
        elif status >= 400 or (answer is not None and "error" in answer):
            self.errors.append(f"{message['method']}: HTTP {status} {answer}")
        elif message["method"] in self.latency:
            if answer is None or (message["method"] == "tools/call" and answer["result"].get("isError")):
                self.errors.append(f"{message['method']}: {answer}")
            else:
                self.latency[message["method"]].append(elapsed)
        return status, headers


async def client(port, scenario, deadline, think, stats, start_delay):
    await asyncio.sleep(start_delay)
    connection = Connection(port)
    session = None
    cycle = 0
    while time.monotonic() < deadline:
        try:
            if cycle == 0 or (scenario == "churn" and cycle % CHURN_EVERY == 0):
                status, headers = await stats.timed(connection, INITIALIZE)
                session = headers.get("mcp-session-id")
                if status == 503:
                    await asyncio.sleep(think)
                    continue
                if session:
                    await connection.post(INITIALIZED, session)
            await stats.timed(connection, LIST, session)
            await stats.timed(connection, CALL, session)
        except (ConnectionError, asyncio.IncompleteReadError) as e:
            stats.errors.append(f"connection: {e!r}")
            connection = Connection(port)
        cycle += 1
        await asyncio.sleep(think)


def rss_kib(pid, field="VmRSS"):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


async def sample_rss(pid, samples, stop):
    start = time.monotonic()
    while not stop.is_set():
        samples.append((time.monotonic() - start, rss_kib(pid)))
        try:
            await asyncio.wait_for(stop.wait(), 0.5)
        except asyncio.TimeoutError:
            pass


def start_server(binary, sentry_port, scenario, idle_timeout):
    port = free_port()
    args = [binary, "mcp", "--transport", "http", "--listen", f"127.0.0.1:{port}",
            "--session-idle-timeout", f"{idle_timeout}s"]
    if scenario == "stateless":
        args.append("--stateless")
    env = {"SENTRY_URL": f"http://127.0.0.1:{sentry_port}", "SENTRY_AUTH_TOKEN": "bench",
           "SENTRY_ORG": "acme", "HOME": "/nonexistent", "PATH": os.environ.get("PATH", "")}
    process = subprocess.Popen(args, env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL)
    process.stderr.readline()  # the banner: it is listening
    return process, port


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def run(binary, scenario, sentry_port, options):
    process, port = start_server(binary, sentry_port, scenario, options.idle_timeout)
    try:
        await asyncio.sleep(0.5)
        samples = []
        stop = asyncio.Event()
        sampler = asyncio.create_task(sample_rss(process.pid, samples, stop))
        await asyncio.sleep(1)
        rss_start = rss_kib(process.pid)
        stats = Stats()
        begin = time.monotonic()
        deadline = begin + options.duration
        # Clients arrive over the first second rather than in one burst.
        await asyncio.gather(*(client(port, scenario, deadline, options.think, stats,
                                      i / options.clients) for i in range(options.clients)))
        load_seconds = time.monotonic() - begin
        rss_end_of_load = rss_kib(process.pid)
        await asyncio.sleep(options.idle_timeout + 15)
        rss_after_expiry = rss_kib(process.pid)
        peak = rss_kib(process.pid, "VmHWM")
        stop.set()
        await sampler
    finally:
        process.terminate()
        process.wait()
    report(scenario, options, stats, load_seconds,
           (rss_start, peak, rss_end_of_load, rss_after_expiry), samples)


def report(scenario, options, stats, load_seconds, rss, samples):
    mib = lambda kib: f"{kib / 1024:.1f} MiB"
    start, peak, end_of_load, after_expiry = rss
    done = sum(len(v) for v in stats.latency.values())
    print(f"\n== {scenario}: {options.clients} clients, {options.duration} s, think {options.think} s, "
          f"--session-idle-timeout {options.idle_timeout}s")
    print(f"RSS: start {mib(start)}, peak (VmHWM) {mib(peak)}, end of load {mib(end_of_load)}, "
          f"{options.idle_timeout + 15} s later {mib(after_expiry)}")
    timeline = [f"{t:.0f}s {kib / 1024:.0f}" for t, kib in samples[::10]]
    print("RSS timeline (MiB): " + ", ".join(timeline))
    print(f"answered: {done} requests in {load_seconds:.1f} s ({done / load_seconds:.0f}/s); "
          f"refused with 503: {stats.refused}; errors: {len(stats.errors)}")
    for error in stats.errors[:5]:
        print(f"  error: {error[:200]}")
    for method, values in stats.latency.items():
        if values:
            print(f"{method:11} n={len(values):6}  p50 {statistics.median(values):6.2f} ms  "
                  f"p99 {percentile(values, 0.99):6.2f} ms  max {max(values):7.2f} ms")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("binary", nargs="?", default="target/release/sentry-companion")
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--think", type=float, default=0.5)
    parser.add_argument("--idle-timeout", type=int, default=30)
    parser.add_argument("--scenarios", default="open,churn,stateless")
    options = parser.parse_args()
    sentry_port = free_port()
    sentry = multiprocessing.Process(target=fake_sentry, args=(sentry_port,), daemon=True)
    sentry.start()
    time.sleep(0.5)
    try:
        for scenario in options.scenarios.split(","):
            asyncio.run(run(options.binary, scenario, sentry_port, options))
    finally:
        sentry.terminate()
    return 0


if __name__ == "__main__":
    sys.exit(main())
