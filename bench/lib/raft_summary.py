#!/usr/bin/env python3
"""What bench/raft quotes per run besides figures.py's line: ok fraction, servers msgs/op and client latency.

    raft_summary.py FILE...     FILE: a runner --results JSON (store/bench/raft-ROW-PROFILE-sSEED.json)
"""
import json
import sys


def main(paths):
    for path in paths:
        with open(path, encoding="utf-8") as f:
            r = json.load(f)
        ok = r["checks"].get("availability", {}).get("ok-fraction")
        latency = r["latencies"].get("all", {})
        print("  ok %s, %.3f servers msgs/op, latency median %s ms, p95 %s ms, %d ops" % (
            "-" if ok is None else "%.1f %%" % (100 * ok), r["net"]["servers"].get("msgs-per-op", 0.0),
            latency.get("0.5", "-"), latency.get("0.95", "-"), r["op-count"]))


if __name__ == "__main__":
    if len(sys.argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        sys.exit(2)
    main(sys.argv[1:])
