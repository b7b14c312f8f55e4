# socq reply against the Mastodon fake: a threaded public reply and what the
# case records, --private, templates, $EDITOR, bulk files, --dry-run and the
# checks, approval, exactly once (kill mid-post and rerun; timeouts, 429
# and 500 retried with one Idempotency-Key), collisions (--rev, two
# processes at once), and no token anywhere.
source "$(dirname "$0")/helpers.bash"
[ -n "${SOCQ_FAKE:-}" ] || { echo "SOCQ_FAKE not set: the fake is not built" >&2; exit 77; }
command -v curl >/dev/null && command -v jq >/dev/null && command -v sqlite3 >/dev/null || { echo "curl, jq and sqlite3 needed (scripts/deps)" >&2; exit 77; }
TOKEN=fake-token-northrail
FAKE_PID=""
trap '[ -n "$FAKE_PID" ] && kill "$FAKE_PID" 2>/dev/null; rm -rf "$WORK"' EXIT

"$SOCQ_FAKE" mastodon --port 0 >"$WORK/fake.out" 2>"$WORK/fake.err" &
FAKE_PID=$!
for _ in $(seq 200); do [ -s "$WORK/fake.out" ] && break; sleep 0.05; done
B="http://127.0.0.1:$(head -1 "$WORK/fake.out")"
ctl() { curl -s -f -X "$1" -H 'Content-Type: application/json' --data "${3:-"{}"}" "$B$2"; }
posts() { curl -s -f "$B/__fake/posts"; }
posts_to() { posts | jq --arg r "$1" '[.[] | select(.in_reply_to_id == $r)] | length'; }
held() { curl -s -f "$B/__fake/held" | jq .held; }
wait_held() { for _ in $(seq 400); do [ "$(held)" -ge "$1" ] && return 0; sleep 0.05; done; fail "no held response"; }
status_posts() { curl -s -f "$B/__fake/requests" | jq '[.[] | select(.method == "POST" and .path == "/api/v1/statuses")]'; }
case_json() { sqlite3 "$DB" "SELECT json FROM cases WHERE id = '$1'"; }
# latest_in CASE: the id of the customer's latest message (what a reply threads under).
latest_in() { case_json "$1" | jq -r '[.messages[] | select(.dir == "in")] | sort_by(.at) | last | .id'; }
outbox() { sqlite3 "$DB" "SELECT $2 FROM outbox WHERE case_id = '$1' ORDER BY created_at, rowid"; }

export NR_TOKEN=$TOKEN
mkdir -p "$XDG_CONFIG_HOME/socq"
CFG="$XDG_CONFIG_HOME/socq/config.toml"
cat >"$CFG" <<TOML
[accounts.northrail]
channel = "mastodon"
base_url = "$B"
token_env = "NR_TOKEN"

[teams.press]
hours = "24/7"

[reply.templates]
thanks = "Hi {customer.name}, thanks for telling us. {agent} is looking into it (ref {reference})."
TOML
DB="$WORK/s.db"
export SOCQ_STORE="$DB"
expect_exit 0 "$SOCQ" fetch --since 2026-11-01
ctl POST /__fake/reset >/dev/null
# Public cases with one customer, answered by nobody yet, no phone number in them.
mapfile -t CASES < <(sqlite3 "$DB" "SELECT json FROM cases WHERE id NOT LIKE '%:dm-%' AND status = 'new'" |
  jq -r 'select(([.messages[] | select(.dir == "in") | .author] | unique | length) == 1 and ([.messages[] | select(.dir == "out")] | length) == 0 and (.messages | map(.text) | join(" ") | test("[0-9]{4}") | not)) | .id' | head -30)
[ "${#CASES[@]}" -ge 24 ] || fail "only ${#CASES[@]} fresh public cases"; pass
DM=$(sqlite3 "$DB" "SELECT id FROM cases WHERE id LIKE '%:dm-%' LIMIT 1")

# Usage: one mode at a time; no text and no terminal says how to give one.
expect_exit 2 "$SOCQ" reply
expect_exit 2 "$SOCQ" reply "${CASES[0]}"
expect_err "no reply text"
expect_exit 65 "$SOCQ" reply "mastodon:nobody:1" "Hello"
expect_err "no case mastodon:nobody:1"

# --dry-run: the text and every check's verdict; nothing posted or recorded.
C=${CASES[0]}
expect_exit 0 "$SOCQ" reply "$C" "Sorry about the delay this morning, the 7:32 is running again." --dry-run
expect_out "dry run: reply to"
expect_out "in reply to $(latest_in "$C")"
for check in length style pii repetition; do expect_out "  $check"; done
expect_eq "$(posts | jq length)" 0 "dry run posts nothing"
expect_eq "$(sqlite3 "$DB" "SELECT count(*) FROM outbox")" 0 "dry run records nothing"
# A failing check: PII in a public reply (exit 65, names the check and its override).
expect_exit 65 "$SOCQ" reply "$C" "Call me on +44 7700 900456 about it" --dry-run
expect_out "pii"
expect_out "FAIL"
expect_out "--allow-pii"
expect_exit 65 "$SOCQ" reply "$C" "Call me on +44 7700 900456 about it"
expect_err "not posted: a check failed"
expect_eq "$(posts | jq length)" 0 "a failed check posts nothing"

# A public threaded reply, and what the case records.
rev0=$(case_json "$C" | jq .rev)
expect_exit 0 "$SOCQ" reply "$C" "Sorry about the delay this morning, the 7:32 is running again."
expect_out "posted reply to #"
expect_out "$C (https://"
expect_eq "$(posts | jq length)" 1 "one post"
expect_eq "$(posts | jq -r '.[0].in_reply_to_id')" "$(latest_in "$C")" "threaded under the latest message"
expect_eq "$(posts | jq -r '.[0].visibility')" public "public"
# Mastodon notifies only whom a post mentions: the customer is mentioned first.
expect_eq "$(posts | jq -r '.[0].status')" "$(case_json "$C" | jq -r .customer.handle) Sorry about the delay this morning, the 7:32 is running again." "customer mentioned"
expect_eq "$(posts | jq -r '.[0].idempotency_key')" "$(outbox "$C" idempotency_key)" "the outbox key is the Idempotency-Key"
expect_eq "$(outbox "$C" "state || ' ' || author")" "sent tester" "outbox row sent, with its writer"
pid=$(posts | jq -r '.[0].id')
j=$(case_json "$C")
expect_eq "$(jq .rev <<<"$j")" $((rev0 + 1)) "rev + 1"
expect_eq "$(jq -r .status <<<"$j")" pending_customer "status"
expect_eq "$(jq -r .owner <<<"$j")" tester "an unowned case goes to the replier"
expect_eq "$(jq -r '.sla.first_response_at' <<<"$j")" 2026-11-23T09:00:00Z "first response time"
expect_eq "$(jq -r '.messages[-1] | [.dir, .posted_id, .author, .reply_to, .written_by] | join(" ")' <<<"$j")" \
  "out $pid @northrail@transit.social $(latest_in "$C") tester" "the outbound message"
expect_eq "$(jq -r '.events[-1].what' <<<"$j" | cut -d: -f1)" "reply by tester; assigned to tester" "event"
# A fetch that sees our post later merges it: the case shows it once.
expect_exit 0 "$SOCQ" fetch
expect_eq "$(case_json "$C" | jq --arg p "$pid" '[.messages[] | select(.id == $p)] | length')" 1 "our post once after a fetch"

# -q: nothing on success (cron); --format json: one object.
C=${CASES[1]}
expect_exit 0 "$SOCQ" -q reply "$C" "The lift at Central is repaired now, thank you for your patience."
[ ! -s "$WORK/out" ] && [ ! -s "$WORK/err" ] || fail "-q printed something"; pass
C=${CASES[2]}
expect_exit 0 "$SOCQ" reply "$C" "We have passed your note about the heating in carriage four to the depot." --format json
expect_eq "$(jq -r '.result + " " + .written_by' "$WORK/out")" "posted tester" "json output"

# A case by its short number.
C=${CASES[22]}
num=$(sqlite3 "$DB" "SELECT number FROM cases WHERE id = '$C'")
expect_exit 0 "$SOCQ" reply "$num" "The replacement bus leaves from stop C outside the station."
expect_out "posted reply to #$num $C"

# --private: a direct message with the customer mentioned first.
C=${CASES[3]}
handle=$(case_json "$C" | jq -r .customer.handle)
expect_exit 0 "$SOCQ" reply "$C" "Could you send us your booking reference here?" --private
expect_eq "$(posts | jq -r '.[-1].visibility')" direct "visibility direct"
expect_eq "$(posts | jq -r '.[-1].status')" "$handle Could you send us your booking reference here?" "customer mentioned first"
expect_eq "$(case_json "$C" | jq '.messages[-1].public')" false "a private message on the case"
# A DM case is answered privately even without --private.
if [ -n "$DM" ]; then
  expect_exit 0 "$SOCQ" reply "$DM" "Thanks, we found your booking and refunded the seat reservation."
  expect_eq "$(posts | jq -r '.[-1].visibility')" direct "a DM stays private"
fi

# --template: variables from the case.
C=${CASES[4]}
name=$(case_json "$C" | jq -r '.customer.name')
expect_exit 0 "$SOCQ" reply "$C" --template thanks
text=$(posts | jq -r '.[-1].status')
case "$text" in "$(case_json "$C" | jq -r .customer.handle) Hi $name, thanks for telling us. tester is looking into it (ref "*")." ) pass ;; *) fail "template text: $text" ;; esac
# The same template to another customer is a near-identical reply: refused
# unless --allow-repeat (a greeting with another name does not count).
expect_exit 65 "$SOCQ" reply "${CASES[21]}" --template thanks
expect_err "repetition"
expect_exit 0 "$SOCQ" reply "${CASES[21]}" --template thanks --allow-repeat
expect_exit 2 "$SOCQ" reply "$C" --template nope
expect_err 'no template "nope" in [teams.press]
hours = "24/7"

[reply.templates] (there are: thanks)'

# $EDITOR on a terminal (script(1) gives socq a pty): comment lines dropped.
C=${CASES[5]}
cat >"$WORK/editor.sh" <<'SH'
#!/bin/sh
grep -q "^# Reply to case" "$1" || exit 3
printf 'The escalator at Parkway is back in service.\n# a comment that is not posted\n' >"$1"
SH
chmod +x "$WORK/editor.sh"
if command -v script >/dev/null; then
  EDITOR="$WORK/editor.sh" script -qec "'$SOCQ' reply '$C'" /dev/null >"$WORK/out" 2>&1 </dev/null || { cat "$WORK/out"; fail "editor reply"; }
  pass
  expect_eq "$(posts | jq -r '.[-1].status')" "$(case_json "$C" | jq -r .customer.handle) The escalator at Parkway is back in service." "text from the editor"
  printf '#!/bin/sh\nexit 1\n' >"$WORK/bad-editor.sh"; chmod +x "$WORK/bad-editor.sh"
  n=$(posts | jq length)
  EDITOR="$WORK/bad-editor.sh" script -qec "'$SOCQ' reply '${CASES[6]}'" /dev/null >"$WORK/out" 2>&1 </dev/null || true
  grep -q "failed: nothing posted" "$WORK/out" || fail "editor failure: $(cat "$WORK/out")"; pass
  expect_eq "$(posts | jq length)" "$n" "a failed editor posts nothing"
fi

# Bulk: JSON Lines and CSV; a bad row is reported with file:line, the others post.
cat >"$WORK/bulk.jsonl" <<JSONL
{"case": "${CASES[6]}", "text": "The 8:05 now stops at Millbrook again from Monday."}
{"case": "mastodon:nobody:2", "text": "This case does not exist."}
{"case": "${CASES[7]}", "text": "Bikes are allowed on all trains outside the rush hours."}
JSONL
n=$(posts | jq length)
expect_exit 65 "$SOCQ" reply --from "$WORK/bulk.jsonl"
expect_err "bulk.jsonl:2: case mastodon:nobody:2: no case"
expect_err "2 posted, 0 drafts, 1 not posted"
expect_eq "$(posts | jq length)" $((n + 2)) "two bulk posts"
# The same text to several customers in one file is a repeated reply: the
# second row is refused by the repetition check (the first posts).
printf '{"case": "%s", "text": "Sorry, every service on the coast route runs late because of snow."}\n' "${CASES[8]}" "${CASES[23]}" >"$WORK/same.jsonl"
n=$(posts | jq length)
expect_exit 65 "$SOCQ" reply --from "$WORK/same.jsonl"
expect_err "1 posted, 0 drafts, 1 not posted"
expect_eq "$(posts | jq length)" $((n + 1)) "one of two identical bulk replies"
printf 'case,text\n%s,"Your refund for the cancelled journey, was sent today."\n' "${CASES[8]}" >"$WORK/bulk.csv"
expect_exit 0 "$SOCQ" reply --from "$WORK/bulk.csv"
expect_eq "$(posts | jq -r '.[-1].status')" "$(case_json "${CASES[8]}" | jq -r .customer.handle) Your refund for the cancelled journey, was sent today." "CSV row"
printf 'case,words\nx,y\n' >"$WORK/bad.csv"
expect_exit 65 "$SOCQ" reply --from "$WORK/bad.csv"
expect_err "bad.csv:1: the header needs a case (or id) column"

# Collision: --rev older than the case now -> exit 3 with what changed; --force posts.
C=${CASES[0]}
old=$(( $(case_json "$C" | jq .rev) - 1 ))
n=$(posts | jq length)
expect_exit 3 "$SOCQ" reply "$C" "Following up on the 7:32: it is on time today." --rev "$old"
expect_err "changed since rev $old"
expect_err "reply by tester"
expect_err "--force"
expect_eq "$(posts | jq length)" "$n" "a collision posts nothing"
expect_exit 0 "$SOCQ" reply "$C" "Following up on the 7:32: it is on time today." --rev "$old" --force
expect_eq "$(posts | jq length)" $((n + 1)) "--force posts"

# Exactly once: hold the post's response, SIGKILL socq, release, rerun.
C=${CASES[9]}
ctl POST /__fake/reset >/dev/null
ctl POST /__fake/hold '{"path":"/api/v1/statuses"}' >/dev/null
"$SOCQ" reply "$C" "Platform 2 at Eastgate is open again after the repairs." >"$WORK/kill.out" 2>&1 &
victim=$!
wait_held 1
kill -9 "$victim"; wait "$victim" 2>/dev/null || true
expect_eq "$(outbox "$C" state)" pending "the killed run left its reply in flight"
ctl POST /__fake/release >/dev/null
expect_eq "$(posts_to "$(latest_in "$C")")" 1 "the server made the post"
# The same command again finishes the first (same key: the server returns
# the post it made) and then refuses a second reply: the case changed.
expect_exit 3 "$SOCQ" reply "$C" "Platform 2 at Eastgate is open again after the repairs."
expect_err "finished reply socq-"
expect_err "reply by"
expect_eq "$(posts_to "$(latest_in "$C")")" 1 "exactly one post"
expect_eq "$(status_posts | jq -r '[.[].headers["Idempotency-Key"]] | unique | length')" 1 "one key on every attempt"
expect_eq "$(case_json "$C" | jq '[.messages[] | select(.dir == "out")] | length')" 1 "the case shows it once"
expect_eq "$(outbox "$C" state)" sent "and the row is sent"
# --resume does the same for any case.
C=${CASES[10]}
ctl POST /__fake/reset >/dev/null
ctl POST /__fake/hold '{"path":"/api/v1/statuses"}' >/dev/null
"$SOCQ" reply "$C" "The ticket machines at Northfield accept cards again." >"$WORK/kill.out" 2>&1 &
victim=$!
wait_held 1
kill -9 "$victim"; wait "$victim" 2>/dev/null || true
ctl POST /__fake/release >/dev/null
expect_exit 0 "$SOCQ" reply --resume
expect_out "posted reply to"
expect_eq "$(posts | jq length)" 1 "one post after --resume"
expect_eq "$(case_json "$C" | jq '[.messages[] | select(.dir == "out")] | length')" 1 "recorded once"
expect_exit 0 "$SOCQ" reply --resume
expect_err "nothing in flight"

# Two replies at once: the second sees the first in flight (exit 3); one post.
C=${CASES[11]}
ctl POST /__fake/reset >/dev/null
ctl POST /__fake/hold '{"path":"/api/v1/statuses"}' >/dev/null
SOCQ_USER=ann "$SOCQ" reply "$C" "We are sorry, the 9:10 was cancelled because of a signal fault." >"$WORK/a.out" 2>&1 &
a=$!
wait_held 1
SOCQ_USER=bob expect_exit 3 "$SOCQ" reply "$C" "Hello, the 9:10 was cancelled, sorry for the trouble."
expect_err "already being sent (written by ann)"
ctl POST /__fake/release >/dev/null
wait "$a" || fail "the first reply failed: $(cat "$WORK/a.out")"; pass
expect_eq "$(posts | jq length)" 1 "one of two concurrent replies posts"
# Really at once, no hold, both having read the case at the same rev:
# exactly one posts, the other exits 3.
C=${CASES[12]}
ctl POST /__fake/reset >/dev/null
seen=$(case_json "$C" | jq .rev)
SOCQ_USER=ann "$SOCQ" reply "$C" "The car park at Westbury is open again from today." --rev "$seen" >"$WORK/a.out" 2>&1 &
a=$!
SOCQ_USER=bob "$SOCQ" reply "$C" "Westbury car park reopened this morning, sorry for the wait." --rev "$seen" >"$WORK/b.out" 2>&1 &
b=$!
ra=0; rb=0
wait "$a" || ra=$?
wait "$b" || rb=$?
expect_eq "$(printf '%s\n' "$ra" "$rb" | sort | tr '\n' ' ')" "0 3 " "one posts, the other collides"
expect_eq "$(posts | jq length)" 1 "exactly one post"
expect_eq "$(case_json "$C" | jq '[.messages[] | select(.dir == "out")] | length')" 1 "one reply on the case"

# Server faults during a post: 429 then ok, 500 then ok, one post each.
C=${CASES[13]}
ctl POST /__fake/reset >/dev/null
ctl POST /__fake/faults '{"path":"/api/v1/statuses","kind":"429","times":1,"reset_in_s":1}' >/dev/null
expect_exit 0 "$SOCQ" reply "$C" "The 17:45 will run with eight carriages from next week."
expect_eq "$(posts | jq length)" 1 "429 then one post"
C=${CASES[14]}
ctl POST /__fake/reset >/dev/null
ctl POST /__fake/faults '{"path":"/api/v1/statuses","kind":"500","times":2}' >/dev/null
expect_exit 0 "$SOCQ" reply "$C" "We checked the timetable: the last train leaves at 23:40."
expect_eq "$(posts | jq length)" 1 "500 twice then one post"
expect_eq "$(status_posts | jq 'length')" 3 "three attempts"
expect_eq "$(status_posts | jq -r '[.[].headers["Idempotency-Key"]] | unique | length')" 1 "one key"
# A timeout after the server stored the post: retried with the same key, one post.
C=${CASES[15]}
ctl POST /__fake/reset >/dev/null
ctl POST /__fake/hold '{"path":"/api/v1/statuses"}' >/dev/null
SOCQ_HTTP_TIMEOUT=1s "$SOCQ" reply "$C" "Thanks, we have found your umbrella at the lost property office." >"$WORK/t.out" 2>&1 &
t=$!
for _ in $(seq 400); do [ "$(status_posts | jq length)" -ge 2 ] && break; sleep 0.05; done
expect_eq "$(status_posts | jq 'length >= 2')" true "the timed-out post was sent again"
ctl POST /__fake/release >/dev/null
wait "$t" || fail "reply after a timeout failed: $(cat "$WORK/t.out")"; pass
expect_eq "$(posts | jq length)" 1 "one post despite the timeout"
expect_eq "$(status_posts | jq -r '[.[].headers["Idempotency-Key"]] | unique | length')" 1 "one key"
expect_eq "$(case_json "$C" | jq '[.messages[] | select(.dir == "out")] | length')" 1 "recorded once"
# Too long for the instance's 500: refused by the length check, not posted.
C=${CASES[16]}
ctl POST /__fake/reset >/dev/null
long=$(printf 'x%.0s' $(seq 520))
expect_exit 65 "$SOCQ" reply "$C" "$long"
expect_err "length"
expect_eq "$(posts | jq length)" 0 "too long: not posted"

# Approval: drafts, --pending, --approve by an approver only.
cat >>"$CFG" <<'TOML'

[[reply.approval]]
team = "press"
approvers = ["carla", "dev"]
TOML
C=${CASES[17]}
expect_exit 0 "$SOCQ" case assign "$C" tester --team press
ctl POST /__fake/reset >/dev/null
expect_exit 0 "$SOCQ" reply "$C" "Our statement on the timetable change is on our website today."
expect_out "draft stored, needs approval by carla or dev"
expect_eq "$(posts | jq length)" 0 "a draft is not posted"
expect_exit 0 "$SOCQ" reply --pending --format json
expect_eq "$(jq -r '.case + " " + .written_by' "$WORK/out")" "$C tester" "--pending lists it"
expect_exit 0 "$SOCQ" reply --pending
expect_out "carla, dev"
SOCQ_USER=mallory expect_exit 77 "$SOCQ" reply --approve "$C"
expect_err "mallory may not approve this reply: it needs approval by carla or dev"
expect_eq "$(posts | jq length)" 0 "not approved: not posted"
SOCQ_USER=carla expect_exit 0 "$SOCQ" reply --approve "$C"
expect_out "posted reply to"
expect_eq "$(posts | jq length)" 1 "approved: posted"
j=$(case_json "$C")
expect_eq "$(jq -r '.messages[-1] | .written_by + " " + .approved_by' <<<"$j")" "tester carla" "writer and approver on the message"
expect_eq "$(jq -r '.events[-1].what' <<<"$j" | cut -d: -f1)" "reply by tester, approved by carla" "event"
expect_eq "$(outbox "$C" "author || ' ' || approver || ' ' || state")" "tester carla sent" "outbox row"
SOCQ_USER=carla expect_exit 65 "$SOCQ" reply --approve "$C"
expect_err "no reply draft awaits approval"
# An approver's own reply posts directly, approved by them.
C=${CASES[18]}
expect_exit 0 "$SOCQ" case assign "$C" carla --team press
SOCQ_USER=carla expect_exit 0 "$SOCQ" reply "$C" "Here is the full statement about the strike days next week."
expect_eq "$(case_json "$C" | jq -r '.messages[-1].approved_by')" carla "self-approved"
# A draft whose case changed before approval: exit 3 unless --force.
C=${CASES[19]}
expect_exit 0 "$SOCQ" case assign "$C" tester --team press
expect_exit 0 "$SOCQ" reply "$C" "We will publish the new winter timetable on Friday."
expect_exit 0 "$SOCQ" case assign "$C" someone
SOCQ_USER=dev expect_exit 3 "$SOCQ" reply --approve "$C"
expect_err "changed since the draft was written"
SOCQ_USER=dev expect_exit 0 "$SOCQ" reply --approve "$C" --force

# No token in any output, log or the store.
expect_exit 0 "$SOCQ" -v reply "${CASES[20]}" "Thank you, the lost ticket has been reissued to your account." --store "$DB"
cat "$WORK"/*.out "$WORK/err" "$WORK/out" >"$WORK/all-output"
! grep -qF "$TOKEN" "$WORK/all-output" || fail "token in output"; pass
sqlite3 "$DB" .dump >"$WORK/dump.sql"
! grep -qF "$TOKEN" "$WORK/dump.sql" || fail "token in the store"; pass

done_ok
