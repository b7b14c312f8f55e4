# socq report on the real public data sets (../shared/datasets): per-brand
# first response times checked against an independent computation from the
# raw files (tests/crosscheck_report_frt.py), from a file and from the store;
# every metric in every format.
source "$(dirname "$0")/helpers.bash"
DATA="$SRC/../shared/datasets"
if [ ! -d "$DATA/twcs-head" ]; then
  echo "report_datasets.sh: skipped: $DATA is missing (the shared data sets sit beside the repo)"
  exit 77
fi
TWCS="$DATA/twcs-head/twcs.csv"
IBM_DEV="$DATA/ibm-customer-care/dev.json" IBM_TEST="$DATA/ibm-customer-care/test.json"

# compare REPORT.json CROSSCHECK.txt: for brands with >= 40 answered
# conversations, n equal and median within 1%; prints how many brands.
compare() { /usr/bin/python3 - "$1" "$2" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
mine = {g["key"]: g["first_response"]["calendar"] for g in doc["groups"]}
checked = 0
for line in open(sys.argv[2]):
    brand, n, median, p90, mean = line.split()
    n, median, p90, mean = int(n), float(median), float(p90), float(mean)
    if n < 40: continue
    m = mine.get(brand)
    if m is None or m["n"] != n: sys.exit(f"{brand}: n {m and m['n']}, want {n}")
    for name, want in (("p50_min", median), ("p90_min", p90), ("mean_min", mean)):
        if abs(m[name] - want) > 0.01 * want: sys.exit(f"{brand}: {name} {m[name]}, want {want}")
    checked += 1
print(checked)
PY
}

# TWCS: per brand, from the file and from the store: the same figures.
expect_exit 0 "$SOCQ" fetch -q --from "$TWCS"
mv "$WORK/out" "$WORK/twcs.jsonl"
/usr/bin/python3 "$SRC/tests/crosscheck_report_frt.py" twcs "$TWCS" >"$WORK/twcs.py"
expect_exit 0 "$SOCQ" report "$WORK/twcs.jsonl" --by account --format json
cp "$WORK/out" "$WORK/twcs.file.json"
expect_eq "$(compare "$WORK/twcs.file.json" "$WORK/twcs.py")" 10 "TWCS brands with >= 40 conversations, file"
expect_exit 0 "$SOCQ" fetch -q --from "$TWCS" --store "$WORK/twcs.db"
expect_exit 0 "$SOCQ" report --store "$WORK/twcs.db" --by account --format json
expect_eq "$(compare "$WORK/out" "$WORK/twcs.py")" 10 "TWCS brands with >= 40 conversations, store"
# The same document from the store as from the file (the read order differs).
cmp -s "$WORK/out" "$WORK/twcs.file.json" || fail "report from the store differs from the report from the file"
pass
# By hand from the crosscheck: AmazonHelp 104 answered, median 10.025 min.
expect_out '"key": "AmazonHelp"'
/usr/bin/python3 -c '
import json, sys
g = {x["key"]: x for x in json.load(open(sys.argv[1]))["groups"]}["AmazonHelp"]
f = g["first_response"]["calendar"]
assert (f["n"], f["p50_min"], f["p50_s"]) == (104, 10.025, 601.5), f' "$WORK/out" || fail "AmazonHelp FRT"
pass
# Totals: 1,489 cases, 2,778 inbound and 2,222 outbound messages.
expect_out '"cases": 1489'
expect_out '"messages_in": 2778'
expect_out '"messages_out": 2222'

# Every metric in every format.
metrics="volume first_response next_response resolution answered sla backlog inbound_hours top_categories top_tags rising_terms fairness handoffs"
for m in $metrics; do grep -q "\"$m\"" "$WORK/out" || fail "json lacks $m"; done
pass
expect_exit 0 "$SOCQ" report "$WORK/twcs.jsonl" --by account --format csv
for m in $metrics; do grep -q "^all,$m[.,]" "$WORK/out" || fail "csv lacks $m"; done
expect_out 'AmazonHelp,first_response.calendar.p50_min,10.025'
expect_out 'all,volume.messages_in,2778'
expect_exit 0 "$SOCQ" report "$WORK/twcs.jsonl" --by account --format md
for h in "## Volume" "## Response times" "## By account" "## SLA attainment" "## Backlog" "## When customers write" \
  "**Top categories:**" "**Top tags:**" "**Rising terms**" "## Fairness" "## Handoffs" "Answered:"; do
  grep -qF -- "$h" "$WORK/out" || fail "md lacks $h"
done
expect_out '| AmazonHelp | 114 | 10.0m | 1h 13m | 91.2% | 114 |'
expect_exit 0 "$SOCQ" report "$WORK/twcs.jsonl" --by account --format table
for h in "By account" "Response times" "SLA attainment" "Backlog" "Inbound by weekday x hour" "fairness" "Top categories" \
  "Top tags" "Rising terms" "Handoffs" "answered:" "business time: no calendar configured"; do
  grep -qF -- "$h" "$WORK/out" || fail "table lacks $h"
done
pass

# Rising terms on real text: the data set's last day against the day before.
expect_exit 0 "$SOCQ" report "$WORK/twcs.jsonl" --since 2017-10-31 --until 2017-11-01 --format json
/usr/bin/python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
t = d["total"]["rising_terms"]
assert len(t) == 10 and all(x["this"] >= 2 and x["score"] == round((x["this"] + 1) / (x["previous"] + 1), 4) for x in t), t
assert d["terms_periods"]["previous"] == {"from": "2017-10-30T00:00:00Z", "to": "2017-10-31T00:00:00Z"}' "$WORK/out" || fail "rising terms"
pass

# IBM customer care: the same check.
expect_exit 0 "$SOCQ" fetch -q --from "$IBM_DEV" --from "$IBM_TEST"
mv "$WORK/out" "$WORK/ibm.jsonl"
/usr/bin/python3 "$SRC/tests/crosscheck_report_frt.py" ibm "$IBM_DEV" "$IBM_TEST" >"$WORK/ibm.py"
expect_exit 0 "$SOCQ" report "$WORK/ibm.jsonl" --by account --format json
expect_eq "$(compare "$WORK/out" "$WORK/ibm.py")" 11 "IBM brands with >= 40 conversations"
for m in $metrics; do grep -q "\"$m\"" "$WORK/out" || fail "IBM json lacks $m"; done
expect_exit 0 "$SOCQ" report "$WORK/ibm.jsonl" --by account --format csv
expect_out 'RockstarSupport,first_response.calendar.p50_min,3.0742'
for m in $metrics; do grep -q "^all,$m[.,]" "$WORK/out" || fail "IBM csv lacks $m"; done
expect_exit 0 "$SOCQ" report "$WORK/ibm.jsonl" --by account --format md
grep -qE '^\| RockstarSupport \| [0-9]+ \| 3.1m \|' "$WORK/out" || fail "IBM md"
expect_exit 0 "$SOCQ" report "$WORK/ibm.jsonl" --format table
expect_out 'Inbound by weekday x hour (UTC)'
# --explain names the slowest first responses with their case ids.
expect_exit 0 "$SOCQ" report "$WORK/ibm.jsonl" --where account=RockstarSupport --explain first_response --top 3
expect_out 'The slowest first responses (3):'
expect_eq "$(grep -cE '^- +x:RockstarSupport:' "$WORK/out")" 3 "explain rows (no short numbers in a file)"
done_ok
