#!/usr/bin/env python3
"""Interop check with an independent MCP client (the Python SDK, `mcp` 2.x): the server over stdio and
streamable HTTP (with sessions, and --stateless with a bearer token), with the initialize handshake and
with 2026-07-28 discovery; tools/list of every toolset, a text-only answer, a structured answer the
client checks against the declared outputSchema (against a tiny local Sentry), and isError results for
bad input.

Usage: scripts/mcp-interop.py BINARY      (needs `pip install mcp==2.3.0`; loopback only)
"""
import asyncio
import http.server
import json
import socket
import subprocess
import sys
import threading
import time

from mcp import Client, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client

BINARY = sys.argv[1]
ANSWERS = {
    "/api/0/organizations/acme/teams/": [{"id": "1", "slug": "backend", "name": "Backend"}],
    "/api/0/organizations/acme/issues/WEB-1/autofix/": {"autofix": {"run_id": 7, "status": "COMPLETED", "blocks": []}},
}
results = []


class FakeSentry(http.server.BaseHTTPRequestHandler):
    """Answers the requests the success checks make."""

    def do_GET(self):
        answer = ANSWERS.get(self.path.split("?")[0])
        body = json.dumps(answer if answer is not None else {"detail": "not found"}).encode()
        self.send_response(200 if answer is not None else 404)
        self.send_header("content-type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def check(name, condition, detail=""):
    results.append(condition)
    print(f"{'ok  ' if condition else 'FAIL'} {name}{'' if condition else ': ' + str(detail)}")


async def exercise(label, target, mode):
    async with Client(target, mode=mode) as client:
        check(f"{label}: protocol {client.protocol_version} negotiated", bool(client.protocol_version))
        tools = (await client.list_tools()).tools
        names = {t.name for t in tools}
        check(f"{label}: every toolset's 42 tools listed", len(names) == 42, sorted(names))
        check(f"{label}: annotations present", all(t.annotations and t.annotations.read_only_hint is not None
                                                   for t in tools))
        teams = await client.call_tool("list_teams", {})
        check(f"{label}: an answer without a schema is text only", not teams.is_error
              and "backend" in teams.content[0].text and teams.structured_content is None, teams)
        # The SDK checks structured content against the outputSchema that tools/list declared.
        seer = await client.call_tool("analyze_issue_with_seer", {"issue_id": "WEB-1", "wait_seconds": 0})
        check(f"{label}: a declared schema brings structured content", not seer.is_error
              and seer.structured_content and seer.structured_content.get("finished") is True, seer)
        bad = await client.call_tool("get_issue", {"issue_id": "../etc"})
        check(f"{label}: bad input is an isError result", bad.is_error, bad)
        missing = await client.call_tool("get_issue", {})
        check(f"{label}: a missing argument is an isError result", missing.is_error, missing)


SERVERS = []


def start_http(env, args):
    """Starts `mcp --transport http` on a free loopback port and returns the port once it accepts."""
    port = free_port()
    SERVERS.append(subprocess.Popen([BINARY, "mcp", "--transport", "http", "--listen", f"127.0.0.1:{port}", *args],
                                    env=env, stderr=subprocess.DEVNULL))
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            break
        except OSError:
            time.sleep(0.05)
    return port


async def main():
    sentry_port = free_port()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", sentry_port), FakeSentry)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    env = {"SENTRY_AUTH_TOKEN": "interop-token", "SENTRY_ORG": "acme",
           "SENTRY_URL": f"http://127.0.0.1:{sentry_port}", "HOME": "/nonexistent"}

    stdio = StdioServerParameters(command=BINARY, args=["mcp", "--toolsets", "all"], env=env)
    for mode in ("legacy", "auto", "2026-07-28"):
        await exercise(f"stdio/{mode}", stdio, mode)

    try:
        port = start_http(env, ["--toolsets", "all"])
        for mode in ("legacy", "auto"):
            await exercise(f"http/{mode}", f"http://127.0.0.1:{port}/mcp", mode)
        token = "interop-client-token"
        port = start_http(dict(env, SENTRY_COMPANION_HTTP_TOKEN=token), ["--toolsets", "all", "--stateless"])
        for mode in ("legacy", "auto"):
            http_client = create_mcp_http_client(headers={"Authorization": f"Bearer {token}"})
            target = streamable_http_client(f"http://127.0.0.1:{port}/mcp", http_client=http_client)
            await exercise(f"http --stateless with a token/{mode}", target, mode)
    finally:
        for process in SERVERS:
            process.terminate()
            process.wait()
        server.shutdown()

    passed = sum(results)
    print(f"mcp-interop: {passed} passed, {len(results) - passed} failed")
    return 0 if passed == len(results) else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
