#!/usr/bin/env python3
"""Prints cargo-mutants' outcomes as a table per file: caught, missed, timeouts, score.

Usage: scripts/mutants-table.py OUTCOMES_JSON [--missed]

The score is caught over caught + missed, timeouts counted as caught (a mutant that makes the tests
hang is noticed); unviable mutants (they do not compile) are left out. --missed also lists the
surviving mutants. Exit status 0 always: the table informs, the reviewer decides.
"""

import json
import sys
from collections import defaultdict


def main():
    path = sys.argv[1]
    with open(path, encoding="utf-8") as f:
        outcomes = json.load(f)["outcomes"]
    rows = defaultdict(lambda: {"caught": 0, "missed": 0, "timeout": 0, "unviable": 0})
    missed = []
    for outcome in outcomes:
        mutant = outcome["scenario"]
        if not isinstance(mutant, dict) or "Mutant" not in mutant:
            continue  # the baseline run
        mutant = mutant["Mutant"]
        kind = {
            "CaughtMutant": "caught",
            "MissedMutant": "missed",
            "Timeout": "timeout",
            "Unviable": "unviable",
        }.get(outcome["summary"])
        if kind is None:
            continue
        rows[mutant["file"]][kind] += 1
        if kind == "missed":
            missed.append(mutant["name"])
    print(f"| file | caught | missed | timeouts | unviable | score |")
    print(f"|---|---|---|---|---|---|")
    totals = defaultdict(int)
    for file in sorted(rows):
        row = rows[file]
        for key, value in row.items():
            totals[key] += value
        print(f"| `{file}` | {row['caught']} | {row['missed']} | {row['timeout']} | {row['unviable']} | {score(row)} |")
    print(f"| all | {totals['caught']} | {totals['missed']} | {totals['timeout']} | {totals['unviable']} | {score(totals)} |")
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
