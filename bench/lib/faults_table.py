#!/usr/bin/env python3
"""Folds the output of several `bench/faults --seed S` calls into docs/faults.md's table.

    python3 bench/lib/faults_table.py LOG...

Each LOG holds bench/faults's lines (one per run: workload, nemesis, verdict, msgs/op, faults, checks),
possibly from several seeds; "=== seed S" lines, as the loop in docs/faults.md writes them, name the seed.
Prints one markdown row per workload and nemesis: valid runs of all, the seeds, the median servers
msgs-per-op, the kills drawn, and the range of the availability and of the workload's own loss figure.
"""
import re
import statistics
import sys
from collections import OrderedDict

LINE = re.compile(r"^(\S+)\s+(kill\S*)\s+(valid|INVALID)\s+([\d.]+) msgs/op \| faults (\{.*?\}) \| (.*)$")
SEED = re.compile(r"^=== seed (\d+)")
KILL = re.compile(r'"kill":\{"count":(\d+),"nodes":(\d+)\}')
AVAILABILITY = re.compile(r"availability: (\d+) of (\d+) operations ok")
# what each checker says was lost (0 when nothing), by the workload's own check
LOSS = [
    (re.compile(r"(\d+) lost"), "lost {}"),
    (re.compile(r"(\d+) ids returned more than once"), "{} ids twice"),
    (re.compile(r"ids, all distinct"), None),
    (re.compile(r"nothing lost, skipped or reordered"), None),
    (re.compile(r"final reads, all in"), None),
    (re.compile(r"no (?:prohibited )?anomal"), None),
    (re.compile(r"every one linearizable"), None),
]


def loss(checks):
    for pattern, label in LOSS:
        m = pattern.search(checks)
        if m:
            return label.format(m.group(1)) if label else "none"
    return "?"


def main(paths):
    runs = OrderedDict()
    for path in paths:
        seed = "?"
        with open(path) as f:
            for raw in f:
                line = raw.rstrip("\n")
                m = SEED.match(line)
                if m:
                    seed = m.group(1)
                    continue
                m = LINE.match(line)
                if not m:
                    continue
                workload, nemesis, verdict, mpo, faults, checks = m.groups()
                kill = KILL.search(faults)
                avail = AVAILABILITY.search(checks)
                runs.setdefault((workload, nemesis), []).append({
                    "seed": seed, "valid": verdict == "valid", "mpo": float(mpo),
                    "kills": (int(kill.group(1)), int(kill.group(2))) if kill else (0, 0),
                    "availability": int(avail.group(1)) / int(avail.group(2)) if avail else None,
                    "loss": loss(checks)})
    print("| workload | nemesis | valid | seeds | msgs/op (median) | kills (nodes) per run | availability | lost |")
    print("|---|---|---|---|---|---|---|---|")
    for (workload, nemesis), rs in runs.items():
        seeds = ",".join(sorted({r["seed"] for r in rs}))
        valid = sum(r["valid"] for r in rs)
        kills = " ".join(f"{k}({n})" for k, n in (r["kills"] for r in rs))
        avails = [r["availability"] for r in rs if r["availability"] is not None]
        avail = f"{min(avails):.3f}-{max(avails):.3f}" if avails else "?"
        losses = sorted({r["loss"] for r in rs})
        print(f"| {workload} | {nemesis} | {valid} of {len(rs)} | {seeds} | "
              f"{statistics.median(r['mpo'] for r in rs):.3f} | {kills} | {avail} | {', '.join(losses)} |")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
