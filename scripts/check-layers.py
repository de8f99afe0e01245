#!/usr/bin/env python3
"""Checks that the crate's imports point one way: no upward import between layers, no import cycle.

Usage: scripts/check-layers.py [--report] [SRC_DIR]

Reads every `.rs` file under SRC_DIR (default: src), finds what each file uses from the crate (`use`
statements and inline `crate::`, `super::`, `self::` and child-module paths, test modules included),
resolves re-exports to the file that defines the item, and checks two things:

1. Layers. Each top-level module has a rank (LAYERS below). A file may use a file of another
   top-level module only if that module's rank is lower. Modules of the same rank never use each
   other (faces do not call faces; the gate and the release workflow do not call each other).
2. Cycles. The graph of files (an edge where a file uses another) has no cycle.

Exit status 0 when both hold, 1 otherwise (the offending imports and cycles are printed). With
--report it also prints the numbers the architecture notes quote: files, edges, the largest files.
No third-party package is needed; it runs in well under a second.
"""

import os
import re
import sys
from collections import defaultdict

# Top-level modules by layer, highest first. A file may only use modules of a lower rank.
LAYERS = [
    ("app",),
    ("cli", "mcp", "tool_cli"),
    ("config",),
    ("tools",),
    ("gate", "release", "sourcemaps"),
    ("sentry", "git", "ci"),
    ("text", "exit", "output", "time"),
]
RANK = {name: len(LAYERS) - i for i, names in enumerate(LAYERS) for name in names}

USE_RE = re.compile(r"\buse\s+((?:crate|super|self)(?:::[^;]*)?);", re.S)
INLINE_RE = re.compile(r"\b((?:crate|super|self)(?:::\w+)+)")
MOD_RE = re.compile(r"^\s*(?:pub(?:\([^)]*\))?\s+)?mod\s+(\w+)\s*;", re.M)
REEXPORT_RE = re.compile(r"\bpub(?:\([^)]*\))?\s+use\s+([^;]+);", re.S)
MACRO_EXPORT_RE = re.compile(r"#\[macro_export\]\s*macro_rules!\s*(\w+)")


def strip_comments_and_strings(text):
    """Blanks out comments, string and char literals so paths inside them are not read."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            depth, i = 1, i + 2
            while i < n and depth:
                if text.startswith("/*", i):
                    depth, i = depth + 1, i + 2
                elif text.startswith("*/", i):
                    depth, i = depth - 1, i + 2
                else:
                    i += 1
        elif c == "r" and re.match(r'r#*"', text[i:i + 10]) and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
            hashes = re.match(r'r(#*)"', text[i:]).group(1)
            end = text.find('"' + hashes, i + 2 + len(hashes))
            out.append('""')
            i = n if end < 0 else end + 1 + len(hashes)
        elif c == '"':
            i += 1
            while i < n and text[i] != '"':
                i += 2 if text[i] == "\\" else 1
            out.append('""')
            i += 1
        elif c == "'" and re.match(r"'(\\.|[^\\'])'", text[i:i + 4]):
            m = re.match(r"'(\\.[^']*|[^\\'])'", text[i:])
            out.append("' '")
            i += len(m.group(0)) if m else 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def inline_module_spans(text):
    """The (start, end) offsets of every inline `mod name { ... }` block, such as `mod tests`."""
    spans = []
    for match in re.finditer(r"\bmod\s+\w+\s*\{", text):
        depth, i = 1, match.end()
        while i < len(text) and depth:
            depth += {"{": 1, "}": -1}.get(text[i], 0)
            i += 1
        spans.append((match.end(), i))
    return spans


def module_of(path, src):
    """`src/gate/rules/mod.rs` -> ("gate", "rules"); `src/lib.rs` -> ()."""
    rel = os.path.relpath(path, src)[:-3].split(os.sep)
    if rel[-1] == "mod":
        rel = rel[:-1]
    if rel in (["lib"], ["main"]):
        return ()
    return tuple(rel)


def expand_use_tree(tree):
    """`crate::a::{b, c::{d, e}}` -> ["crate::a::b", "crate::a::c::d", "crate::a::c::e"]."""
    tree = re.sub(r"\s+", "", tree)
    depth, split = 0, None
    for i, c in enumerate(tree):
        if c == "{":
            if depth == 0 and split is None:
                split = i
            depth += 1
        elif c == "}":
            depth -= 1
    if split is None:
        return [re.sub(r"\bas\w+$", "", tree.split(" as ")[0])]
    prefix, inner = tree[:split], tree[split + 1:-1]
    parts, depth, start = [], 0, 0
    for i, c in enumerate(inner):
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
        elif c == "," and depth == 0:
            parts.append(inner[start:i])
            start = i + 1
    parts.append(inner[start:])
    paths = []
    for part in filter(None, parts):
        if part == "self":
            paths.append(prefix.rstrip(":"))
        else:
            paths.extend(expand_use_tree(prefix + part))
    return paths


class Crate:
    def __init__(self, src):
        self.src = src
        self.files = {}  # module path -> file path
        self.text = {}  # module path -> code without comments or strings
        self.lines = {}
        self.children = defaultdict(set)
        for root, _, names in os.walk(src):
            for name in names:
                if name.endswith(".rs"):
                    path = os.path.join(root, name)
                    module = module_of(path, src)
                    with open(path, encoding="utf-8") as f:
                        raw = f.read()
                    self.files[module] = path
                    self.lines[module] = raw.count("\n")
                    self.text[module] = strip_comments_and_strings(raw)
        for module, text in self.text.items():
            for child in MOD_RE.findall(text):
                if module + (child,) in self.files:
                    self.children[module].add(child)
        self.macros = {}
        for module, text in self.text.items():
            for macro in MACRO_EXPORT_RE.findall(text):
                self.macros[macro] = module
        self.reexports = defaultdict(dict)  # module -> item -> absolute path
        for module, text in self.text.items():
            for tree in REEXPORT_RE.findall(text):
                for path in expand_use_tree(tree):
                    absolute = self.absolute(module, path.split("::"))
                    if absolute:
                        self.reexports[module][absolute[-1]] = absolute

    def absolute(self, module, segments, inline_depth=0):
        """A path as written in `module`, made absolute from the crate root (None if external).

        `inline_depth` counts the inline `mod name { ... }` blocks (tests) around the path: their
        `super` first climbs back to the file's own module.
        """
        while inline_depth and segments and segments[0] == "super":
            segments, inline_depth = segments[1:], inline_depth - 1
        if not segments:
            return module
        if inline_depth and segments[0] == "self":
            segments = segments[1:]
            if not segments:
                return module
        first = segments[0]
        if first == "crate":
            return tuple(segments[1:])
        if first == "self":
            return module + tuple(segments[1:])
        if first == "super":
            base = list(module)
            while segments and segments[0] == "super":
                if base:
                    base.pop()
                segments = segments[1:]
            return tuple(base) + tuple(segments)
        if first in self.children[module]:
            return module + tuple(segments)
        if module == () and (first,) in self.files:
            return tuple(segments)
        return None

    def resolve(self, path, seen=None):
        """The file module that defines what `path` names, following re-exports."""
        if len(path) == 1 and path[0] in self.macros:
            return self.macros[path[0]]
        best = ()
        for i in range(len(path), -1, -1):
            if path[:i] in self.files:
                best = path[:i]
                break
        rest = path[len(best):]
        if rest and rest[0] in self.reexports.get(best, {}):
            target = self.reexports[best][rest[0]]
            seen = seen or set()
            if target not in seen:
                seen.add(target)
                return self.resolve(target + rest[1:], seen)
        return best

    def edges(self):
        graph = defaultdict(set)
        for module, text in self.text.items():
            if module == ():
                continue
            spans = inline_module_spans(text)
            depth = lambda pos: sum(1 for start, end in spans if start <= pos < end)
            paths = []
            use_re = USE_RE
            if self.children[module]:
                names = "|".join(sorted(self.children[module]))
                use_re = re.compile(r"\buse\s+((?:crate|super|self|%s)(?:::[^;]*)?);" % names, re.S)
            for match in use_re.finditer(text):
                paths.extend((p, depth(match.start())) for p in expand_use_tree(match.group(1)))
            paths.extend((m.group(1), depth(m.start())) for m in INLINE_RE.finditer(text))
            if self.children[module]:
                names = "|".join(sorted(self.children[module]))
                child_re = re.compile(r"(?<![\w:])((?:%s)(?:::\w+)+)" % names)
                paths.extend((m.group(1), 0) for m in child_re.finditer(text))
            for macro in self.macros:
                if re.search(r"\b%s!" % macro, text):
                    paths.append(("crate::" + macro, 0))
            for path, inline_depth in paths:
                absolute = self.absolute(module, path.split("::"), inline_depth)
                if absolute is None:
                    continue
                target = self.resolve(absolute)
                if target and target != module and target in self.files:
                    graph[module].add(target)
        return graph


def name(module):
    return "::".join(module) or "crate"


def strongly_connected(graph, nodes):
    index, low, stack, on_stack, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1 or v in graph.get(v, ()):
                out.append(sorted(component))

    sys.setrecursionlimit(10000)
    for v in sorted(nodes):
        if v not in index:
            visit(v)
    return out


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    report = "--report" in sys.argv
    src = args[0] if args else "src"
    crate = Crate(src)
    graph = crate.edges()
    problems = 0

    unknown = sorted({m[0] for m in crate.files if m and m[0] not in RANK})
    for top in unknown:
        print(f"unranked top-level module: {top} (add it to LAYERS in {sys.argv[0]})")
        problems += 1

    upward = []
    for source, targets in sorted(graph.items()):
        for target in sorted(targets):
            a, b = source[0], target[0]
            if a == b or a not in RANK or b not in RANK:
                continue
            if RANK[b] >= RANK[a]:
                upward.append((source, target))
    for source, target in upward:
        kind = "a sibling layer" if RANK[target[0]] == RANK[source[0]] else "a higher layer"
        print(f"upward import: {crate.files[source]} uses {name(target)} ({kind})")
    problems += len(upward)

    cycles = strongly_connected(graph, crate.files.keys())
    for cycle in cycles:
        print(f"import cycle of {len(cycle)} files: " + ", ".join(crate.files[m] for m in cycle))
    problems += len(cycles)

    if report:
        edges = sum(len(t) for t in graph.values())
        print(f"files: {len(crate.files)}, imports between files: {edges}")
        print(f"upward imports: {len(upward)}, cycles: {len(cycles)}"
              + (f" (largest: {max(map(len, cycles))} files)" if cycles else ""))
        print("largest files (lines):")
        for module, lines in sorted(crate.lines.items(), key=lambda kv: -kv[1])[:8]:
            print(f"  {lines:5}  {crate.files[module]}")
    if problems:
        print(f"layer check failed: {len(upward)} upward import(s), {len(cycles)} cycle(s)")
        return 1
    print("layer check passed: no upward import, no cycle")
    return 0


if __name__ == "__main__":
    sys.exit(main())
