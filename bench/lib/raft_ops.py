#!/usr/bin/env python3
"""Where a Raft run's messages and latency go, read from a runner report's message diagram.

    raft_ops.py RUN_DIR_OR_REPORT_HTML

Run the line with a diagram window covering most of the client phase (at most 6000 messages are kept),
e.g. `bin/glomers cluster ... --diagram-window 0-50 -- lin-kv`, then point this at the run directory.
Prints the servers' messages per operation in each phase (healthy, or the partition's spec) over the whole
run; then, for the client operations of the diagram's window: count and latency (median, p95) by the role of the
node the client asked (the leader = the last node seen sending append_entries) and the operation;
and the servers' messages by direction and by what they carried (entries, read rounds, read answers,
acknowledgements, forwarded operations, echoes), per client operation.
"""
import json
import os
import re
import statistics
import sys
from collections import Counter, defaultdict


def load(path):
    if os.path.isdir(path):
        path = os.path.join(path, "report.html")
    text = open(path, encoding="utf-8").read()
    start = text.index('{"title"')
    data, _ = json.JSONDecoder().raw_decode(text, start)
    return data["diagram"]


def phases(run_dir):
    """(from ms, spec) for each stretch of the client phase: 'healthy' or the partition's spec."""
    stretches = [(0.0, "healthy")]
    history = os.path.join(run_dir, "history.jsonl")
    if os.path.exists(history):
        for line in open(history, encoding="utf-8"):
            op = json.loads(line)
            if op.get("f") == "start-partition":
                stretches.append((op["timeNanos"] / 1e6, op["value"].get("spec", "partition")))
            elif op.get("f") == "stop-partition":
                stretches.append((op["timeNanos"] / 1e6, "healthy"))
    return stretches


def phase_at(stretches, ms):
    current = stretches[0][1]
    for start, spec in stretches:
        if start > ms:
            break
        current = spec
    return current


def parts(body):
    """A message's Raft parts: a bundle's parts, a relay's inner message, or the body itself."""
    kind = body.get("type")
    if kind == "bundle":
        for part in body.get("msgs", []):
            yield from parts(part)
    elif kind == "relay":
        inner = body.get("msg")
        if isinstance(inner, dict):
            yield from parts(inner)
    else:
        yield body


def quantile(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] if values else float("nan")


def phase_costs(path):
    """Servers' messages per client operation in each phase, over the whole run (the report's 100 ms counts)."""
    run_dir = path if os.path.isdir(path) else os.path.dirname(path)
    text = open(os.path.join(run_dir, "report.html"), encoding="utf-8").read()
    data, _ = json.JSONDecoder().raw_decode(text, text.index('{"title"'))
    stretches = phases(run_dir)
    bucket_ms = data["net"]["bucketSeconds"] * 1000
    msgs, ops, spans = Counter(), Counter(), Counter()
    for i, count in enumerate(data["net"]["servers"]):
        msgs[phase_at(stretches, (i + 0.5) * bucket_ms)] += count
        spans[phase_at(stretches, (i + 0.5) * bucket_ms)] += bucket_ms / 1000
    for line in open(os.path.join(run_dir, "history.jsonl"), encoding="utf-8"):
        op = json.loads(line)
        if op.get("clientOp") and op.get("invoke") and not op.get("finalRead"):
            ops[phase_at(stretches, op["timeNanos"] / 1e6)] += 1
    print("whole run: phase, seconds, client operations invoked, servers' messages, per operation")
    for phase in sorted(spans):
        print(f"  {phase:<15} {spans[phase]:>6.1f} s {ops[phase]:>6} {msgs[phase]:>7} {msgs[phase] / max(ops[phase], 1):>7.2f}")


def main(path):
    phase_costs(path)
    diagram = load(path)
    stretches = phases(path if os.path.isdir(path) else os.path.dirname(path))
    rows = diagram["messages"]
    leader = None
    requests = {}
    ops = []
    server_kinds = Counter()
    directions = Counter()
    phase_msgs = Counter()
    for _, _, src, dest, sent, received, dropped, kind, text in sorted(rows, key=lambda r: r[4]):
        try:
            body = json.loads(text)
        except ValueError:
            body = {"type": kind}
        if src.startswith("c"):
            requests[(src, body.get("msg_id"))] = (dest, kind, sent, "leader" if dest == leader else "follower")
            continue
        if dest.startswith("c"):
            request = requests.pop((dest, body.get("in_reply_to")), None)
            if request:
                node, f, invoked, role = request
                ops.append((role, f, sent - invoked, kind, phase_at(stretches, invoked)))
            continue
        direct = body.get("msgs", []) if kind == "bundle" else [body]
        if any(p.get("type") == "append_entries" for p in direct):
            leader = src  # relayed appends name their leader in the relay, not as the sender
        direction = ("L->F" if src == leader else "F->L" if dest == leader else "F->F")
        directions[(direction, kind)] += 1
        phase_msgs[phase_at(stretches, sent)] += 1
        for p in parts(body):
            t = p.get("type")
            if t == "append_entries":
                label = "append:" + "+".join(x for x, present in (
                    ("entries", bool(p.get("entries"))), ("round", "round" in p), ("reads", bool(p.get("reads"))),
                    ("relay", bool(p.get("relay")))) if present) or "append:empty"
            elif t == "follower_update":
                label = "update:" + "+".join(x for x, present in (
                    ("result", "result" in p), ("ops", bool(p.get("ops"))), ("round", "round" in p)) if present)
            else:
                label = t
            server_kinds[(phase_at(stretches, sent), label)] += 1
    n = len(ops)
    print(f"window {diagram['fromMs']:.0f}-{diagram['toMs']:.0f} ms, {n} client operations answered, "
          f"{sum(directions.values())} server messages ({sum(directions.values()) / max(n, 1):.2f} per op)")
    by = defaultdict(list)
    phase_ops = Counter(op[4] for op in ops)
    print("\nphase            ops  server msgs  per op")
    for phase in sorted(phase_ops):
        print(f"{phase:<15} {phase_ops[phase]:>5} {phase_msgs[phase]:>12} {phase_msgs[phase] / phase_ops[phase]:>7.2f}")
    for role, f, latency, _, phase in ops:
        by[(phase + " " + role, f)].append(latency)
        by[(role, f)].append(latency)
        by[(role, "*")].append(latency)
        by[("*", "*")].append(latency)
    print("\nphase/role          op      count  median    p95 (ms)")
    for key in sorted(by):
        values = by[key]
        print(f"{key[0]:<19} {key[1]:<6} {len(values):>6} {statistics.median(values):>7.1f} {quantile(values, 0.95):>7.1f}")
    print("\nserver messages by direction and type (per op)")
    for (direction, kind), count in directions.most_common():
        print(f"  {direction} {kind:<18} {count:>6} {count / max(n, 1):.3f}")
    print("\nparts by what they carry, per op of the phase (a bundle's and a relay's parts counted apart)")
    for (phase, label), count in sorted(server_kinds.items(), key=lambda item: (item[0][0], -item[1])):
        print(f"  {phase:<15} {label:<32} {count:>6} {count / max(phase_ops[phase], 1):.3f}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__.strip(), file=sys.stderr)
        sys.exit(2)
    main(sys.argv[1])
