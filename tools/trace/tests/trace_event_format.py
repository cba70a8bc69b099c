"""A checker of the Chrome trace-event format (the JSON object form that
Perfetto's UI loads), independent of the writer: required fields per phase,
B/E pairs matching per track, X events nesting per track, and timestamps
that never go back within a track. Returns a list of problems."""

_REQUIRED = {
    "X": ("name", "ph", "ts", "dur", "pid", "tid"),
    "B": ("name", "ph", "ts", "pid", "tid"),
    "E": ("ph", "ts", "pid", "tid"),
    "i": ("name", "ph", "ts", "pid", "tid"),
    "M": ("name", "ph", "pid", "args"),
}


def check(doc):
    problems = []
    if not isinstance(doc, dict) or not isinstance(doc.get("traceEvents"), list):
        return ["not an object with a traceEvents list"]
    last_ts, open_b, x_stack = {}, {}, {}
    for i, e in enumerate(doc["traceEvents"]):
        ph = e.get("ph")
        if ph not in _REQUIRED:
            problems.append(f"event {i}: phase {ph!r} is not one this trace should use")
            continue
        missing = [k for k in _REQUIRED[ph] if k not in e]
        if missing:
            problems.append(f"event {i} ({ph}): missing {missing}")
            continue
        if ph == "M":
            continue
        if not all(isinstance(e[k], int) for k in ("pid", "tid")):
            problems.append(f"event {i}: pid/tid are not integers")
        if not isinstance(e["ts"], (int, float)) or e["ts"] < 0:
            problems.append(f"event {i}: bad ts {e['ts']!r}")
            continue
        track = (e["pid"], e["tid"])
        if e["ts"] < last_ts.get(track, 0):
            problems.append(f"event {i}: ts {e['ts']} goes back on track {track}")
        last_ts[track] = e["ts"]
        if ph == "i" and e.get("s", "t") not in ("t", "p", "g"):
            problems.append(f"event {i}: instant scope {e['s']!r}")
        if ph == "B":
            open_b.setdefault(track, []).append(e)
        elif ph == "E":
            if not open_b.get(track):
                problems.append(f"event {i}: E without a B on track {track}")
            else:
                open_b[track].pop()
        elif ph == "X":
            if not isinstance(e["dur"], (int, float)) or e["dur"] < 0:
                problems.append(f"event {i}: bad dur {e['dur']!r}")
                continue
            stack = x_stack.setdefault(track, [])
            while stack and stack[-1] <= e["ts"] + 1e-6:  # ts are float microseconds
                stack.pop()
            end = e["ts"] + e["dur"]
            if stack and end > stack[-1] + 1e-6:
                problems.append(f"event {i}: X [{e['ts']}, {end}] crosses an enclosing span ending "
                                f"{stack[-1]} on track {track}")
            stack.append(end)
    for track, bs in open_b.items():
        if bs:
            problems.append(f"track {track}: {len(bs)} B events without an E")
    return problems
