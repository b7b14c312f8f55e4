# socq fetch from the Bluesky fake (socq-fake bluesky): an app password from
# password_env or a 0600 password_file, one login cached beside the store,
# mentions and replies paged to the end and threaded by reply root, DMs as
# private cases, an incremental second run, faults, socq reply killed
# mid-post and resumed (one post), and no password or JWT
# in any output, log or the store.
source "$(dirname "$0")/helpers.bash"
[ -n "${SOCQ_FAKE:-}" ] || { echo "SOCQ_FAKE not set: the fake is not built" >&2; exit 77; }
command -v curl >/dev/null && command -v jq >/dev/null && command -v sqlite3 >/dev/null || { echo "curl, jq and sqlite3 needed (scripts/deps)" >&2; exit 77; }
PASSWORD=app-pass-word-1234
FAKE_PID=""
trap '[ -n "$FAKE_PID" ] && kill "$FAKE_PID" 2>/dev/null; rm -rf "$WORK"' EXIT

"$SOCQ_FAKE" bluesky --port 0 >"$WORK/fake.out" 2>"$WORK/fake.err" &
FAKE_PID=$!
for _ in $(seq 200); do [ -s "$WORK/fake.out" ] && break; sleep 0.05; done
B="http://127.0.0.1:$(head -1 "$WORK/fake.out")"
ctl() { curl -s -f -X "$1" -H 'Content-Type: application/json' --data "${3:-"{}"}" "$B$2"; }
calls() { curl -s -f "$B/__fake/calls" | jq --arg n "$1" '.[$n] // 0'; }

mkdir -p "$XDG_CONFIG_HOME/socq"
CFG="$XDG_CONFIG_HOME/socq/config.toml"
config() {
  cat >"$CFG" <<TOML
[accounts.nr-bsky]
channel = "bluesky"
base_url = "$B"
handle = "northrail.bsky.social"
$1
TOML
}
DB="$WORK/s.db"
export SOCQ_STORE="$DB"

# The password source: exactly one of password_env and password_file.
config 'token_env = "NR_BSKY"'
expect_exit 78 "$SOCQ" fetch
expect_err "password_env or password_file"
config 'password_env = "NR_BSKY"'
expect_exit 77 "$SOCQ" fetch
expect_err "NR_BSKY is not set"
export NR_BSKY=$PASSWORD

expect_exit 0 "$SOCQ" -v fetch --since 2026-11-01
cp "$WORK/err" "$WORK/first.err"
expect_err "nr-bsky (bluesky northrail.bsky.social)"
N=$(sqlite3 "$DB" "SELECT count(*) FROM cases WHERE channel = 'bluesky'")
[ "$N" -ge 40 ] || fail "only $N cases"; pass
expect_eq "$(sqlite3 "$DB" "SELECT count(*) FROM cases WHERE id LIKE 'bluesky:northrail.bsky.social:dm-%'")" 3 "DM cases"
expect_eq "$(sqlite3 "$DB" "SELECT json FROM cases WHERE id LIKE '%:dm-convo1'" | jq '[.messages[] | select(.public)] | length')" 0 "DMs are private"
# Every message once; threads keep our replies (outbound) with the customer's answers.
expect_eq "$(sqlite3 "$DB" "SELECT json FROM cases" | jq -r '.messages[].id' | sort | uniq -d | wc -l)" 0 "no duplicate messages"
OUT=$(sqlite3 "$DB" "SELECT json FROM cases WHERE id NOT LIKE '%:dm-%'" | jq -s '[.[] | select(any(.messages[]; .dir == "out"))] | length')
[ "$OUT" -ge 5 ] || fail "only $OUT threads with our replies"; pass
SESSION="$DB.bluesky-nr-bsky.session"
expect_eq "$(stat -c %a "$SESSION")" 600 "session cache mode"
expect_eq "$(calls com.atproto.server.createSession)" 1 "one login"

# Incremental: nothing new, one listNotifications page, no new login.
BEFORE=$(calls app.bsky.notification.listNotifications)
expect_exit 0 "$SOCQ" fetch
expect_err "0 new messages"
expect_eq "$(calls app.bsky.notification.listNotifications)" $((BEFORE + 1)) "one page on a run with nothing new"
expect_eq "$(calls com.atproto.server.createSession)" 1 "the cached session served"

# A new mention arrives; an expired access token is refreshed on the way.
ctl POST /__fake/notifications '[{"uri":"at://did:plc:newcust2222/app.bsky.feed.post/3zzzzzzzzzzz2","cid":"bafyx",
  "author":{"did":"did:plc:newcust2222","handle":"newcust.bsky.social","displayName":"New Customer"},"reason":"mention",
  "record":{"$type":"app.bsky.feed.post","text":"@northrail.bsky.social where is my bike?","createdAt":"2026-11-24T08:00:00.000Z"},
  "isRead":false,"indexedAt":"2026-11-24T08:00:00.000Z"}]' >/dev/null
ctl POST /__fake/expire '{"kind":"access"}' >/dev/null
expect_exit 0 "$SOCQ" -v fetch
expect_err "1 new message"
expect_eq "$(calls com.atproto.server.refreshSession)" 1 "refreshed"
expect_eq "$(sqlite3 "$DB" "SELECT json FROM cases WHERE id = 'bluesky:northrail.bsky.social:at://did:plc:newcust2222/app.bsky.feed.post/3zzzzzzzzzzz2'" | jq -r .customer.handle)" \
  "@newcust.bsky.social" "the new case"

# Faults: a 500 is retried; a 429 is waited out (Retry-After); malformed JSON is 65.
ctl POST /__fake/faults '{"path":"/xrpc/app.bsky.notification.listNotifications","kind":"500","times":1}' >/dev/null
ctl POST /__fake/faults '{"path":"/xrpc/app.bsky.notification.listNotifications","kind":"429","times":1,"reset_in_s":1}' >/dev/null
expect_exit 0 "$SOCQ" -v fetch
expect_err "rate limited until"
ctl POST /__fake/faults '{"path":"/xrpc/app.bsky.notification.listNotifications","kind":"malformed","times":1}' >/dev/null
expect_exit 65 "$SOCQ" fetch
# A wrong app password in a 0600 file: 77 once the cache is gone, never printed.
rm -f "$SESSION"
printf 'wrong-pass-4321\n' >"$WORK/pw" && chmod 600 "$WORK/pw"
config "password_file = \"$WORK/pw\""
expect_exit 77 "$SOCQ" -v fetch
expect_err "refused"
if grep -q "wrong-pass-4321" "$WORK/err"; then fail "the password in stderr"; fi
pass

# socq reply exactly once: hold createRecord's answer, SIGKILL socq, release,
# then --resume finds the record by its rkey (getRecord) and posts nothing more.
config 'password_env = "NR_BSKY"'
held() { curl -s -f "$B/__fake/held" | jq .held; }
C=$(sqlite3 "$DB" "SELECT id FROM cases WHERE channel = 'bluesky' AND id NOT LIKE '%:dm-%' AND status = 'new' AND json NOT LIKE '%+44%' LIMIT 1")
ctl POST /__fake/reset >/dev/null
ctl POST /__fake/hold '{"path":"/xrpc/com.atproto.repo.createRecord"}' >/dev/null
"$SOCQ" reply "$C" "Sorry about the delay, the next train leaves at ten past." >"$WORK/kill.out" 2>&1 &
victim=$!
for _ in $(seq 600); do [ "$(held)" -ge 1 ] && break; sleep 0.05; done
[ "$(held)" -ge 1 ] || { cat "$WORK/kill.out" >&2; fail "createRecord was never held"; }
kill -9 "$victim"; wait "$victim" 2>/dev/null || true
ctl POST /__fake/release >/dev/null
expect_exit 0 "$SOCQ" reply --resume
expect_eq "$(curl -s -f "$B/__fake/posts" | jq length)" 1 "one post after the kill and --resume"
expect_eq "$(sqlite3 "$DB" "SELECT json FROM cases WHERE id = '$C'" | jq '[.messages[] | select(.dir == "out")] | length')" 1 "recorded once"

# No secret anywhere but the 0600 cache.
for f in "$WORK/first.err" "$WORK/err" "$WORK/out"; do
  if grep -qF -e "$PASSWORD" -e "eyJ" "$f"; then fail "a secret in $f"; fi
done
if sqlite3 "$DB" .dump | grep -qF -e "$PASSWORD" -e "eyJ"; then fail "a secret in the store"; fi
pass
done_ok
