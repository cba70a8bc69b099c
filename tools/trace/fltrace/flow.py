"""Pairs the records of a trace into what happened: calls with their replies,
faults with their handling and their reply, and the intervals a thread spent
blocked. Records are visited in time order (all CPUs merged by counter
value, which the generic timer keeps common to all CPUs).

Pairing rules, from how the kernel logs (object/endpoint.c):
- A caller has at most one call outstanding (it is blocked until the reply),
  so a REPLY to thread C closes C's last CALL.
- A faulting thread has at most one fault outstanding; FAULT_REPLY to T
  closes it. A fault that found no waiting handler is first logged as
  BLOCK_SEND with the fault's label (raised), then FAULT when a handler takes
  it (received); otherwise FAULT is both.
- What the handler does between receiving a fault and the reply (its calls,
  the replies to them, its invocations) belongs to the most recent fault it
  received that is still open. With one fault at a time per handler thread
  this is exact; a handler that defers a fault and takes another meanwhile
  gets its later actions attributed to the later fault.
- A fault answered by another thread than its handler was handed over (the
  pager's swap I/O threads, docs/swap.md): what the replier did since its
  previous fault reply, from the fault's receipt on, belongs to the fault
  too (`deferred_to` names the replier).
"""


class Step:
    __slots__ = ("ts", "what", "text", "rec")

    def __init__(self, ts, what, text, rec):
        self.ts, self.what, self.text, self.rec = ts, what, text, rec


class Fault:
    """One fault of one thread, from raised to replied (or left open)."""

    def __init__(self, rec, namer):
        # A fault the kernel could not deliver is logged as SUSPEND of the faulter (to).
        self.thread = rec.dst if rec.kind == "SUSPEND" else rec.src
        self.badge = rec.badge
        self.label = rec.label
        self.rec = rec
        self.text = namer.fault(rec)
        self.cls = namer.fault_class(rec)
        self.address = rec.words[1] if len(rec.words) > 1 else None
        self.raised = rec.ts
        self.received = None
        self.handler = None
        self.steps = []  # the handler's actions in between
        self.replied = None
        self.replier = None
        self.deferred_to = None  # the thread the handler handed the fault to
        self.action = None
        self.resumed = False
        self.next_seen = None
        self.outcome = "unanswered"  # or replied / no handler / thread destroyed

    @property
    def total(self):
        return None if self.replied is None else self.replied - self.raised


class Call:
    __slots__ = ("caller", "callee", "rec", "start", "reply", "end", "text", "result")

    def __init__(self, rec, text):
        self.caller, self.callee, self.rec, self.start = rec.src, rec.dst, rec, rec.ts
        self.reply = self.end = self.result = None
        self.text = text


class Flow:
    """The paired view of a Trace."""

    def __init__(self, trace, namer):
        self.trace = trace
        self.namer = namer
        self.faults = []
        self.calls = []
        self.blocks = []  # (thread, kind 'Recv'/'Send', start, end or None)
        self.orphan_replies = 0  # FAULT_REPLYs whose fault is not in the log
        self.threads = set()
        self.roles = {}  # thread -> set of roles seen
        self._walk()

    def _role(self, t, role):
        if t:
            self.roles.setdefault(t, set()).add(role)

    def _walk(self):
        namer = self.namer
        open_fault = {}    # faulting thread -> Fault
        handling = {}      # handler thread -> [Fault] (most recent last)
        open_call = {}     # caller -> Call
        blocked = {}       # thread -> [kind, start]
        waiting_seen = {}  # thread -> Fault whose thread we have not seen since the reply
        idle_steps = {}    # thread handling no fault -> its actions since its last fault reply

        def step(t, h, s):
            if h:
                h.steps.append(s)
            elif t:
                idle_steps.setdefault(t, []).append(s)

        def unblock(t, ts):
            b = blocked.pop(t, None)
            if b:
                self.blocks.append((t, b[0], b[1], ts))

        def current(h):
            stack = handling.get(h)
            return stack[-1] if stack else None

        for rec in self.trace.records:
            k = rec.kind
            for t in (rec.src, rec.dst):
                if t:
                    self.threads.add(t)
            if rec.src in waiting_seen and k not in ("DESTROY",):
                waiting_seen.pop(rec.src).next_seen = rec.ts
            if k == "BLOCK_SEND":
                blocked[rec.src] = ["Send", rec.ts]
                if namer.is_fault(rec.label) and rec.src not in open_fault:
                    f = Fault(rec, namer)
                    open_fault[rec.src] = f
                    self.faults.append(f)
            elif k == "BLOCK_RECV":
                blocked[rec.src] = ["Recv", rec.ts]
            elif k in ("SEND", "CALL", "FAULT"):
                unblock(rec.src, rec.ts)
                unblock(rec.dst, rec.ts)
                if k == "FAULT":
                    f = open_fault.get(rec.src)
                    if f is None or f.received is not None:
                        f = Fault(rec, namer)
                        open_fault[rec.src] = f
                        self.faults.append(f)
                    f.received, f.handler = rec.ts, rec.dst
                    handling.setdefault(rec.dst, []).append(f)
                    self._role(rec.dst, "fault handler")
                    continue
                h = current(rec.src)
                if k == "CALL":
                    c = Call(rec, namer.message(rec.label, rec.words))
                    open_call[rec.src] = c
                    self.calls.append(c)
                    self._role(rec.dst, "server")
                    step(rec.src, h, Step(rec.ts, "called", f"{c.text} (thread {rec.dst})", rec))
                else:
                    step(rec.src, h, Step(rec.ts, "sent", f"{namer.message(rec.label, rec.words)} "
                                          f"(thread {rec.dst})", rec))
            elif k == "REPLY":
                c = open_call.pop(rec.dst, None)
                if c:
                    c.reply, c.end = rec, rec.ts
                    c.result = namer.reply(c.rec.label, rec.label, rec.words)
                h = current(rec.dst)
                if c:
                    step(rec.dst, h, Step(rec.ts, "replied", f"thread {rec.src}: {c.result}", rec))
            elif k == "INVOKE":
                step(rec.src, current(rec.src), Step(rec.ts, "invoked", namer.invocation(rec), rec))
            elif k == "FAULT_REPLY":
                f = open_fault.pop(rec.dst, None)
                if f is None:
                    self.orphan_replies += 1
                    continue
                f.replied, f.replier = rec.ts, rec.src
                done = idle_steps.pop(rec.src, [])
                if f.handler is not None and rec.src != f.handler:
                    f.deferred_to = rec.src
                    f.steps = sorted(f.steps + [s for s in done if s.ts >= f.received],
                                     key=lambda s: s.ts)
                f.action = namer.fault_action(rec)
                f.resumed = bool(rec.words) and rec.words[0] in (0, 1, 3, 4)
                f.outcome = "replied"
                if f.handler in handling and f in handling[f.handler]:
                    handling[f.handler].remove(f)
                if f.resumed:
                    waiting_seen[f.thread] = f
            elif k == "SUSPEND" and rec.src == 0 and namer.is_fault(rec.label):
                # The kernel found no fault handler: the fault ends here.
                f = Fault(rec, namer)
                f.outcome = "no handler: suspended"
                f.action = "suspended by the kernel"
                self.faults.append(f)
            elif k in ("DESTROY", "SUSPEND"):
                unblock(rec.dst, rec.ts)
                f = open_fault.get(rec.dst)
                if f is not None and k == "DESTROY":
                    open_fault.pop(rec.dst)
                    f.outcome = "thread destroyed while the fault was open"
                    f.replied = None
                    f.destroyed = rec.ts
        end = self.trace.records[-1].ts if self.trace.records else 0
        for t, (kind, start) in blocked.items():
            self.blocks.append((t, kind, start, None))
        self.end = end
