# socq handoff --to dm against the Mastodon fake: the private message first
# (visibility direct, the customer @mentioned), and only once it is accepted
# the short public pointer in reply to the customer; a refused DM (the
# fake's 422) posts nothing public and exits non-zero; a DM lost to 5xx
# stays in flight and a later run sends it once, then the pointer.
source "$(dirname "$0")/helpers.bash"
[ -n "${SOCQ_FAKE:-}" ] || { echo "SOCQ_FAKE not set: the fake is not built" >&2; exit 77; }
command -v curl >/dev/null && command -v jq >/dev/null && command -v sqlite3 >/dev/null || { echo "curl, jq, sqlite3 needed" >&2; exit 77; }
TOKEN=fake-token-northrail
FAKE_PID=""
trap '[ -n "$FAKE_PID" ] && kill "$FAKE_PID" 2>/dev/null; rm -rf "$WORK"' EXIT
"$SOCQ_FAKE" mastodon --port 0 >"$WORK/fake.out" 2>"$WORK/fake.err" &
FAKE_PID=$!
for _ in $(seq 600); do [ -s "$WORK/fake.out" ] && break; sleep 0.05; done
B="http://127.0.0.1:$(head -1 "$WORK/fake.out")"
posts() { curl -s -f "$B/__fake/posts"; }
fault() { curl -s -f -X POST -H 'Content-Type: application/json' --data "$1" "$B/__fake/faults" >/dev/null; }

export NR_TOKEN=$TOKEN
mkdir -p "$XDG_CONFIG_HOME/socq"
cat >"$XDG_CONFIG_HOME/socq/config.toml" <<TOML
[accounts.northrail]
channel = "mastodon"
base_url = "$B"
token_env = "NR_TOKEN"
[handoff]
dm_pointer = "We've sent you a DM."
[handoff.follow_up]
dm = "30m"
TOML
DB="$WORK/s.db"
expect_exit 0 "$SOCQ" fetch --since 2026-11-01 --store "$DB"
# Three open cases whose customer wrote in public.
mapfile -t IDS < <(sqlite3 "$DB" "SELECT json FROM cases" |
  jq -r 'select(.status != "resolved" and .status != "closed" and ([.messages[] | select(.dir == "in" and .public)] | length) > 0) | .id' | sed -n 1,3p)
[ "${#IDS[@]}" -eq 3 ] || fail "need 3 public cases, got ${#IDS[@]}"; pass
handle_of() { sqlite3 "$DB" "SELECT json FROM cases WHERE id='$1'" | jq -r .customer.handle; }
last_in_of() { sqlite3 "$DB" "SELECT json FROM cases WHERE id='$1'" | jq -r '[.messages[] | select(.dir == "in" and .public)] | last | .id'; }

# The DM, then the pointer.
expect_exit 0 "$SOCQ" handoff "${IDS[0]}" --to dm --message "Could you send us your booking reference?" --why "booking details" --store "$DB"
expect_err "handed off ${IDS[0]} to dm (ref "
expect_eq "$(posts | jq length)" 2 "two posts"
p=$(posts)
expect_eq "$(jq -r '.[0].visibility' <<<"$p")" "direct" "the DM first"
expect_eq "$(jq -r '.[0].status' <<<"$p")" "$(handle_of "${IDS[0]}") Could you send us your booking reference?" "the DM @mentions the customer"
expect_eq "$(jq -r '.[1].visibility' <<<"$p")" "public" "then the public pointer"
expect_eq "$(jq -r '.[1].status' <<<"$p")" "$(handle_of "${IDS[0]}") We've sent you a DM." "pointer text from the config"
expect_eq "$(jq -r '.[1].in_reply_to_id' <<<"$p")" "$(last_in_of "${IDS[0]}")" "pointer answers the customer"
[ "$(jq -r '.[0].idempotency_key' <<<"$p")" != null ] && [ "$(jq -r '.[1].idempotency_key' <<<"$p")" = "$(jq -r '.[0].idempotency_key' <<<"$p")-pointer" ] || fail "keys"; pass
case=$(sqlite3 "$DB" "SELECT json FROM cases WHERE id='${IDS[0]}'")
expect_eq "$(jq -r '[.handoff.to, .handoff.ref, .handoff.by, .handoff.why, .handoff.owner, .handoff.follow_up_due, .status, .owner] | join("|")' <<<"$case")" \
  "dm|$(jq -r '.[0].id' <<<"$p")|tester|booking details|tester|2026-11-23T09:30:00Z|handed_off|tester" "handoff record"
expect_eq "$(jq -r '[.messages[] | select(.dir == "out" and .handoff_post)] | map(.public) | join(",")' <<<"$case")" "false,true" "both posts in the case"

# Refused DM (the fake's 422: over 500 characters): nothing in public, exit 65, clear message.
long=$(printf 'x%.0s' $(seq 520))
expect_exit 65 "$SOCQ" handoff "${IDS[1]}" --to dm --message "$long" --store "$DB"
expect_err "the DM was refused"
expect_err "nothing was posted in public"
expect_eq "$(posts | jq length)" 2 "no post after a refused DM"
expect_eq "$(sqlite3 "$DB" "SELECT json FROM cases WHERE id='${IDS[1]}'" | jq -r .handoff)" "null" "no handoff recorded"

# The DM meets 500s: in flight (75), nothing public; the next run sends it once, then the pointer.
fault '{"path": "/api/v1/statuses", "kind": "500", "times": 10}'
expect_exit 75 "$SOCQ" handoff "${IDS[2]}" --to dm --store "$DB"
expect_err "nothing was posted in public"
expect_eq "$(posts | jq length)" 2 "nothing posted while the server fails"
curl -s -f -X DELETE "$B/__fake/faults" >/dev/null
expect_exit 0 "$SOCQ" handoff --resume --store "$DB"
p=$(posts)
expect_eq "$(jq length <<<"$p")" 4 "the DM and its pointer, once each"
expect_eq "$(jq -r '.[2].visibility + "," + .[3].visibility' <<<"$p")" "direct,public" "DM before pointer"
expect_eq "$(jq -r '.[2].status' <<<"$p")" "Hi $(handle_of "${IDS[2]}"), we are following up on your message here in private." "default dm_text"
expect_exit 0 "$SOCQ" handoff --resume --store "$DB"
expect_err "nothing in flight"
expect_eq "$(posts | jq length)" 4 "a second resume posts nothing"

# Stalled: past the 30m follow-up with no reply since; a reply completes it.
SOCQ_NOW=2026-11-23T10:00:00Z expect_exit 0 "$SOCQ" case list --stalled --format jsonl --store "$DB"
expect_eq "$(jq -r .id "$WORK/out" | sort | tr '\n' ' ')" "$(printf '%s\n' "${IDS[0]}" "${IDS[2]}" | sort | tr '\n' ' ')" "stalled DMs"
# Two handoffs of one case at once (two processes) while the server holds
# the first DM's answer: each post goes out once (one Idempotency-Key a
# post), the first finishes, the second finishes or says why not.
E=$(sqlite3 "$DB" "SELECT json FROM cases" | jq -r 'select(.status == "new" or .status == "open") | select([.messages[] | select(.dir == "in" and .public)] | length > 0) | .id' | tail -1)
[ -n "$E" ] && [ "$E" != "${IDS[0]}" ] || fail "no fourth public case"; pass
curl -s -f -X POST -H 'Content-Type: application/json' --data '{"path":"/api/v1/statuses"}' "$B/__fake/hold" >/dev/null
"$SOCQ" handoff "$E" --to dm --message "First of two handoffs" --store "$DB" >"$WORK/a.out" 2>&1 &
first=$!
for _ in $(seq 200); do [ "$(curl -s "$B/__fake/held" | jq .held)" -ge 1 ] && break; sleep 0.05; done
expect_eq "$(curl -s "$B/__fake/held" | jq '.held >= 1')" true "the first DM's answer is held"
"$SOCQ" handoff "$E" --to dm --message "Second of two handoffs" --store "$DB" >"$WORK/b.out" 2>&1 &
second=$!
sleep 1
curl -s -f -X POST "$B/__fake/release" >/dev/null
rf=0; wait "$first" || rf=$?
rs=0; wait "$second" || rs=$?
[ "$rf" -eq 0 ] || { cat "$WORK/a.out"; fail "the first handoff exited $rf"; }; pass
case "$rs" in 0 | 3 | 75) pass ;; *) cat "$WORK/b.out"; fail "the second handoff exited $rs" ;; esac
p=$(posts)
expect_eq "$(jq '[.[].idempotency_key | select(. != null)] | length == (unique | length)' <<<"$p")" true "no post went out twice"
expect_eq "$(jq '[.[] | select(.status | endswith("First of two handoffs"))] | length' <<<"$p")" 1 "the first DM once"
expect_eq "$(jq --argjson s "$rs" '[.[] | select(.status | endswith("Second of two handoffs"))] | length == (if $s == 0 then 1 else 0 end)' <<<"$p")" true "the second DM once if it finished, else not at all"
expect_eq "$(sqlite3 "$DB" "SELECT json FROM cases WHERE id='$E'" | jq -r .status)" handed_off "handed off"

! grep -rqF "$TOKEN" "$WORK/out" "$WORK/err" || fail "token in output"; pass
done_ok
