#!/usr/bin/env python3
"""Prints cargo-mutants' outcomes as a table per file: caught, missed, timeouts, score.

Usage: scripts/mutants-table.py OUTCOMES_JSON [MORE_OUTCOMES_JSON ...] [--missed] [--no-exclusions]

With several files, a later run's outcome for a mutant replaces an earlier one (scripts/mutants.sh
reruns with the whole suite only what the unit tests missed). Mutants that `.cargo/mutants.toml`
excludes (each with its reason there) are counted apart, not scored, so a table from a run made
before an exclusion was added matches one made after.

The score is caught over caught + missed, timeouts counted as caught (a mutant that makes the tests
hang is noticed); unviable mutants (they do not compile) are left out. --missed also lists the
surviving mutants; --no-exclusions scores every mutant, as if .cargo/mutants.toml excluded none.
Exit status 0 always: the table informs, the reviewer decides.
"""

import json
import re
import sys
import tomllib
from collections import defaultdict
from pathlib import Path

KINDS = {
    "CaughtMutant": "caught",
    "MissedMutant": "missed",
    "Timeout": "timeout",
    "Unviable": "unviable",
}


def exclusions():
    config = Path(__file__).resolve().parent.parent / ".cargo" / "mutants.toml"
    if not config.is_file():
        return []
    with open(config, "rb") as f:
        return [re.compile(pattern) for pattern in tomllib.load(f).get("exclude_re", [])]


def final_outcomes(paths):
    """Each mutant's last outcome over the runs, by name."""
    outcomes = {}
    for path in paths:
        with open(path, encoding="utf-8") as f:
            for outcome in json.load(f)["outcomes"]:
                scenario = outcome["scenario"]
                kind = KINDS.get(outcome["summary"])
                if isinstance(scenario, dict) and "Mutant" in scenario and kind:
                    mutant = scenario["Mutant"]
                    outcomes[mutant["name"]] = (mutant["file"], kind)
    return outcomes


def main():
    paths = [arg for arg in sys.argv[1:] if not arg.startswith("--")]
    excluded_by = [] if "--no-exclusions" in sys.argv else exclusions()
    columns = ("caught", "missed", "timeout", "unviable", "excluded")
    rows = defaultdict(lambda: dict.fromkeys(columns, 0))
    missed = []
    for name, (file, kind) in sorted(final_outcomes(paths).items()):
        if any(pattern.search(name) for pattern in excluded_by):
            kind = "excluded"
        rows[file][kind] += 1
        if kind == "missed":
            missed.append(name)
    print("| file | caught | missed | timeouts | unviable | excluded | score |")
    print("|---|---|---|---|---|---|---|")
    totals = dict.fromkeys(columns, 0)
    for file in sorted(rows):
        row = rows[file]
        for key, value in row.items():
            totals[key] += value
        print(f"| `{file}` | " + " | ".join(str(row[c]) for c in columns) + f" | {score(row)} |")
    print("| all | " + " | ".join(str(totals[c]) for c in columns) + f" | {score(totals)} |")
    if "--missed" in sys.argv:
        print("\nmissed:")
        for name in missed:
            print(f"  {name}")


def score(row):
    noticed = row["caught"] + row["timeout"]
    judged = noticed + row["missed"]
    return f"{100 * noticed / judged:.0f}%" if judged else "-"


if __name__ == "__main__":
    main()
