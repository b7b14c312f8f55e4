# socq fetch from Facebook Pages (the fake in tests/fakes): Messenger
# conversations and post comments through paging.next, an incremental run,
# throttling codes past --max-wait (75), an expired Page token (77), retries,
# and the Page token in no output, log or store (it travels as access_token).
source "$(dirname "$0")/helpers.bash"
[ -n "${SOCQ_FAKE:-}" ] || { echo "SOCQ_FAKE not set: the fake is not built" >&2; exit 77; }
command -v curl >/dev/null && command -v jq >/dev/null || { echo "curl and jq needed (scripts/deps)" >&2; exit 77; }
TOKEN=fake-page-token-northrail
PAGE=104000000000001
FAKE_PID=""
trap '[ -n "$FAKE_PID" ] && kill "$FAKE_PID" 2>/dev/null; rm -rf "$WORK"' EXIT

"$SOCQ_FAKE" facebook --port 0 >"$WORK/fake.out" 2>"$WORK/fake.err" &
FAKE_PID=$!
for _ in $(seq 200); do [ -s "$WORK/fake.out" ] && break; sleep 0.05; done
B="http://127.0.0.1:$(head -1 "$WORK/fake.out")"
ctl() { curl -s -f -X "$1" -H 'Content-Type: application/json' --data "${3:-"{}"}" "$B$2"; }
requests() { curl -s -f "$B/__fake/requests" | jq --arg p "$1" '[.[] | select(.path | contains($p))] | length'; }
fault() { ctl POST /__fake/faults "$1" >/dev/null; }
msg_count() { sqlite3 "$1" "SELECT count(*) FROM messages"; }
no_duplicates() {
  local dup
  dup=$(sqlite3 "$1" "SELECT json FROM cases" | jq -r '.messages[].id' | sort | uniq -d | head -3)
  [ -z "$dup" ] || fail "messages in two cases: $dup"
  pass
}

printf '%s\n' "$TOKEN" >"$WORK/page.token"
chmod 600 "$WORK/page.token"
mkdir -p "$XDG_CONFIG_HOME/socq"
cat >"$XDG_CONFIG_HOME/socq/config.toml" <<TOML
[accounts.nrfb]
channel = "facebook"
base_url = "$B/v19.0"
page_id = "$PAGE"
token_file = "$WORK/page.token"
TOML
DB="$WORK/s.db"

expect_exit 0 "$SOCQ" fetch --check
expect_err "nrfb (facebook northrail): credentials accepted"

# First run: 6 conversations (one longer than its nested page), 30 posts in two feed pages.
expect_exit 0 "$SOCQ" fetch --since 2026-11-01 --store "$DB" -v
expect_eq "$(requests /$PAGE/feed)" 2 "two feed pages"
[ "$(requests /messages)" -ge 1 ] || fail "nested messages paging not followed"; pass
expect_eq "$(sqlite3 "$DB" "SELECT count(*) FROM cases WHERE id LIKE 'facebook:northrail:dm-t_%'")" 6 "Messenger cases"
expect_eq "$(sqlite3 "$DB" "SELECT json FROM cases WHERE id LIKE '%:dm-%'" | jq -s '[.[].messages[]] | length')" 81 "every Messenger message"
expect_eq "$(sqlite3 "$DB" "SELECT json FROM cases WHERE id LIKE '%:dm-%'" | jq -s '[.[].messages[] | select(.public != false)] | length')" 0 "private"
sqlite3 "$DB" "SELECT json FROM cases WHERE id NOT LIKE '%:dm-%'" >"$WORK/public"
expect_eq "$(jq -s '[.[] | select([.messages[].dir] | join(",") | test("in,out,in"))] | length > 0' "$WORK/public")" true "comment threads"
expect_eq "$(jq -r -s '[.[].messages[] | select(.dir == "out") | .author] | unique | .[]' "$WORK/public")" northrail "our comments are outbound"
n1=$(msg_count "$DB")
no_duplicates "$DB"
expect_eq "$(sqlite3 "$DB" "SELECT count(*) FROM cursors WHERE channel = 'facebook'")" 3 "two cursors + limits"

# Incremental: one new Messenger message.
ctl POST /__fake/reset >/dev/null
ctl POST /__fake/conversations '[{"id":"t_e2e","participants":{"data":[{"id":"7100000000000000074","name":"Chloé Martin"},{"id":"'$PAGE'","name":"NorthRail"}]},
  "messages":[{"id":"m_e2e","message":"still waiting","from":{"id":"7100000000000000074","name":"Chloé Martin"},"created_time":"2026-11-23T08:45:00+0000"}]}]' >/dev/null
expect_exit 0 "$SOCQ" fetch --store "$DB"
expect_err "1 new message, 1 new case, 0 updated cases"
expect_exit 0 "$SOCQ" fetch --store "$DB"
expect_err "0 new messages, 0 new cases, 0 updated cases"

# Faults.
try_fault() {  # try_fault EXIT FAULT-JSON [ARGS...]
  local want=$1 spec=$2; shift 2
  ctl POST /__fake/reset >/dev/null
  fault "$spec"
  expect_exit "$want" "$SOCQ" fetch --store "$DB" "$@"
}
for code in 4 17 32 613 80001; do
  try_fault 75 '{"path":"/v19.0/'$PAGE'/conversations","kind":"throttle_'$code'","reset_in_s":600}' --max-wait 1m
  expect_err "longer than --max-wait 1m"
done
try_fault 77 '{"path":"/v19.0/'$PAGE'/conversations","kind":"190"}'
expect_err "Page access token has expired"
try_fault 0 '{"path":"/v19.0/'$PAGE'/conversations","kind":"500","times":2}'
try_fault 65 '{"path":"/v19.0/'$PAGE'/feed","kind":"wrong_shape"}'
try_fault 65 '{"path":"/v19.0/'$PAGE'/feed","kind":"malformed"}'
expect_eq "$(msg_count "$DB")" $((n1 + 1)) "faults added nothing"

# socq reply on a comment thread, exactly once: the answer is held, socq
# killed, and the rerun finds our comment under the customer's instead of
# posting again. A Messenger reply outside the 24-hour window is refused.
ctl POST /__fake/reset >/dev/null
C=$(sqlite3 "$DB" "SELECT id FROM cases WHERE id NOT LIKE '%:dm-%' AND status = 'new' ORDER BY id LIMIT 1")
ctl POST /__fake/hold '{"path":"/v19.0/'"${C##*:}"'/comments"}' >/dev/null
"$SOCQ" reply "$C" "We are checking the 09:14 service for you now." --store "$DB" >"$WORK/kill.out" 2>&1 &
victim=$!
for _ in $(seq 200); do [ "$(curl -s "$B/__fake/held" | jq .held)" -ge 1 ] && break; sleep 0.05; done
expect_eq "$(curl -s "$B/__fake/held" | jq '.held >= 1')" true "the comment's answer is held"
kill -9 "$victim"; wait "$victim" 2>/dev/null || true
ctl POST /__fake/release >/dev/null
expect_exit 0 "$SOCQ" reply --resume --store "$DB"
expect_eq "$(curl -s "$B/__fake/posts" | jq '[.[] | select(.kind == "comment")] | length')" 1 "one comment after kill and rerun"
D=$(sqlite3 "$DB" "SELECT id FROM cases WHERE id LIKE '%:dm-t_%' AND id != 'facebook:northrail:dm-t_e2e' ORDER BY id LIMIT 1")
expect_exit 65 "$SOCQ" reply "$D" "Sorry for the wait, how can we help?" --store "$DB"
expect_err "24 hours"
expect_eq "$(curl -s "$B/__fake/posts" | jq '[.[] | select(.kind == "message")] | length')" 0 "nothing sent outside the window"

# The token is in no output, log or store.
expect_exit 0 "$SOCQ" fetch -v --store "$DB"
grep -q "access_token=\*\*\*" "$WORK/err" || true
for f in "$WORK"/out "$WORK"/err "$DB"; do
  if grep -q -a -- "$TOKEN" "$f"; then fail "token in $f"; fi
done
pass
done_ok
