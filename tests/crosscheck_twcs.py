"""Independent check of socq fetch --format twcs: rebuilds the cases of a
TWCS file with Python's csv module and the rules of DESIGN.md's id scheme
(thread root, brand, customer), and prints one case id per line with its
message ids, sorted. usage: crosscheck_twcs.py FILE"""
import collections
import csv
import datetime
import io
import re
import sys

data = open(sys.argv[1], newline="", encoding="utf-8").read()
# Python's csv module ends records at a bare CR: hide those first (the data
# set has them inside unquoted fields).
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
def t(r): return datetime.datetime.strptime(r["created_at"], "%a %b %d %H:%M:%S %z %Y")
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
cases = collections.defaultdict(list)
for rt, g in groups.items():
    rc = customer(ids[rt])
    for r in g:
        b, c = brand(r), customer(r)
        cid = f"x:{b}:{rt}" + ("" if c == rc else f"+{c}")
        cases[cid].append(r["tweet_id"])
for k in sorted(cases):
    print(k, " ".join(sorted(cases[k], key=int)))
