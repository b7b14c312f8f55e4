# socq fetch from X (the fake in tests/fakes): pagination back to --since,
# incremental runs by since_id, threads by conversation_id, DMs, both 429
# forms, 401, retries, a kill mid-run and a clean resume, and no token anywhere.
source "$(dirname "$0")/helpers.bash"
[ -n "${SOCQ_FAKE:-}" ] || { echo "SOCQ_FAKE not set: the fake is not built" >&2; exit 77; }
command -v curl >/dev/null && command -v jq >/dev/null || { echo "curl and jq needed (scripts/deps)" >&2; exit 77; }
TOKEN=fake-token-x-northrail
ME=1500000000000000001
FAKE_PID=""
trap '[ -n "$FAKE_PID" ] && kill "$FAKE_PID" 2>/dev/null; rm -rf "$WORK"' EXIT

"$SOCQ_FAKE" x --port 0 >"$WORK/fake.out" 2>"$WORK/fake.err" &
FAKE_PID=$!
for _ in $(seq 200); do [ -s "$WORK/fake.out" ] && break; sleep 0.05; done
B="http://127.0.0.1:$(head -1 "$WORK/fake.out")"
ctl() { curl -s -f -X "$1" -H 'Content-Type: application/json' --data "${3:-"{}"}" "$B$2"; }
# requests PATH-PREFIX [QUERY-REGEX]: API requests the fake saw.
requests() { curl -s -f "$B/__fake/requests" | jq --arg p "$1" --arg q "${2:-}" '[.[] | select((.path | startswith($p)) and (.query | test($q)))] | length'; }
fault() { ctl POST /__fake/faults "$1" >/dev/null; }
msg_count() { sqlite3 "$1" "SELECT count(*) FROM messages"; }
no_duplicates() {
  local dup
  dup=$(sqlite3 "$1" "SELECT json FROM cases" | jq -r '.messages[].id' | sort | uniq -d | head -3)
  [ -z "$dup" ] || fail "messages in two cases: $dup"
  pass
}
# tweets N FIRST_ID: N new mentions from three customers, each its own conversation.
tweets() {
  jq -n --argjson n "$1" --arg first "$2" '[range($n) as $i | (($first | .[0:-3]) + "\($i + 100)") as $id |
    {id: $id, text: "@northrail delay on the 09:\($i) &amp; no info", author_id: (["1600000000000000007","1600000000000000018","1600000000000000029"][$i % 3]),
     created_at: "2026-11-23T08:50:00.000Z", conversation_id: $id}]'
}

export X_TOKEN=$TOKEN
mkdir -p "$XDG_CONFIG_HOME/socq"
cat >"$XDG_CONFIG_HOME/socq/config.toml" <<TOML
[accounts.nrx]
channel = "x"
base_url = "$B"
token_env = "X_TOKEN"
TOML
DB="$WORK/s.db"

# --check: credentials through GET /2/users/me (77 when refused).
expect_exit 0 "$SOCQ" fetch --check
expect_err "nrx (x northrail): credentials accepted"
X_TOKEN=wrong-token expect_exit 77 "$SOCQ" fetch --check
expect_err "refused the token"

# First run: 132 mentions in pages of 100, back to --since through start_time.
expect_exit 0 "$SOCQ" fetch --since 2026-11-01 --store "$DB" -v
expect_err "handle not configured: using northrail from /2/users/me"
expect_eq "$(requests /2/users/$ME/mentions 'start_time=2026-11-01T00:00:00Z')" 2 "two mention pages"
expect_eq "$(requests /2/users/$ME/mentions 'pagination_token=')" 1 "followed next_token"
expect_eq "$(requests /2/users/$ME/mentions 'expansions=author_id.*user.fields=username,name,public_metrics')" 2 "expansions"
n1=$(msg_count "$DB")
[ "$n1" -ge 145 ] || fail "only $n1 messages"; pass
no_duplicates "$DB"
expect_eq "$(sqlite3 "$DB" "SELECT count(*) FROM cursors WHERE channel = 'x' AND account LIKE 'northrail/%'")" 4 "three cursors + limits"
expect_eq "$(sqlite3 "$DB" "SELECT json_extract(cursor, '$.max_chars') || json_extract(cursor, '$.unit') FROM cursors WHERE account = 'northrail/limits'")" 280weighted "limits"
sqlite3 "$DB" "SELECT json FROM cases WHERE id NOT LIKE '%:dm-%'" >"$WORK/public"
expect_eq "$(jq -s '[.[] | select([.messages[].dir] | join(",") | test("in,out,in"))] | length > 0' "$WORK/public")" true "answer to our reply joins"
expect_eq "$(jq -r -s '[.[].messages[] | select(.dir == "out") | .author] | unique | .[]' "$WORK/public")" "@northrail" "our tweets are outbound"
expect_eq "$(jq -s '[.[] | select(.customer.followers == null)] | length' "$WORK/public")" 0 "follower counts"
expect_eq "$(jq -s '[.[].messages[].text | select(test("&amp;"))] | length' "$WORK/public")" 0 "entities decoded"
sqlite3 "$DB" "SELECT json FROM cases WHERE id LIKE 'x:northrail:dm-%'" >"$WORK/dms"
expect_eq "$(wc -l <"$WORK/dms")" 4 "DM cases"
expect_eq "$(jq -s '[.[].messages[] | select(.public != false)] | length' "$WORK/dms")" 0 "DMs are private"

# Incremental: since_id from the cursor; only the new ones.
ctl POST /__fake/reset >/dev/null
ctl POST /__fake/tweets "$(tweets 3 2200000000000000000)" >/dev/null
expect_exit 0 "$SOCQ" fetch nrx --store "$DB"
expect_err "3 new messages, 3 new cases, 0 updated cases"
expect_eq "$(requests /2/users/$ME/mentions 'since_id=')" 1 "since_id"
expect_eq "$(requests /2/users/$ME/mentions 'start_time=')" 0 "no backfill"
expect_exit 0 "$SOCQ" fetch --store "$DB"
expect_err "0 new messages, 0 new cases, 0 updated cases"

# Faults on an incremental run.
try_fault() {  # try_fault EXIT REQUESTS FAULT-JSON [ARGS...]
  local want=$1 reqs=$2 spec=$3; shift 3
  ctl POST /__fake/reset >/dev/null
  fault "$spec"
  expect_exit "$want" "$SOCQ" fetch --store "$DB" "$@"
  expect_eq "$(requests /2/users/$ME/mentions)" "$reqs" "requests after $spec"
}
try_fault 0 2 '{"path":"/2/users/'$ME'/mentions","kind":"429","reset_in_s":1}'
expect_err "1 wait"
try_fault 0 2 '{"path":"/2/users/'$ME'/mentions","kind":"429_v1","reset_in_s":1}'
expect_err "1 wait"
try_fault 75 1 '{"path":"/2/users/'$ME'/mentions","kind":"429_v1","reset_in_s":900}' --max-wait 1m
expect_err "longer than --max-wait 1m: try again after 20"
try_fault 75 1 '{"path":"/2/users/'$ME'/mentions","kind":"429","reset_in_s":900}' --max-wait 1m
try_fault 77 1 '{"path":"/2/users/'$ME'/mentions","kind":"401"}'
try_fault 0 3 '{"path":"/2/users/'$ME'/mentions","kind":"500","times":2}'
try_fault 0 2 '{"path":"/2/users/'$ME'/mentions","kind":"drop"}'
try_fault 65 1 '{"path":"/2/users/'$ME'/mentions","kind":"malformed"}'
expect_err "not valid JSON"
try_fault 65 1 '{"path":"/2/users/'$ME'/mentions","kind":"wrong_shape"}'
expect_eq "$(msg_count "$DB")" $((n1 + 3)) "faults added nothing"
no_duplicates "$DB"

# Killed while the server holds the second page: nothing half-written; a rerun resumes.
ctl POST /__fake/reset >/dev/null
K="$WORK/kill.db"
ctl POST /__fake/hold '{"path":"/2/users/'$ME'/mentions","skip":1}' >/dev/null
"$SOCQ" fetch --since 2026-11-01 --store "$K" >/dev/null 2>&1 &
victim=$!
for _ in $(seq 200); do [ "$(curl -s "$B/__fake/held" | jq .held)" -ge 1 ] && break; sleep 0.05; done
expect_eq "$(curl -s "$B/__fake/held" | jq '.held >= 1')" true "a page is held"
kill -9 "$victim"; wait "$victim" 2>/dev/null || true
ctl POST /__fake/reset >/dev/null
expect_eq "$(sqlite3 "$K" "SELECT count(*) FROM cursors WHERE account LIKE '%/mentions'")" 0 "no cursor from the killed run"
expect_exit 0 "$SOCQ" fetch --since 2026-11-01 --store "$K"
expect_eq "$(msg_count "$K")" "$(msg_count "$DB")" "resume fetched everything"
no_duplicates "$K"

# socq reply on an X case, exactly once: the answer to POST /2/tweets is held,
# socq killed, and the rerun's duplicate-content 403 settled by our recent tweets.
ctl POST /__fake/reset >/dev/null
C=$(sqlite3 "$DB" "SELECT id FROM cases WHERE id NOT LIKE '%:dm-%' AND status = 'new' ORDER BY id LIMIT 1")
ctl POST /__fake/hold '{"path":"/2/tweets"}' >/dev/null
"$SOCQ" reply "$C" "We are checking the 09:14 service for you now." --store "$DB" >"$WORK/kill.out" 2>&1 &
victim=$!
for _ in $(seq 200); do [ "$(curl -s "$B/__fake/held" | jq .held)" -ge 1 ] && break; sleep 0.05; done
expect_eq "$(curl -s "$B/__fake/held" | jq '.held >= 1')" true "the tweet's answer is held"
kill -9 "$victim"; wait "$victim" 2>/dev/null || true
ctl POST /__fake/release >/dev/null
expect_exit 0 "$SOCQ" reply --resume --store "$DB"
expect_eq "$(curl -s "$B/__fake/posts" | jq '[.[] | select(.kind == "tweet")] | length')" 1 "one tweet after kill and rerun"
posted=$(curl -s "$B/__fake/posts" | jq -r '.[0].id')
expect_eq "$(sqlite3 "$DB" "SELECT json FROM cases WHERE id = '$C'" | jq -r --arg p "$posted" '[.messages[] | select(.dir == "out" and (.posted_id == $p or .id == $p))] | length')" 1 "the case records it"
expect_eq "$(curl -s "$B/__fake/requests" | jq '[.[] | select(.path == "/2/tweets" and .status == 403)] | length')" 1 "the rerun met the duplicate check"

# socq handoff --to dm on an X case: the DM goes to the customer's X user id.
D=$(sqlite3 "$DB" "SELECT id FROM cases WHERE id NOT LIKE '%:dm-%' AND id != '$C' AND status = 'new' ORDER BY id LIMIT 1")
customer=$(sqlite3 "$DB" "SELECT json FROM cases WHERE id = '$D'" | jq -r .customer.id)
expect_exit 0 "$SOCQ" handoff "$D" --to dm --message "Could you send us your booking reference?" --store "$DB"
expect_eq "$(curl -s "$B/__fake/posts" | jq -r '[.[] | select(.kind == "dm")] | last | .participant_id')" "$customer" "the DM went to the customer"
expect_eq "$(sqlite3 "$DB" "SELECT json FROM cases WHERE id = '$D'" | jq -r .status)" handed_off "the case is handed off"

# The token appears in no output, log or store.
expect_exit 0 "$SOCQ" fetch -v --store "$DB"
for f in "$WORK"/out "$WORK"/err "$DB" "$K"; do
  if grep -q -a -- "$TOKEN" "$f"; then fail "token in $f"; fi
done
pass
done_ok
