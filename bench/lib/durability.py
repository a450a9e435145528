#!/usr/bin/env python3
"""bench/durability's summary: per line, the medians of the nodes' CPU and msgs-per-op in memory and with a
data directory, and the CPU cost in per cent.

    durability.py RUNS.jsonl              print the table
    durability.py RUNS.jsonl --record     also replace the runs of row "durability" in bench/results.json
"""
import json
import os
import statistics
import sys

RESULTS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "results.json")


def summarize(runs):
    lines = []
    for line in dict.fromkeys(run["line"] for run in runs):
        mine = [run for run in runs if run["line"] == line]
        memory = [run for run in mine if run["variant"] == "memory"]
        durable = [run for run in mine if run["variant"] == "durable"]
        rec = {
            "line": line,
            "runs": min(len(memory), len(durable)),
            "valid": all(run["valid"] is True for run in mine),
            "time-limit": mine[0].get("time-limit"),
            "cpu-s": round(statistics.median(run["cpu-s"] for run in memory), 2),
            "cpu-s-durable": round(statistics.median(run["cpu-s"] for run in durable), 2),
            "msgs-per-op": round(statistics.median(run.get("msgs-per-op", 0) for run in memory), 3),
            "msgs-per-op-durable": round(statistics.median(run.get("msgs-per-op", 0) for run in durable), 3),
            "data-bytes": max(run["data-bytes"] for run in durable),
            "load-average": "%s-%s" % (min(run["load"] for run in mine), max(run["load"] for run in mine)),
        }
        rec["cpu-cost-percent"] = round(100 * (rec["cpu-s-durable"] - rec["cpu-s"]) / rec["cpu-s"], 1) if rec["cpu-s"] else None
        lines.append(rec)
    return lines


def main(argv):
    with open(argv[1], encoding="utf-8") as f:
        runs = [json.loads(text) for text in f if text.strip()]
    lines = summarize(runs)
    fmt = "{:<10} {:>4} {:>7} {:>9} {:>10} {:>8} {:>10} {:>10} {}"
    print(fmt.format("line", "runs", "valid", "cpu s", "durable s", "cost %", "msgs/op", "durable", "load"))
    for r in lines:
        print(fmt.format(r["line"], r["runs"], str(r["valid"]), r["cpu-s"], r["cpu-s-durable"],
                         r["cpu-cost-percent"], r["msgs-per-op"], r["msgs-per-op-durable"], r["load-average"]))
    if "--record" in argv:
        with open(RESULTS, encoding="utf-8") as f:
            table = json.load(f)
        rows = [row for row in table["rows"] if row["id"] == "durability"]
        if not rows:
            print("no row durability in %s" % RESULTS, file=sys.stderr)
            return 2
        recorded = {run["line"]: run for run in rows[0]["runs"]}
        recorded.update({r["line"]: r for r in lines})
        rows[0]["runs"] = list(recorded.values())
        with open(RESULTS, "w", encoding="utf-8") as f:
            json.dump(table, f, indent=1)
            f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
