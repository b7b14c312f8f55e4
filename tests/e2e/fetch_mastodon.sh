# socq fetch from Mastodon (the fake in tests/fakes): pagination, incremental
# runs, --since, threading, DMs, every fault with its retries and exit code,
# a kill mid-run and a clean resume, two runs at once, and no token anywhere.
source "$(dirname "$0")/helpers.bash"
[ -n "${SOCQ_FAKE:-}" ] || { echo "SOCQ_FAKE not set: the fake is not built" >&2; exit 77; }
command -v curl >/dev/null && command -v jq >/dev/null || { echo "curl and jq needed (scripts/deps)" >&2; exit 77; }
TOKEN=fake-token-northrail
FAKE_PID=""
trap '[ -n "$FAKE_PID" ] && kill "$FAKE_PID" 2>/dev/null; rm -rf "$WORK"' EXIT

"$SOCQ_FAKE" mastodon --port 0 >"$WORK/fake.out" 2>"$WORK/fake.err" &
FAKE_PID=$!
for _ in $(seq 200); do [ -s "$WORK/fake.out" ] && break; sleep 0.05; done
B="http://127.0.0.1:$(head -1 "$WORK/fake.out")"
ctl() { curl -s -f -X "$1" -H 'Content-Type: application/json' --data "${3:-"{}"}" "$B$2"; }
# requests PATH-PREFIX: how many API requests the fake saw on that path.
requests() { curl -s -f "$B/__fake/requests" | jq --arg p "$1" '[.[] | select(.path | startswith($p))] | length'; }
fault() { ctl POST /__fake/faults "$1" >/dev/null; }
# arrivals N FIRST_STATUS_ID FIRST_NOTIFICATION_ID: N new mention notifications.
arrivals() {
  python3 - "$1" "$2" "$3" <<'PY'
import json, sys
n, first, first_n = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
out = []
for i in range(n):
    sid = str(first + i)
    acct = {"id": "2000%d" % (i % 7), "username": "rider%d" % (i % 7), "acct": "rider%d@rail.example" % (i % 7),
            "display_name": "Rider %d" % (i % 7), "followers_count": 10 + i % 7, "url": "https://rail.example/@rider%d" % (i % 7)}
    at = "2026-11-23T08:%02d:%02d.000Z" % (i // 60 % 60, i % 60)
    st = {"id": sid, "created_at": at, "in_reply_to_id": None, "in_reply_to_account_id": None, "visibility": "public",
          "content": "<p><span class=\"h-card\"><a href=\"https://transit.social/@northrail\" class=\"u-url mention\">@<span>northrail</span></a></span> late train number %d &amp; no info</p>" % i,
          "spoiler_text": "", "url": None, "mentions": [], "account": acct}
    out.append({"id": str(first_n + i), "type": "mention", "created_at": at, "account": acct, "status": st})
print(json.dumps(out))
PY
}
msg_count() { sqlite3 "$1" "SELECT count(*) FROM messages"; }
# Every message id appears in exactly one case.
no_duplicates() {
  local dup
  dup=$(sqlite3 "$1" "SELECT json FROM cases" | jq -r '.messages[].id' | sort | uniq -d | head -3)
  [ -z "$dup" ] || fail "messages in two cases: $dup"
  pass
}

export NR_TOKEN=$TOKEN
mkdir -p "$XDG_CONFIG_HOME/socq"
cat >"$XDG_CONFIG_HOME/socq/config.toml" <<TOML
[accounts.northrail]
channel = "mastodon"
base_url = "$B"
token_env = "NR_TOKEN"
TOML
DB="$WORK/s.db"

# Usage: unknown names, with a suggestion; --from and names do not mix.
expect_exit 2 "$SOCQ" fetch northrial --store "$DB"
expect_err 'did you mean "northrail"?'
expect_exit 2 "$SOCQ" fetch --since yesterday --store "$DB"

# --check: credentials against the server (77 when refused).
expect_exit 0 "$SOCQ" fetch --check
expect_err "northrail (mastodon northrail@transit.social): credentials accepted"
NR_TOKEN=wrong-token expect_exit 77 "$SOCQ" fetch --check
expect_err "refused the token"

# First run: 100 more arrivals make four pages of 80; everything back to --since.
ctl POST /__fake/notifications "$(arrivals 100 990000000000000001 900000001)" >/dev/null
ctl POST /__fake/reset >/dev/null
expect_exit 0 "$SOCQ" fetch --since 2026-11-01 --store "$DB" -v
expect_err "handle not configured: using northrail@transit.social from verify_credentials"
expect_err "northrail (mastodon northrail@transit.social): "
pages=$(requests /api/v1/notifications)
[ "$pages" -ge 4 ] || fail "only $pages notification pages"; pass
expect_eq "$(curl -s "$B/__fake/requests" | jq '[.[] | select(.query | test("max_id"))] | length > 2')" true "followed rel=next"
expect_eq "$(curl -s "$B/__fake/requests" | jq -r '[.[].headers | to_entries[] | select(.key | ascii_downcase == "user-agent") | .value] | unique | .[]')" \
  "socq/$("$SOCQ" --version | cut -d' ' -f2)" "User-Agent"
n1=$(msg_count "$DB")
[ "$n1" -ge 240 ] || fail "only $n1 messages"; pass
no_duplicates "$DB"
expect_eq "$(sqlite3 "$DB" "SELECT count(*) FROM cursors WHERE account LIKE 'northrail@transit.social/%'")" 3 "cursors + limits"
expect_eq "$(sqlite3 "$DB" "SELECT json_extract(cursor, '$.max_chars') FROM cursors WHERE account = 'northrail@transit.social/limits'")" 500 "instance limit kept"

# Threading: a customer's answer to our reply (our reply fetched as its
# ancestor) is one case in, out, in; our reply is outbound and ours.
sqlite3 "$DB" "SELECT json FROM cases WHERE id NOT LIKE '%:dm-%'" >"$WORK/public"
expect_eq "$(jq -s '[.[] | select([.messages[].dir] | join(",") | test("in,out,in"))] | length > 0' "$WORK/public")" true "reply to our reply joins"
expect_eq "$(jq -r -s '[.[].messages[] | select(.dir == "out") | .author] | unique | .[]' "$WORK/public")" "@northrail@transit.social" "our posts are outbound"
# A reply to a status nobody has: its own case, keyed by its own id.
expect_eq "$(jq -s '[.[] | select(.messages[0] as $m | $m.reply_to != null and (.id | endswith(":" + $m.id)))] | length > 0' "$WORK/public")" true "unknown parent starts a case"
expect_eq "$(jq -s '[.[] | select(.customer.followers == null)] | length' "$WORK/public")" 0 "follower counts"
expect_eq "$(jq -r -s '[.[].messages[].text | select(test("<p>|<span|&amp;"))] | length' "$WORK/public")" 0 "HTML to text"
# DMs: private messages in dm- cases, each message once.
sqlite3 "$DB" "SELECT json FROM cases WHERE id LIKE '%:dm-%'" >"$WORK/dms"
[ "$(wc -l <"$WORK/dms")" -ge 2 ] || fail "DM cases missing"; pass
expect_eq "$(jq -s '[.[].messages[] | select(.public != false)] | length' "$WORK/dms")" 0 "DMs are private"

# An incremental run fetches only the new ones (min_id from the cursor).
ctl POST /__fake/reset >/dev/null
ctl POST /__fake/notifications "$(arrivals 3 995000000000000001 910000001)" >/dev/null
expect_exit 0 "$SOCQ" fetch northrail --store "$DB"
expect_err "3 new messages, 3 new cases, 0 updated cases"
expect_eq "$(curl -s "$B/__fake/requests" | jq '[.[] | select(.query | test("max_id"))] | length')" 0 "no backfill"
expect_eq "$(curl -s "$B/__fake/requests" | jq '[.[] | select(.path == "/api/v1/notifications" and (.query | test("min_id")))] | length > 0')" true "min_id"
expect_eq "$(msg_count "$DB")" $((n1 + 3)) "three more messages"
expect_exit 0 "$SOCQ" fetch --store "$DB"
expect_err "0 new messages, 0 new cases, 0 updated cases"
no_duplicates "$DB"

# --since on a fresh store: nothing older.
expect_exit 0 "$SOCQ" fetch --since 2026-11-20T00:00:00Z --store "$WORK/since.db"
old=$(sqlite3 "$WORK/since.db" "SELECT json FROM cases" | jq -s '[.[].messages[] | select(.at < "2026-11-20")] | length')
expect_eq "$old" 0 "--since"
[ "$(msg_count "$WORK/since.db")" -lt "$n1" ] || fail "--since fetched everything"; pass

# Faults, on an incremental run: retried ones end well, the others exit with their code.
try_fault() {  # try_fault EXIT REQUESTS FAULT-JSON [ARGS...]
  local want=$1 reqs=$2 spec=$3; shift 3
  ctl POST /__fake/reset >/dev/null
  fault "$spec"
  expect_exit "$want" "$SOCQ" fetch --store "$DB" "$@"
  expect_eq "$(requests /api/v1/notifications)" "$reqs" "requests after $spec"
}
try_fault 0 2 '{"path":"/api/v1/notifications","kind":"500"}'
try_fault 0 2 '{"path":"/api/v1/notifications","kind":"502"}'
try_fault 0 2 '{"path":"/api/v1/notifications","kind":"drop"}'
try_fault 0 2 '{"path":"/api/v1/notifications","kind":"slow","delay_ms":3000}' --timeout 1s
try_fault 69 5 '{"path":"/api/v1/notifications","kind":"500","times":5}'
expect_err "gave up after 5 attempts"
try_fault 65 1 '{"path":"/api/v1/notifications","kind":"malformed"}'
expect_err "/api/v1/notifications"
expect_err "not valid JSON"
try_fault 65 1 '{"path":"/api/v1/notifications","kind":"wrong_shape"}'
expect_err "is not a JSON array of notifications"
try_fault 77 1 '{"path":"/api/v1/notifications","kind":"401"}'
try_fault 0 2 '{"path":"/api/v1/notifications","kind":"429","reset_in_s":1}'
expect_err "1 wait"
try_fault 75 1 '{"path":"/api/v1/notifications","kind":"429","reset_in_s":900}' --max-wait 1m
expect_err "longer than --max-wait 1m: try again after 20"
expect_eq "$(msg_count "$DB")" $((n1 + 3)) "faults added nothing"
no_duplicates "$DB"

# Killed while the server holds a page: nothing half-written; the next run resumes cleanly.
ctl POST /__fake/reset >/dev/null
K="$WORK/kill.db"
ctl POST /__fake/hold '{"path":"/api/v1/notifications"}' >/dev/null
"$SOCQ" fetch --since 2026-11-01 --store "$K" >/dev/null 2>&1 &
victim=$!
for _ in $(seq 200); do [ "$(curl -s "$B/__fake/held" | jq .held)" -ge 1 ] && break; sleep 0.05; done
expect_eq "$(curl -s "$B/__fake/held" | jq '.held >= 1')" true "a page is held"
kill -9 "$victim"; wait "$victim" 2>/dev/null || true
ctl POST /__fake/reset >/dev/null  # releases and forgets the hold
expect_eq "$(sqlite3 "$K" "SELECT count(*) FROM cases")" 0 "no cases from the killed run"
expect_eq "$(sqlite3 "$K" "SELECT count(*) FROM cursors WHERE account LIKE '%/notifications'")" 0 "no cursor from the killed run"
expect_exit 0 "$SOCQ" fetch --since 2026-11-01 --store "$K"
expect_eq "$(msg_count "$K")" "$(msg_count "$DB")" "resume fetched everything"
no_duplicates "$K"

# Two runs at once on one store: both succeed, nothing twice.
T="$WORK/two.db"
"$SOCQ" fetch --since 2026-11-01 --store "$T" 2>"$WORK/two.a" & a=$!
"$SOCQ" fetch --since 2026-11-01 --store "$T" 2>"$WORK/two.b" & b=$!
wait $a || fail "first concurrent run failed: $(cat "$WORK/two.a")"; pass
wait $b || fail "second concurrent run failed: $(cat "$WORK/two.b")"; pass
expect_eq "$(msg_count "$T")" "$(msg_count "$DB")" "concurrent runs: every message once"
no_duplicates "$T"

# -q: nothing but errors.
expect_exit 0 "$SOCQ" fetch -q --store "$DB"
expect_eq "$(cat "$WORK/out" "$WORK/err")" "" "-q is quiet"

# The token appears in no output, log, -v log or store.
expect_exit 0 "$SOCQ" fetch -v --store "$DB"
for f in "$WORK"/out "$WORK"/err "$WORK"/two.* "$DB" "$K" "$T" "$WORK"/since.db; do
  if grep -q -a -- "$TOKEN" "$f"; then fail "token in $f"; fi
done
pass
done_ok
