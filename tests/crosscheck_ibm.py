"""Independent check of socq fetch --format ibm-cc: rebuilds the cases of
IBM customer care conversations (each turn answers the one before; the
final agent turn closes it) and prints case ids with message ids, sorted.
usage: crosscheck_ibm.py FILE..."""
import collections
import json
import sys

msgs = []
for path in sys.argv[1:]:
    for conv in json.load(open(path)):
        company = conv["dialogHeader"]["company"]
        prev = None
        for t in conv["dialogContent"]:
            who = t.get("client") or t.get("client1")
            inbound = who is not None
            if not inbound: who = t["agent"]
            msgs.append(dict(id=t["tweet_ID"], parent=prev, author=who, inbound=inbound, brand=company, at=t["datetime"]))
            prev = t["tweet_ID"]
        u = conv["agentURL"]
        msgs.append(dict(id=u["tweet_ID"], parent=prev, author=company, inbound=False, brand=company, at=None))
byid = {}
for m in msgs: byid.setdefault(m["id"], m)
def parent(m): return byid.get(m["parent"]) if m["parent"] else None
def root(m):
    seen = set()
    while (p := parent(m)) is not None and m["id"] not in seen: seen.add(m["id"]); m = p
    return m["id"]
def customer(m):
    while not m["inbound"] and parent(m) is not None: m = parent(m)
    return m["author"] if m["inbound"] else "?"
cases = collections.defaultdict(list)
for m in byid.values():
    r = byid[root(m)]
    rc = customer(r)
    c = customer(m)
    cid = f"x:{m['brand']}:{r['id']}" + ("" if c == rc else f"+{c}")
    cases[cid].append(m["id"])
for k in sorted(cases):
    print(k, " ".join(sorted(cases[k], key=int)))
