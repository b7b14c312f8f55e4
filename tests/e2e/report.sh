# socq report on a small fixture whose figures are computed by hand below,
# on examples/cases.jsonl in every format, and its errors.
source "$(dirname "$0")/helpers.bash"
# SOCQ_NOW=2026-11-23T09:00:00Z (a Monday), from helpers.bash.
# Four cases. A (x:brand:1): in Mon 09:00, auto 09:01, out 09:40 (FRT 40m),
# in 10:00 and 10:05, out 10:30 (one NRT of 30m), resolved a day later.
# B: in Tue 12:00, out 12:10 (FRT 10m), handoff answered after it. C: in Fri
# 08:00, never answered, handoff past its follow-up (stalled). D: in Sun
# 20:00, out 22:00 (FRT 120m), handoff completed. B's reply after its
# handoff completes it too.
cat >"$WORK/f.jsonl" <<'CASES'
{"v":1,"id":"x:brand:1","rev":1,"channel":"x","account":"brand","customer":{"id":"c1","followers":50},"messages":[{"id":"1","dir":"in","at":"2026-11-16T09:00:00Z","author":"@c1","text":"my refund is late","public":true,"reply_to":null},{"id":"2","dir":"out","at":"2026-11-16T09:01:00Z","author":"@brand","text":"Thanks, we will reply soon","auto":true},{"id":"3","dir":"out","at":"2026-11-16T09:40:00Z","author":"@brand","text":"Looking into it"},{"id":"4","dir":"in","at":"2026-11-16T10:00:00Z","author":"@c1","text":"any news?"},{"id":"5","dir":"in","at":"2026-11-16T10:05:00Z","author":"@c1","text":"hello?"},{"id":"6","dir":"out","at":"2026-11-16T10:30:00Z","author":"@brand","text":"Refund sent"}],"status":"resolved","priority":"p2","category":"billing","tags":["refund"],"team":"service","owner":"ola","sla":{"first_response_due":"2026-11-16T09:30:00Z"},"resolution":{"reason":"answered","at":"2026-11-17T09:00:00Z","by":"ola"},"updated_at":"2026-11-17T09:00:00Z"}
{"v":1,"id":"x:brand:2","rev":1,"channel":"x","account":"brand","customer":{"id":"c2","followers":5000},"messages":[{"id":"7","dir":"in","at":"2026-11-17T12:00:00Z","author":"@c2","text":"bill wrong again"},{"id":"8","dir":"out","at":"2026-11-17T12:10:00Z","author":"@brand","text":"Sorry, checking"}],"status":"pending_customer","priority":"p2","category":"billing","team":"service","owner":"ola","sla":{"first_response_due":"2026-11-17T12:30:00Z"},"handoff":{"to":"billing","at":"2026-11-17T12:05:00Z","by":"ola","follow_up_due":"2026-11-18T12:00:00Z"},"updated_at":"2026-11-17T12:10:00Z"}
{"v":1,"id":"mastodon:brand2:3","rev":1,"channel":"mastodon","account":"brand2","customer":{"id":"c3"},"messages":[{"id":"9","dir":"in","at":"2026-11-20T08:00:00Z","author":"@c3","text":"Power outage again, outage everywhere"}],"status":"new","priority":"p1","category":"outage","tags":["refund","line:north"],"sla":{"first_response_due":"2026-11-20T08:15:00Z"},"handoff":{"to":"ops","at":"2026-11-20T08:30:00Z","by":"triage","follow_up_due":"2026-11-21T08:00:00Z"},"updated_at":"2026-11-20T08:30:00Z"}
{"v":1,"id":"mastodon:brand2:4","rev":1,"channel":"mastodon","account":"brand2","customer":{"id":"c4","followers":150000},"messages":[{"id":"10","dir":"in","at":"2026-11-22T20:00:00Z","author":"@c4","text":"power outage still, bill wrong"},{"id":"11","dir":"out","at":"2026-11-22T22:00:00Z","author":"@brand2","text":"On it"}],"status":"open","category":"billing","team":"service","owner":"kim","handoff":{"to":"field","at":"2026-11-22T21:00:00Z","by":"kim","completed_at":"2026-11-22T23:00:00Z"},"updated_at":"2026-11-22T22:00:00Z"}
CASES
cat >"$WORK/teams.toml" <<'TOML'
[teams.service]
zone = "Europe/London"
hours = { mon-fri = "09:00-17:00" }
TOML
# json_get FILE PYTHON-EXPRESSION-ON-d
json_get() { /usr/bin/python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$@"; }

expect_exit 0 "$SOCQ" report "$WORK/f.jsonl" --format json
expect_err "4 cases read, 4 counted"
J="$WORK/out"
expect_eq "$(json_get "$J" 'd["version"], d["tz"], d["calendars"]')" "(1, 'UTC', 'no calendar configured')" "header"
expect_eq "$(json_get "$J" 'd["total"]["volume"]')" "{'cases': 4, 'conversations': 4, 'messages_in': 6, 'messages_out': 4, 'messages_out_auto': 1}" "volume"
# FRT samples 10, 40, 120 min: median 40; p90 at rank 1.8: 40 + 0.8 * 80 = 104; p95 112; mean 56.6667.
expect_eq "$(json_get "$J" '[d["total"]["first_response"]["calendar"][k] for k in ("n", "p50_min", "p90_min", "p95_min", "mean_min", "p50_s")]')" \
  "[3, 40.0, 104.0, 112.0, 56.6667, 2400.0]" "first response"
expect_eq "$(json_get "$J" 'd["total"]["first_response"]["unanswered"], d["total"]["first_response"]["business"]')" "(1, None)" "unanswered, no business time"
expect_eq "$(json_get "$J" 'd["total"]["next_response"]["calendar"]["n"], d["total"]["next_response"]["calendar"]["p50_min"]')" "(1, 30.0)" "next response"
expect_eq "$(json_get "$J" 'd["total"]["resolution"]["calendar"]["p50_min"], d["total"]["resolution"]["unresolved"]')" "(1440.0, 3)" "resolution"
expect_eq "$(json_get "$J" 'd["total"]["answered"]')" "{'conversations': 4, 'answered': 3, 'share': 0.75}" "answered"
# SLA from the cases' fields: A answered 09:40 after its 09:30 due (breached), B met, C still unanswered past due.
expect_eq "$(json_get "$J" '[(s["policy"], s["met"], s["breached"], s["attainment"]) for s in d["total"]["sla"]]')" \
  "[('p1', 0, 1, 0.0), ('p2', 1, 1, 0.5)]" "sla"
# Backlog B, C, D: ages 8460, 4380 and 780 min.
expect_eq "$(json_get "$J" 'd["total"]["backlog"]["open"], d["total"]["backlog"]["age"]["p50_min"], d["total"]["backlog"]["age"]["max_min"]')" "(3, 4380.0, 8460.0)" "backlog"
expect_eq "$(json_get "$J" '[(k, v.index(max(v)), sum(v)) for k, v in d["total"]["inbound_hours"]["weekdays"].items() if sum(v)]')" \
  "[('Mon', 10, 3), ('Tue', 12, 1), ('Fri', 8, 1), ('Sun', 20, 1)]" "weekday x hour"
expect_eq "$(json_get "$J" 'd["total"]["top_categories"], d["total"]["top_tags"]')" \
  "([{'name': 'billing', 'cases': 3}, {'name': 'outage', 'cases': 1}], [{'name': 'refund', 'cases': 2}, {'name': 'line:north', 'cases': 1}])" "top"
expect_eq "$(json_get "$J" '[(b["bucket"], b["first_response"]["p50_min"], b["unanswered"]) for b in d["total"]["fairness"]]')" \
  "[('0-99', 40.0, 0), ('100-999', None, 0), ('1k-9.9k', 10.0, 0), ('10k-99k', None, 0), ('100k+', 120.0, 0), ('unknown', None, 1)]" "fairness"
expect_eq "$(json_get "$J" 'd["total"]["handoffs"]')" "{'made': 3, 'completed': 2, 'stalled': 1}" "handoffs"
# Rising terms, 2026-11-20..23 against 17..20: power and outage twice (once per message), bill and wrong once each time.
expect_exit 0 "$SOCQ" report "$WORK/f.jsonl" --since 2026-11-20 --until 2026-11-23 --format json
expect_eq "$(json_get "$WORK/out" '[(t["term"], t["this"], t["previous"], t["score"]) for t in d["total"]["rising_terms"]]')" \
  "[('outage', 2, 0, 3.0), ('power', 2, 0, 3.0)]" "rising terms"
expect_eq "$(json_get "$WORK/out" 'd["total"]["volume"]["cases"], d["filters"]["since"]')" "(2, '2026-11-20T00:00:00Z')" "--since filters on the first inbound"

# Groups and filters.
expect_exit 0 "$SOCQ" report "$WORK/f.jsonl" --by channel --format json
expect_eq "$(json_get "$WORK/out" '[(g["key"], g["volume"]["cases"], g["first_response"]["calendar"]["p50_min"]) for g in d["groups"]]')" \
  "[('mastodon', 2, 120.0), ('x', 2, 25.0)]" "--by channel"
expect_exit 0 "$SOCQ" report "$WORK/f.jsonl" --by owner --format json
expect_eq "$(json_get "$WORK/out" '[(g["key"], g["volume"]["cases"]) for g in d["groups"]]')" "[('-', 1), ('kim', 1), ('ola', 2)]" "--by owner"
expect_exit 0 "$SOCQ" report "$WORK/f.jsonl" --by day --tz America/New_York --format json
expect_eq "$(json_get "$WORK/out" '[g["key"] for g in d["groups"]]')" "['2026-11-16', '2026-11-17', '2026-11-20', '2026-11-22']" "--by day"
expect_eq "$(json_get "$WORK/out" 'd["total"]["inbound_hours"]["weekdays"]["Mon"][4], d["total"]["inbound_hours"]["weekdays"]["Sun"][15]')" "(1, 1)" "hours in --tz"
expect_exit 0 "$SOCQ" report "$WORK/f.jsonl" --by week --format json
expect_eq "$(json_get "$WORK/out" '[(g["key"], g["volume"]["cases"]) for g in d["groups"]]')" "[('2026-W47', 4)]" "--by week (ISO, Monday first)"
expect_exit 0 "$SOCQ" report "$WORK/f.jsonl" --where channel=mastodon --where owner=- --format json
expect_eq "$(json_get "$WORK/out" 'd["total"]["volume"]["cases"]')" 1 "--where AND across fields"
expect_exit 0 "$SOCQ" report "$WORK/f.jsonl" --where status=new --where status=open --where tag=refund --format json
expect_eq "$(json_get "$WORK/out" 'd["total"]["volume"]["cases"]')" 1 "--where OR within a field"
expect_exit 0 "$SOCQ" report "$WORK/f.jsonl" --since 3d --format json
expect_eq "$(json_get "$WORK/out" 'd["total"]["volume"]["cases"], d["filters"]["since"]')" "(1, '2026-11-20T09:00:00Z')" "--since 3d"

# Business time and duty hours from a team calendar (London 09-17 on weekdays):
# A 40m, B 10m, D 0 (Sunday); off duty: C Fri 08:00 and D Sun 20:00, 2 of 6; D waited 2h.
expect_exit 0 "$SOCQ" report "$WORK/f.jsonl" --teams "$WORK/teams.toml" --format json
expect_eq "$(json_get "$WORK/out" 'd["tz"], d["calendars"]')" "('Europe/London', 'configured')" "the team's zone"
expect_eq "$(json_get "$WORK/out" '[d["total"]["first_response"]["business"][k] for k in ("n", "p50_min", "p90_min", "mean_min")]')" "[3, 10.0, 34.0, 16.6667]" "business FRT"
expect_eq "$(json_get "$WORK/out" 'd["total"]["inbound_hours"]["off_duty"]["inbound"], d["total"]["inbound_hours"]["off_duty"]["share"], d["total"]["inbound_hours"]["off_duty"]["wait"]["p50_min"]')" "(2, 0.3333, 120.0)" "off duty"

# Every format carries every metric.
expect_exit 0 "$SOCQ" report "$WORK/f.jsonl" --format csv
expect_out $'group,metric,value\r'
expect_out $'all,first_response.calendar.p90_min,104.0\r'
expect_out $'all,sla.p2.first_response.attainment,0.5\r'
expect_out $'all,fairness.100k+.first_response.p50_min,120.0\r'
expect_out $'all,inbound_hours.weekdays.Mon.10,2\r'
expect_out $'all,top_categories.billing.cases,3\r'
expect_out $'all,handoffs.stalled,1\r'
expect_exit 0 "$SOCQ" report "$WORK/f.jsonl" --format md
expect_out '| first response | 3 | 40.0m | 1h 44m | 1h 52m | 56.7m |'
expect_out '| p2 | first_response | 1 | 1 | 0 | 50.0% |'
expect_out '3 made, 2 completed, 1 stalled.'
expect_exit 0 "$SOCQ" report "$WORK/f.jsonl" --format table
expect_out 'first response  3  40.0m'
expect_out 'Mon  ·········▄█············· 3'
# On a terminal the table is the default; in a pipe, JSON.
expect_exit 0 "$SOCQ" report "$WORK/f.jsonl"
expect_out '"version": 1'
if command -v script >/dev/null; then
  script -qec "\"$SOCQ\" report \"$WORK/f.jsonl\"" /dev/null >"$WORK/tty" </dev/null
  grep -q "Response times" "$WORK/tty" || fail "no table on a terminal"
  pass
fi
# Stdin only when named.
"$SOCQ" report - --format json <"$WORK/f.jsonl" >"$WORK/out" 2>"$WORK/err" || fail "stdin"
expect_out '"cases": 4'

# --explain: the definition and the cases that weigh most.
expect_exit 0 "$SOCQ" report "$WORK/f.jsonl" --explain first_response
expect_out 'first_response (FRT): starts at a case'"'"'s first inbound message'
expect_eq "$(grep -oE '^- +(x|mastodon):[a-z0-9:]+' "$WORK/out" | sed 's/^- *//' | tr '\n' ' ')" "mastodon:brand2:4 x:brand:1 x:brand:2 " "slowest first"
expect_exit 0 "$SOCQ" report "$WORK/f.jsonl" --explain handoffs
expect_out 'mastodon:brand2:3'
expect_exit 0 "$SOCQ" report "$WORK/f.jsonl" --explain backlog --top 1
expect_out 'x:brand:2'

# The example cases: every metric in every format.
metrics="volume first_response next_response resolution answered sla backlog inbound_hours top_categories top_tags rising_terms fairness handoffs"
expect_exit 0 "$SOCQ" report "$SRC/examples/cases.jsonl" --by team --format json
for m in $metrics; do grep -q "\"$m\"" "$WORK/out" || fail "json lacks $m"; done
expect_eq "$(json_get "$WORK/out" 'd["total"]["volume"]["cases"], d["total"]["first_response"]["calendar"]["n"], d["total"]["backlog"]["open"]')" \
  "(33, 11, 27)" "examples"
expect_exit 0 "$SOCQ" report "$SRC/examples/cases.jsonl" --by team --format csv
for m in $metrics; do grep -q "^all,$m[.,]" "$WORK/out" || fail "csv lacks $m"; done
expect_exit 0 "$SOCQ" report "$SRC/examples/cases.jsonl" --format md
expect_out '## SLA attainment'
expect_exit 0 "$SOCQ" fetch -q --from "$SRC/examples/cases.jsonl" --store "$WORK/ex.db"
expect_exit 0 "$SOCQ" report --store "$WORK/ex.db" --by team --format json
expect_eq "$(json_get "$WORK/out" 'd["total"]["volume"]["cases"], d["total"]["first_response"]["calendar"]["n"], d["total"]["backlog"]["open"]')" \
  "(33, 11, 27)" "examples from the store"

# Errors: usage (2), missing input (66), bad data (65), bad teams file (78).
expect_exit 2 "$SOCQ" report "$WORK/f.jsonl" --by colour
expect_exit 2 "$SOCQ" report "$WORK/f.jsonl" --where size=3
expect_err 'no field "size"'
expect_exit 2 "$SOCQ" report "$WORK/f.jsonl" --since yesterday
expect_err '--since wants a date'
expect_exit 2 "$SOCQ" report "$WORK/f.jsonl" --tz Mars/Olympus
expect_err 'unknown time zone "Mars/Olympus"'
expect_exit 2 "$SOCQ" report "$WORK/f.jsonl" --explain speed
expect_err 'no metric "speed"'
expect_exit 66 "$SOCQ" report "$WORK/none.jsonl"
expect_exit 66 "$SOCQ" report --store "$WORK/none.db"
printf '{"v":1,"id":"x"}\n' >"$WORK/bad.jsonl"
expect_exit 65 "$SOCQ" report "$WORK/bad.jsonl"
expect_err "bad.jsonl:1"
printf '[teams.x]\nzone = "Nowhere/Land"\n' >"$WORK/bad.toml"
expect_exit 78 "$SOCQ" report "$WORK/f.jsonl" --teams "$WORK/bad.toml"
done_ok
