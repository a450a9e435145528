#!/usr/bin/env python3
"""The bench scripts' one reader of the cluster runner's --results JSON.

    figures.py line FILE...                 one aligned line per run (header first), for people
    figures.py record FILE [NOTE]           the run as a compact JSON record, for bench/results.json
    figures.py add ROW FILE [NOTE]          append that record to row ROW of bench/results.json
                                            (replacing the row's transcribed, pre-JSON figures)

Numbers are formatted by Python's own rules, never the locale's, so a summary reads the same on
every machine. Only JSON is read: the runner's human-readable summary may change freely.
"""
import json
import os
import sys

RESULTS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "results.json")


def record(results, note=None):
    """The figures of one run that the bench scripts and the README's results table use."""
    r = results
    net = r["net"]
    rec = {
        "valid": r["valid?"],
        "workload": r["workload"],
        "node-args": r.get("node-args", []),
        "node-count": r["node-count"],
        "rate": r["rate"],
        "time-limit": r["time-limit"],
        "latency": r["latency"],
        "nemesis": r["nemesis"],
        "op-count": r["op-count"],
        "servers-msgs-per-op": round(net["servers"].get("msgs-per-op", 0.0), 4),
        "all-msgs-per-op": round(net["all"].get("msgs-per-op", 0.0), 4),
        "client-latency-ms": r["latencies"].get("all", {}),
        "checks": {name: check["summary"] for name, check in r["checks"].items()},
    }
    checks = r["checks"]
    if "set-full" in checks and "stable-latencies" in checks["set-full"]:
        rec["stable-latency-ms"] = checks["set-full"]["stable-latencies"]
    if "availability" in checks:
        rec["availability"] = round(checks["availability"]["ok-fraction"], 4)
    kafka = checks.get("kafka", {})
    if kafka.get("workbench-op-count"):
        # The workbench counts a poll and the commit after it as one operation (docs/kafka.md).
        rec["workbench-msgs-per-op"] = round(net["servers"]["msg-count"] / kafka["workbench-op-count"], 4)
    if note:
        rec["note"] = note
    return rec


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def verdict(valid):
    return "valid" if valid is True else "INVALID" if valid is False else str(valid)


LINE = "{:<18} {:<16} {:<10} {:<8} {:>9} {:>9} {:>8} {:>10} {:>9}"


def line(rec):
    stable = rec.get("stable-latency-ms", {})
    return LINE.format(
        rec["workload"], ",".join(rec["node-args"]), "partition" if rec["nemesis"] else "none",
        verdict(rec["valid"]), "%.3f" % rec.get("workbench-msgs-per-op", rec["servers-msgs-per-op"]),
        "%.3f" % rec["all-msgs-per-op"], rec["op-count"], stable.get("0.5", "-"), stable.get("1", "-"))


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    command, args = argv[1], argv[2:]
    if command == "line":
        print(LINE.format("workload", "node args", "nemesis", "verdict", "msgs/op", "all/op", "ops",
                          "stable-p50", "stable-max"))
        for path in args:
            print(line(record(load(path))))
    elif command == "record":
        print(json.dumps(record(load(args[0]), args[1] if len(args) > 1 else None), indent=1))
    elif command == "add":
        table = load(RESULTS)
        rows = [row for row in table["rows"] if row["id"] == args[0]]
        if not rows:
            print("no row %s in %s" % (args[0], RESULTS), file=sys.stderr)
            return 2
        # Figures transcribed from before the table was generated give way to the first measured run.
        rows[0]["runs"] = [run for run in rows[0]["runs"] if "source" not in run]
        rows[0]["runs"].append(record(load(args[1]), args[2] if len(args) > 2 else None))
        with open(RESULTS, "w", encoding="utf-8") as f:
            json.dump(table, f, indent=1)
            f.write("\n")
    else:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
