#!/usr/bin/env python3
"""The figures of bench/raft-faults, from the runner's --results JSON only.

    raft_faults_table.py line FILE       one line for one run
    raft_faults_table.py table FILE...   one markdown row per line and nemesis, over the seeds

A run's row is its workload and node count (lin-kv-3, txn-5). Recovery is the runner's (docs/faults.md,
"Recovery"): all-clears followed by >= 3 s of quiet, the delay until every node served an operation invoked
after the all-clear, and until the first ok. "Worst" figures are over the all-clears after which every node
was asked and served; "not asked" counts those after which some node got no request within the quiet (its
workers still waiting out timeouts), "MISSED" those after which a node was asked and did not answer in time.
"""
import json
import statistics
import sys
from collections import OrderedDict


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def row_of(r):
    short = "txn" if r["workload"] == "txn-list-append" else r["workload"]
    return f"{short}-{r['node-count']}"


def own_checks(r):
    """The workload's own checker(s): every check but availability and protocol (protocol when it failed)."""
    return {n: c for n, c in r["checks"].items()
            if n != "availability" and (n != "protocol" or c["valid?"] is not True)}


def faults_text(faults):
    parts = []
    for kind in ("kill", "pause", "partition"):
        c = faults.get(kind)
        if c is not None:
            parts.append(f"{kind} {c['count']}" + (f"({c['nodes']})" if "nodes" in c else ""))
    return " ".join(parts)


def seconds(value):
    return "-" if value is None else f"{value:.2f}"


def recovery_text(rec):
    text = f"{rec['measured']} all-clears ({rec['too-short']} shorter)"
    if rec["measured"]:
        every = rec.get("worst-every-node-serving-s")
        if every is not None:
            text += f", every node serving {seconds(every)} s"
        if rec.get("not-asked"):
            text += f", {rec['not-asked']} with a node never asked"
        if rec["not-serving"]:
            text += f", {rec['not-serving']} with a node not serving"
        text += f", first ok {seconds(rec.get('worst-first-ok-s'))} s"
    return text


def asked_to_served(all_clear):
    """The node's own part of an all-clear's delay: its first request after it to its first answer (worst
    node), from the per-node times, so JSON written before the runner reported it reads the same."""
    parts = [n["served-s"] - n["invoked-s"] for n in all_clear["nodes"].values() if "served-s" in n]
    return max(parts) if parts and len(parts) == len(all_clear["nodes"]) else None


def verdict(valid):
    return "valid" if valid is True else "INVALID" if valid is False else str(valid)


def line(path):
    r = load(path)
    avail = r["checks"]["availability"]["ok-fraction"]
    checks = "; ".join(f"{n}: {c['summary']}" for n, c in own_checks(r).items())
    return (f"{row_of(r):9} {','.join(r['nemesis']):21} s{r['seed']:<2} {verdict(r['valid?']):8} "
            f"ok {100 * avail:5.1f}% {r['net']['servers'].get('msgs-per-op', 0):6.3f} msgs/op | "
            f"{faults_text(r.get('faults', {}))} | recovery {recovery_text(r['recovery'])} | {checks} | {r['run-dir']}")


def table(paths):
    groups = OrderedDict()
    for path in paths:
        r = load(path)
        groups.setdefault((row_of(r), ",".join(r["nemesis"])), []).append(r)
    print("| line | nemesis | valid | seeds | ok % | msgs/op (median) | faults per run | all-clears measured "
          "(shorter) | every node serving, worst per run (s) | asked to served, worst (s) | first ok, worst (s) "
          "| within 3 s | checker |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for (row, nemesis), rs in groups.items():
        valid = sum(r["valid?"] is True for r in rs)
        oks = [100 * r["checks"]["availability"]["ok-fraction"] for r in rs]
        mpo = statistics.median(r["net"]["servers"].get("msgs-per-op", 0) for r in rs)
        faults = "; ".join(faults_text(r.get("faults", {})) for r in rs)
        recs = [r["recovery"] for r in rs]
        measured = sum(x["measured"] for x in recs)
        shorter = sum(x["too-short"] for x in recs)
        worst = " ".join(seconds(x.get("worst-every-node-serving-s")) for x in recs)
        first_oks = [x["worst-first-ok-s"] for x in recs if x.get("worst-first-ok-s") is not None]
        asked = [v for v in (asked_to_served(a) for x in recs for a in x["all-clears"]) if v is not None]
        asked_text = seconds(max(asked)) if asked else "-"
        not_asked = sum(x.get("not-asked", 0) for x in recs)
        missed = sum(x["not-serving"] for x in recs)
        within = sum(1 for x in recs for a in x["all-clears"]
                     if a.get("every-node-serving-s") is not None and a["every-node-serving-s"] <= 3.0)
        within_text = f"{within} of {measured}" + (f", {not_asked} not asked" if not_asked else "") + (
            f", {missed} MISSED" if missed else "")
        verdicts = sorted({c["summary"] if c["valid?"] is not True else "ok"
                           for r in rs for c in own_checks(r).values()})
        checker = "none lost" if verdicts == ["ok"] else "; ".join(v for v in verdicts if v != "ok")
        print(f"| {row} | {nemesis} | {valid} of {len(rs)} | {','.join(str(r['seed']) for r in rs)} | "
              f"{min(oks):.0f}-{max(oks):.0f} | {mpo:.3f} | {faults} | {measured} ({shorter}) | {worst} | "
              f"{asked_text} | {seconds(max(first_oks)) if first_oks else '-'} | {within_text} | {checker} |")


def main(argv):
    if len(argv) < 3 or argv[1] not in ("line", "table"):
        sys.exit(__doc__)
    if argv[1] == "line":
        print(line(argv[2]))
    else:
        table(argv[2:])


if __name__ == "__main__":
    main(sys.argv)
