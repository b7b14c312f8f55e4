"""Independent first response times per brand, from the RAW data sets (not
from socq's output): conversations rebuilt as socq fetch builds cases (one
per brand, thread root and customer; see crosscheck_twcs.py and
crosscheck_ibm.py), then per conversation the minutes from its first
customer message to the brand's first reply after it. Prints per brand:
name, conversations with a reply, median minutes (Python's
statistics.median), p90 (numpy-style linear interpolation), mean.
usage: crosscheck_report_frt.py twcs FILE | ibm FILE..."""
import collections
import csv
import datetime
import io
import re
import statistics
import sys


def twcs_messages(path):
    data = open(path, newline="", encoding="utf-8").read()
    rows = list(csv.DictReader(io.StringIO(data.replace("\r\n", "\n").replace("\r", "\u2028"))))
    ids = {r["tweet_id"]: r for r in rows}
    def parent(r):
        p = r["in_response_to_tweet_id"]
        if not p: return None
        p = str(int(float(p)))
        return p if p in ids else None
    def root(r):
        while (p := parent(r)) is not None: r = ids[p]
        return r["tweet_id"]
    brands = {r["author_id"] for r in rows if r["inbound"] == "False"}
    groups = collections.defaultdict(list)
    for r in rows: groups[root(r)].append(r)
    def t(r): return datetime.datetime.strptime(r["created_at"], "%a %b %d %H:%M:%S %z %Y").timestamp()
    def mentions(text): return re.findall(r"(?<![A-Za-z0-9_])@([A-Za-z0-9_]+)", text)
    def thread_brand(rt):
        outs = [r for r in groups[rt] if r["inbound"] == "False"]
        if outs: return min(outs, key=t)["author_id"]
        ms = mentions(ids[rt]["text"])
        for h in ms:
            if h in brands: return h
        return ms[0] if ms else "unknown"
    def brand(r):
        if r["inbound"] == "False": return r["author_id"]
        p = parent(r)
        while p is not None:
            if ids[p]["inbound"] == "False": return ids[p]["author_id"]
            p = parent(ids[p])
        return thread_brand(root(r))
    def customer(r):
        while r["inbound"] == "False" and parent(r) is not None: r = ids[parent(r)]
        if r["inbound"] == "True": return r["author_id"]
        for h in mentions(r["text"]):
            if h not in brands: return h
        ins = [x for x in groups[root(r)] if x["inbound"] == "True"]
        return min(ins, key=t)["author_id"] if ins else "unknown"
    convs = collections.defaultdict(list)
    for rt, g in groups.items():
        rc = customer(ids[rt])
        for r in g:
            b, c = brand(r), customer(r)
            convs[(b, rt, c == rc and "" or c)].append((t(r), r["inbound"] == "True"))
    return convs


def ibm_messages(paths):
    msgs = []
    for path in paths:
        import json
        for conv in json.load(open(path)):
            company = conv["dialogHeader"]["company"]
            prev = None
            for turn in conv["dialogContent"]:
                who = turn.get("client") or turn.get("client1")
                inbound = who is not None
                if not inbound: who = turn["agent"]
                at = datetime.datetime.strptime(turn["datetime"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(
                    tzinfo=datetime.timezone.utc).timestamp()
                msgs.append(dict(id=turn["tweet_ID"], parent=prev, author=who, inbound=inbound, brand=company, at=at))
                prev = turn["tweet_ID"]
            u = conv["agentURL"]
            # The final agent turn has no time: it is in the tweet id (snowflake).
            at = ((int(u["tweet_ID"]) >> 22) + 1288834974657) / 1000.0
            msgs.append(dict(id=u["tweet_ID"], parent=prev, author=company, inbound=False, brand=company, at=at))
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
    convs = collections.defaultdict(list)
    for m in byid.values():
        r = byid[root(m)]
        c = customer(m)
        convs[(m["brand"], r["id"], "" if c == customer(r) else c)].append((m["at"], m["inbound"]))
    return convs


def first_response_minutes(msgs):
    msgs = sorted(msgs, key=lambda x: x[0])
    ins = [t for t, inbound in msgs if inbound]
    if not ins: return None
    replies = [t for t, inbound in msgs if not inbound and t >= ins[0]]
    return (replies[0] - ins[0]) / 60.0 if replies else None


def p90(v):
    v = sorted(v)
    pos = (len(v) - 1) * 0.9
    lo, hi = int(pos), min(int(pos) + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (pos - lo)


convs = twcs_messages(sys.argv[2]) if sys.argv[1] == "twcs" else ibm_messages(sys.argv[2:])
per_brand = collections.defaultdict(list)
for (brand, _, _), msgs in convs.items():
    frt = first_response_minutes(msgs)
    if frt is not None: per_brand[brand].append(frt)
for brand in sorted(per_brand):
    v = per_brand[brand]
    print(brand, len(v), round(statistics.median(v), 4), round(p90(v), 4), round(statistics.mean(v), 4))
