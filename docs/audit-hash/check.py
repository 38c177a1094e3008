#!/usr/bin/env python3
"""Checks Leasehold audit events against the hash chain, independently of the server.

Usage: python3 check.py EVENTS.json   (the test vector: {"events": [...]})
       python3 check.py EXPORT.jsonl  (GET /api/v1/admin/audit/export)

Each event's digest is SHA-256 of the canonical JSON of its content fields, and its
hash is SHA-256 of prevHash + "\\n" + seq + "\\n" + digest, as the README states.
Exits 0 when every event checks out, 1 naming the first that does not.
"""
import decimal
import hashlib
import json
import sys

CONTENT_FIELDS = ["id", "at", "action", "actorType", "actorId", "organisationId", "targetType", "targetId", "requestId", "ip", "data"]
GENESIS = "0" * 64


def js_number(x):
    """A number as ECMAScript's Number::toString writes it (what JSON.stringify does)."""
    if isinstance(x, int) and abs(x) < 10**21:
        return str(x)
    x = float(x)
    if x != x or x in (float("inf"), float("-inf")):
        return "null"
    if x == 0:
        return "0"
    if x < 0:
        return "-" + js_number(-x)
    _, digits, exponent = decimal.Decimal(repr(x)).normalize().as_tuple()
    s = "".join(map(str, digits))
    k = len(s)
    n = exponent + k  # the value is 0.s times 10^n
    if k <= n <= 21:
        return s + "0" * (n - k)
    if 0 < n <= 21:
        return s[:n] + "." + s[n:]
    if -6 < n <= 0:
        return "0." + "0" * (-n) + s
    e = n - 1
    mark = ("+" if e >= 0 else "-") + str(abs(e))
    return (s if k == 1 else s[0] + "." + s[1:]) + "e" + mark


def canonical(value):
    """No whitespace; keys sorted by UTF-16 code units at every depth; strings as JSON.stringify escapes them."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, (int, float)):
        return js_number(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ",".join(canonical(v) for v in value) + "]"
    if isinstance(value, dict):
        items = sorted(value.items(), key=lambda kv: kv[0].encode("utf-16-be"))
        return "{" + ",".join(json.dumps(k, ensure_ascii=False) + ":" + canonical(v) for k, v in items) + "}"
    raise TypeError(f"not JSON: {value!r}")


def sha256(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def check(events):
    prev = GENESIS
    for event in events:
        content = {field: event[field] for field in CONTENT_FIELDS}
        text = canonical(content)
        if "canonical" in event and event["canonical"] != text:
            return f"event {event['seq']}: canonical JSON differs:\n  expected {event['canonical']}\n  computed {text}"
        digest = sha256(text)
        if event["prevHash"] != prev:
            return f"event {event['seq']}: prevHash does not link to the event before"
        if event["hash"] != sha256(f"{prev}\n{event['seq']}\n{digest}"):
            return f"event {event['seq']}: hash does not match its content"
        prev = event["hash"]
    return None


def main(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    events = json.loads(text)["events"] if path.endswith(".json") else [json.loads(line) for line in text.splitlines() if line.strip()]
    problem = check(events)
    if problem:
        print(problem)
        return 1
    print(f"{len(events)} events check out; head {events[-1]['hash'] if events else GENESIS}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
