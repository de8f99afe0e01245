#!/usr/bin/env python3
"""What the MCP server costs an assistant in tokens: the tools/list answer (default toolsets and
`all`) and each tool's typical answer, against a local fake Sentry that serves made-up data of
realistic size (lists hold 25 items, the default limit).

Usage: scripts/mcp-tokens.py [BINARY]   (default target/debug/sentry-companion)

Tokens are counted with OpenAI's o200k_base encoding. The script makes a virtualenv in
~/.cache/sentry-companion/mcp-tokens-venv and installs a tokenizer from the package registry:
`bpe-openai` (its wheel carries the o200k vocabulary, so nothing is downloaded at run time), else
`tiktoken` (which needs its vocabulary file from the network, or a cached copy). Where neither
works it estimates bytes/4, and the table says which was used. Nothing here is a test: it prints
one table, for the README.
"""

import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

BINARY = sys.argv[1] if len(sys.argv) > 1 else "target/debug/sentry-companion"
VENV = os.path.join(os.path.expanduser("~"), ".cache", "sentry-companion", "mcp-tokens-venv")
ISSUE, EVENT, TRACE = "WEB-1", "7ca573c0f4814912aaa9bdc77d1a7d51", "a4d1aae7216b47ff8117cf4e09ce9d0a"
COUNTER = """
import json, sys
name = sys.argv[1]
if name == "bpe-openai":
    import bpe_openai as lib
else:
    import tiktoken as lib
encoding = lib.get_encoding("o200k_base")
print(json.dumps([len(encoding.encode(text)) for text in json.load(sys.stdin)]))
"""


def tokenizer():
    """The name of a working o200k tokenizer in the script's virtualenv, or None."""
    python = os.path.join(VENV, "bin", "python")
    if not os.path.exists(python):
        subprocess.run([sys.executable, "-m", "venv", VENV], check=True)
    for package in ["bpe-openai", "tiktoken"]:
        module = package.replace("-", "_")
        has = subprocess.run([python, "-c", f"import {module}"], capture_output=True).returncode == 0
        if not has:
            subprocess.run([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                            package], capture_output=True)
        try:
            subprocess.run([python, "-c", COUNTER, package], input="[]", text=True, check=True,
                           capture_output=True, timeout=120)
            return package
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
            continue
    return None


def counts(texts, package):
    """Token counts of the texts (o200k_base), or bytes/4 without a tokenizer."""
    if package is None:
        return [len(t.encode()) // 4 for t in texts]
    python = os.path.join(VENV, "bin", "python")
    out = subprocess.run([python, "-c", COUNTER, package], input=json.dumps(texts), text=True,
                         check=True, capture_output=True)
    return json.loads(out.stdout)


# ---- a fake Sentry with made-up data -------------------------------------------------------

def issue(n):
    return {"id": str(1000 + n), "shortId": f"WEB-{n}", "title": f"TypeError: Cannot read properties of undefined (reading 'item{n}')",
            "culprit": f"app/components/cart{n}.js in render", "permalink": f"https://acme.sentry.io/issues/{1000 + n}/",
            "level": "error", "status": "unresolved", "substatus": "ongoing", "priority": "high",
            "count": str(120 * n + 7), "userCount": 3 * n + 1, "firstSeen": "2026-11-01T10:00:00.123000Z",
            "lastSeen": "2026-11-24T09:30:00Z", "project": {"id": "42", "slug": "web"},
            "assignedTo": {"type": "user", "id": "7", "name": "Jane Developer", "email": "jane@example.com"} if n % 3 == 0 else None,
            "firstRelease": {"version": "web@1.4.0"}, "lastRelease": {"version": "web@1.4.2"},
            "metadata": {"type": "TypeError"}, "stats": {"24h": [[1, 2]] * 24}}


def frame(n, in_app):
    return {"filename": f"app/module{n}.js" if in_app else f"node_modules/lib{n}.js", "function": f"fn{n}",
            "lineNo": 10 + n, "colNo": 5, "inApp": in_app,
            "context": [[9 + n, "  const cart = useCart();"], [10 + n, f"  return cart.items[{n}].price;"], [11 + n, "}"]]}


def event(event_id):
    crumbs = [{"timestamp": f"2026-11-24T09:29:{n:02d}Z", "category": "fetch", "level": "info",
               "message": f"GET /api/cart/{n} [200]"} for n in range(30)]
    return {"id": event_id, "eventID": event_id, "groupID": "1001", "title": "TypeError: Cannot read properties of undefined",
            "culprit": "app/components/cart.js in render", "platform": "javascript", "dateCreated": "2026-11-24T09:30:00Z",
            "release": {"version": "web@1.4.2"}, "user": {"email": "ann@example.com"},
            "entries": [{"type": "exception", "data": {"values": [{"type": "TypeError", "value": "Cannot read properties of undefined",
                                                                  "mechanism": {"handled": False},
                                                                  "stacktrace": {"frames": [frame(n, n % 2 == 0) for n in range(24)]}}]}},
                        {"type": "breadcrumbs", "data": {"values": crumbs}}],
            "tags": [{"key": k, "value": v} for k, v in [("environment", "production"), ("browser", "Chrome 131"),
                                                         ("os", "macOS 15"), ("release", "web@1.4.2"), ("url", "https://shop.example.com/cart"),
                                                         ("handled", "no"), ("level", "error"), ("runtime", "browser")]]}


def tags():
    return [{"key": k, "totalValues": 1000, "topValues": [{"value": f"{k}-{i}", "count": 500 // (i + 1)} for i in range(3)]}
            for k in ["browser", "os", "environment", "release", "url", "user", "device", "transaction", "handled", "level"]]


def span(n, depth):
    children = [span(n * 10 + i, depth + 1) for i in range(3)] if depth < 3 else []
    return {"span_id": f"{n:016x}", "event_id": "e1", "op": ["http.server", "db", "cache.get", "http.client"][depth],
            "description": f"SELECT * FROM table_{n} WHERE id = %s", "duration": 500.0 / (depth + 1) - n % 7,
            "project_slug": "web", "status": "ok", "errors": [], "children": children}


def rows(query):
    fields = query.get("field", [])
    if fields == ["count()"]:
        return {"data": [{"count()": 1200}], "meta": {}}
    return {"data": [{f: (n * 3 if "(" in f else f"{f}-value-{n}") for f in fields} for n in range(25)],
            "meta": {"units": {"p95(span.duration)": "millisecond"}}}


def monitor(n):
    return {"id": str(n), "slug": f"job-{n}", "name": f"Job {n}", "status": "active", "project": {"id": "42", "slug": "web"},
            "config": {"schedule_type": "crontab", "schedule": "0 2 * * *", "timezone": "UTC"},
            "environments": [{"name": "production", "status": "ok", "lastCheckIn": "2026-11-24T02:00:13Z",
                              "nextCheckIn": "2026-11-25T02:00:00Z"}]}


def key(n):
    return {"id": f"k{n}", "name": f"Key {n}", "isActive": True, "dateCreated": "2026-01-01T00:00:00Z",
            "dsn": {"public": f"https://{n:032x}@o1.ingest.sentry.io/42", "secret": "https://hidden"}}


def rule(n):
    if n % 2:
        return {"type": "rule", "id": str(n), "name": f"New issues {n}", "actionMatch": "any",
                "conditions": [{"name": "A new issue is created"}], "actions": [{"name": "Send a notification to IssueOwners"}],
                "projects": ["web"], "lastTriggered": None}
    return {"type": "alert_rule", "id": str(n), "name": f"Error spike {n}", "aggregate": "count()", "query": "level:error",
            "dataset": "events", "timeWindow": 60, "thresholdType": 0, "triggers": [{"label": "critical", "alertThreshold": 100}],
            "projects": ["web"], "lastTriggered": "2026-11-20T10:00:00Z"}


RELEASE = {"version": "1.2.3", "dateCreated": "2026-11-20T10:00:00Z", "dateReleased": "2026-11-20T10:05:00Z",
           "commitCount": 42, "deployCount": 2, "newGroups": 3, "projects": [{"slug": "web"}],
           "lastCommit": {"id": "a" * 40}, "lastDeploy": {"id": "9", "environment": "production"}}
DEPLOYS = [{"id": str(n), "environment": env, "dateStarted": "2026-11-20T10:00:00Z", "dateFinished": "2026-11-20T10:06:00Z"}
           for n, env in [(9, "production"), (8, "staging")]]
AUTOFIX = {"autofix": {"run_id": 5, "status": "COMPLETED", "updated_at": "2026-11-24T10:00:00Z", "blocks": [{"artifacts": [
    {"key": "root_cause", "data": {"one_line_description": "The cart renders before its items load.",
                                   "five_whys": ["items is undefined on first render", "the fetch resolves later"]}},
    {"key": "solution", "data": {"one_line_summary": "Render a placeholder until items load.",
                                 "steps": [{"title": "Guard", "description": "Return early while cart.items is undefined."}]}}]}]}}

ORG = "/api/0/organizations/acme"
PROJECT = "/api/0/projects/acme/web"
ROUTES = {
    "/api/0/auth/": {"id": "7", "name": "Jane Developer", "email": "jane@example.com", "username": "jane"},
    "/api/0/organizations/": [{"id": "1", "slug": "acme", "name": "Acme", "links": {"organizationUrl": "https://acme.sentry.io"}}],
    f"{ORG}/projects/": [{"id": str(40 + n), "slug": f"project-{n}", "name": f"Project {n}", "platform": "javascript"} for n in range(12)],
    f"{PROJECT}/": {"id": "42", "slug": "web", "name": "Web", "platform": "javascript", "teams": [{"slug": "frontend"}],
                    "environments": ["production", "staging"], "latestRelease": {"version": "web@1.4.2"},
                    "firstEvent": "2025-01-01T00:00:00Z", "hasSessions": True},
    f"{ORG}/teams/": [{"id": str(n), "slug": f"team-{n}", "name": f"Team {n}", "memberCount": 5, "projects": [{"slug": "web"}]} for n in range(8)],
    f"{ORG}/issues/": [issue(n) for n in range(1, 26)],
    f"{ORG}/issues/{ISSUE}/": issue(1),
    f"{ORG}/issues/{ISSUE}/events/latest/": event(EVENT),
    f"{ORG}/issues/{ISSUE}/tags/": tags(),
    f"{ORG}/issues/{ISSUE}/tags/browser/": tags()[0] | {"uniqueValues": 12},
    f"{ORG}/issues/{ISSUE}/activities/": {"activity": [{"id": str(n), "type": "note" if n % 2 else "set_regression",
                                                         "data": {"text": "Looked at this after the deploy", "version": "web@1.4.2"},
                                                         "user": {"name": "Jane Developer"}, "dateCreated": "2026-11-2%dT10:00:00Z" % (n % 9)}
                                                        for n in range(12)]},
    f"{ORG}/issues/{ISSUE}/notes/": {"id": "99", "type": "note", "data": {"text": "x"}, "user": {"name": "Jane"}, "dateCreated": "2026-11-24T10:00:00Z"},
    f"{ORG}/issues/{ISSUE}/events/": [event(f"{n:032x}") | {"entries": []} for n in range(25)],
    f"{ORG}/issues/{ISSUE}/autofix/": AUTOFIX,
    f"{PROJECT}/events/{EVENT}/": event(EVENT),
    f"{PROJECT}/releases/": [RELEASE | {"version": f"1.2.{n}"} for n in range(25)],
    f"{ORG}/releases/": [RELEASE, RELEASE | {"version": "1.2.2", "dateCreated": "2026-11-10T10:00:00Z"}],
    f"{ORG}/releases/1.2.3/": RELEASE,
    f"{ORG}/releases/1.2.3/deploys/": DEPLOYS,
    f"{ORG}/releases/1.2.3/commits/": [{"id": f"{n:040x}", "message": f"Fix the cart, part {n}", "dateCreated": "2026-11-19T10:00:00Z",
                                        "author": {"name": "Jane Developer"}} for n in range(5)],
    f"{PROJECT}/stats/": [[1763856000 + 86400 * n, 100 + n] for n in range(30)],
    f"{ORG}/events/": None,  # answered from the query: see rows()
    f"{ORG}/trace-meta/{TRACE}/": {"span_count": 121.0, "errors": 1, "performance_issues": 0, "logs": 4,
                                   "span_count_map": {"db": 40.0, "cache.get": 40.0, "http.server": 1.0, "http.client": 40.0}},
    f"{ORG}/trace/{TRACE}/": [span(1, 0)],
    f"{PROJECT}/user-feedback/": [{"id": str(n), "eventID": f"{n:032x}", "name": "Ann", "email": "ann@example.com",
                                   "comments": "The cart stays empty after I add an item.", "dateCreated": "2026-11-24T09:00:00Z",
                                   "issue": {"id": "1001", "shortId": ISSUE, "title": "TypeError"}} for n in range(25)],
    f"{ORG}/combined-rules/": [rule(n) for n in range(25)],
    f"{ORG}/alert-rules/12/": rule(12) | {"actions": [{"name": "Send a Slack notification to #alerts"}]},
    f"{ORG}/monitors/": [monitor(n) for n in range(25)],
    f"{ORG}/monitors/job-1/": monitor(1),
    f"{ORG}/monitors/job-1/checkins/": [{"id": str(n), "environment": "production", "status": "ok", "duration": 13200.0,
                                         "dateCreated": "2026-11-2%dT02:00:13Z" % n} for n in range(10)],
    f"{ORG}/dashboards/": [{"id": str(100 + n), "title": f"Dashboard {n}", "widgetDisplay": ["line", "table"],
                            "createdBy": {"name": "Jane"}} for n in range(25)],
    f"{ORG}/dashboards/101/": {"id": "101", "title": "Errors", "period": "24h", "widgets": [
        {"id": str(n), "title": f"Widget {n}", "displayType": "line", "widgetType": "error-events",
         "queries": [{"fields": ["count()"], "conditions": "level:error", "orderby": "-count()"}]} for n in range(6)]},
    f"{ORG}/replays/{EVENT}/": {"data": {"id": EVENT, "started_at": "2026-11-24T09:00:00Z", "duration": 240, "count_errors": 1,
                                         "count_rage_clicks": 2, "count_dead_clicks": 1, "urls": [f"https://shop.example.com/page/{n}" for n in range(8)],
                                         "user": {"display_name": "ann@example.com"}, "browser": {"name": "Chrome", "version": "131"},
                                         "trace_ids": [TRACE], "error_ids": [EVENT]}},
    f"{PROJECT}/keys/": [key(n) for n in range(2)],
    f"{ORG}/sessions/": {"groups": [], "intervals": []},
}
WRITES = {
    f"{ORG}/issues/{ISSUE}/": {"status": "resolved", "shortId": ISSUE, "permalink": "https://acme.sentry.io/issues/1001/"},
    f"{ORG}/releases/": RELEASE, f"{ORG}/releases/1.2.3/": RELEASE, f"{ORG}/releases/1.2.3/deploys/": DEPLOYS[0],
    f"{PROJECT}/keys/": key(3), "/api/0/teams/acme/frontend/projects/": {"id": "43", "slug": "api", "name": "API", "platform": "python"},
    f"{PROJECT}/": {"id": "42", "slug": "web", "name": "Storefront", "platform": "javascript"},
    f"{ORG}/teams/": {"id": "9", "slug": "mobile", "name": "Mobile"},
    f"{PROJECT}/teams/frontend/": {"id": "42", "slug": "web", "teams": [{"slug": "frontend"}]},
    f"{ORG}/issues/{ISSUE}/notes/": ROUTES[f"{ORG}/issues/{ISSUE}/notes/"],
    f"{ORG}/issues/{ISSUE}/autofix/": {"run_id": 5},
}


class FakeSentry(BaseHTTPRequestHandler):
    def answer(self, table):
        url = urlparse(self.path)
        if url.path == f"{ORG}/events/":
            body = rows(parse_qs(url.query))
        elif url.path in table:
            body = table[url.path]
        else:
            body = [] if url.path.endswith("/issues/") or url.path.endswith("/deploys/") else None
        status = 404 if body is None else 200
        data = json.dumps(body if body is not None else {"detail": "not in the fake"}).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self.answer(ROUTES)

    def do_POST(self):
        self.rfile.read(int(self.headers.get("content-length", 0)))
        self.answer(WRITES)

    do_PUT = do_POST

    def log_message(self, *args):
        pass


CALLS = [
    ("whoami", {}), ("list_organizations", {}), ("list_projects", {}), ("get_project", {}), ("list_teams", {}),
    ("list_issues", {}), ("search_issues", {"query": "is:unresolved"}), ("get_issue", {"issue_id": ISSUE}),
    ("update_issue", {"issue_id": ISSUE, "status": "resolved"}), ("resolve_issue", {"issue_id": ISSUE}),
    ("ignore_issue", {"issue_id": ISSUE}), ("list_issue_tag_values", {"issue_id": ISSUE, "key": "browser"}),
    ("list_issue_activity", {"issue_id": ISSUE}), ("add_issue_note", {"issue_id": ISSUE, "text": "Looking"}),
    ("get_resource", {"url": "{SENTRY_URL}/organizations/acme/issues/WEB-1/"}), ("list_events", {"issue_id": ISSUE}),
    ("get_event", {"event_id": EVENT}), ("list_releases", {}), ("get_release", {"version": "1.2.3"}),
    ("create_release", {"version": "1.2.3", "projects": ["web"]}), ("finalize_release", {"version": "1.2.3"}),
    ("create_deploy", {"version": "1.2.3", "environment": "production"}), ("list_deploys", {"version": "1.2.3"}),
    ("get_project_stats", {}), ("check_release_health", {"version": "1.2.3", "environment": "production"}),
    ("search_events", {"dataset": "spans", "fields": ["span.op", "span.description", "count()", "p95(span.duration)"]}),
    ("get_trace", {"trace_id": TRACE}), ("list_alert_rules", {}), ("get_alert_rule", {"rule_id": "12"}),
    ("list_monitors", {}), ("get_monitor", {"monitor_slug": "job-1"}), ("list_dashboards", {}),
    ("get_dashboard", {"dashboard_id": "101"}), ("get_replay", {"replay_id": EVENT}), ("list_user_feedback", {}),
    ("list_dsns", {}), ("create_dsn", {"name": "ios"}), ("create_project", {"team_slug": "frontend", "name": "API"}),
    ("update_project", {"name": "Storefront"}), ("create_team", {"name": "Mobile"}),
    ("add_team_to_project", {"team_slug": "frontend"}), ("analyze_issue_with_seer", {"issue_id": ISSUE, "wait_seconds": 0}),
]


def run_tool(env, name, args, output):
    arguments = json.dumps(args).replace("{SENTRY_URL}", env["SENTRY_URL"])
    out = subprocess.run([BINARY, "--output", output, "tool", name, "--json", arguments], env=env,
                         capture_output=True, text=True, timeout=60)
    if out.returncode != 0:
        raise SystemExit(f"{name} failed: {out.stderr.strip()}")
    return out.stdout.strip()


def tools_list(env, extra):
    requests = [
        {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                                                                        "clientInfo": {"name": "tokens", "version": "0"}}},
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {"jsonrpc": "2.0", "id": 2, "method": "tools/list"},
    ]
    payload = "".join(json.dumps(r) + "\n" for r in requests)
    out = subprocess.run([BINARY, "mcp", *extra], input=payload, env=env, capture_output=True, text=True, timeout=30)
    answer = next(line for line in out.stdout.splitlines() if json.loads(line).get("id") == 2)
    return answer, json.loads(answer)["result"]["tools"]


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeSentry)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    env = {"PATH": os.environ.get("PATH", ""), "HOME": "/nonexistent", "SENTRY_AUTH_TOKEN": "tokens-script",
           "SENTRY_URL": f"http://127.0.0.1:{server.server_address[1]}", "SENTRY_ORG": "acme", "SENTRY_PROJECT": "web"}
    package = tokenizer()
    default_list, default_tools = tools_list(env, [])
    all_list, all_tools = tools_list(env, ["--toolsets", "all"])
    schemas = {t["name"] for t in all_tools if t.get("outputSchema")}
    texts, jsons = [], []
    for name, args in CALLS:
        texts.append(run_tool(env, name, args, "text"))
        jsons.append(run_tool(env, name, args, "json"))
    server.shutdown()
    measured = counts([default_list, all_list] + texts + jsons, package)
    lists, text_tokens, json_tokens = measured[:2], measured[2:2 + len(CALLS)], measured[2 + len(CALLS):]
    how = f"o200k_base tokens ({package})" if package else "bytes/4 (no tokenizer could be installed)"
    toolset = {t["name"]: "default" for t in default_tools}
    print(f"Counted in {how}; the fake Sentry serves 25 items per list.\n")
    print("| tools/list | tools | bytes | budget | tokens |")
    print("|---|---|---|---|---|")
    for label, tools, answer, budget, tokens in [
        ("default toolsets", default_tools, default_list, 12_000, lists[0]),
        ("all toolsets", all_tools, all_list, 30_000, lists[1]),
    ]:
        verdict = "met" if len(answer) <= budget else "NOT met"
        print(f"| {label} | {len(tools)} | {len(answer)} | {budget // 1000} KB, {verdict} | {tokens} |")
    print("\n| tool | listed by default | answer (text) | structured, sent only with a schema | MCP answer |")
    print("|---|---|---|---|---|")
    for (name, _), text, structured in zip(CALLS, text_tokens, json_tokens):
        sent = text + structured if name in schemas else text
        shown = f"{structured}" if name in schemas else f"({structured}, not sent)"
        print(f"| `{name}` | {'yes' if name in toolset else ''} | {text} | {shown} | {sent} |")
    total_sent = sum(t + (s if n in schemas else 0) for (n, _), t, s in zip(CALLS, text_tokens, json_tokens))
    total_both = sum(t + s for t, s in zip(text_tokens, json_tokens))
    print(f"\nAll {len(CALLS)} answers: {total_sent} tokens as sent; {total_both} if every answer also carried its JSON.")


if __name__ == "__main__":
    main()
