# socq handoff within socq (team, owner): the record and its follow-up in
# business time, usage errors, stalled handoffs in `case list --stalled`,
# `case due` and first in the queue, completion by --complete and by a
# reply to the customer, and `socq report`'s handoff counts.
source "$(dirname "$0")/helpers.bash"
command -v jq >/dev/null && command -v sqlite3 >/dev/null || { echo "jq and sqlite3 needed (scripts/deps)" >&2; exit 77; }
mkdir -p "$XDG_CONFIG_HOME/socq"
cat >"$XDG_CONFIG_HOME/socq/config.toml" <<'TOML'
[teams.billing]
zone = "Europe/London"
hours = { mon-fri = "09:00-17:00" }
[handoff.follow_up]
default = "24h"
"team:billing" = "4h"
TOML
DB="$WORK/s.db"
jq -c 'select(.status == "open" or .status == "new")' "$SRC/examples/cases.jsonl" >"$WORK/c.jsonl"
"$SOCQ" fetch --from "$WORK/c.jsonl" --store "$DB" -q
mapfile -t IDS < <(jq -r .id "$WORK/c.jsonl" | sed -n 1,3p)
A=${IDS[0]} B=${IDS[1]} C=${IDS[2]}
json_of() { sqlite3 "$DB" "SELECT json FROM cases WHERE id='$1'"; }
export SOCQ_NOW=2026-11-20T15:00:00Z   # a Friday, 15:00 in London

# Usage and refusals.
expect_exit 2 "$SOCQ" handoff "$A" --store "$DB"
expect_err "say where to: --to team:NAME, owner:NAME, dm, email:ADDR or webhook:NAME"
expect_exit 2 "$SOCQ" handoff "$A" --to fax:123 --store "$DB"
expect_exit 2 "$SOCQ" handoff "$A" --to team:biling --store "$DB"
expect_err 'no team "biling" in the config; did you mean "billing"?'
expect_exit 2 "$SOCQ" handoff "$A" --to owner:ola --message hi --store "$DB"
expect_exit 65 "$SOCQ" handoff "mastodon:nobody:1" --to owner:ola --store "$DB"
expect_err "no case mastodon:nobody:1"
expect_exit 3 "$SOCQ" handoff "$A" --to owner:ola --if-rev 99 --store "$DB"
expect_exit 65 "$SOCQ" handoff "$A" --complete --store "$DB"
expect_err "has no handoff to complete"

# Team: 4 h of billing's business time from Friday 15:00 is Monday 11:00.
expect_exit 0 "$SOCQ" handoff "$A" --to team:billing --why "refund over 50 GBP" --store "$DB"
expect_err "handed off $A to team:billing, follow up by 2026-11-23T11:00:00Z"
expect_eq "$(json_of "$A" | jq -r '[.handoff.to, .handoff.at, .handoff.by, .handoff.why, .handoff.owner, .handoff.follow_up_due, .status, .team, (.owner // "-")] | join("|")')" \
  "team:billing|2026-11-20T15:00:00Z|tester|refund over 50 GBP|team:billing|2026-11-23T11:00:00Z|handed_off|billing|-" "team handoff record"
json_of "$A" | jq -r '.events[].what' | grep -F "handed off to team:billing: refund over 50 GBP; follow up by 2026-11-23T11:00:00Z" >/dev/null || fail "no event"; pass
# Owner: the default 24 h, quietly.
expect_exit 0 "$SOCQ" handoff "$B" --to owner:ola -q --store "$DB"
[ ! -s "$WORK/err" ] && [ ! -s "$WORK/out" ] || fail "-q printed something"; pass
expect_eq "$(json_of "$B" | jq -r '[.owner, .handoff.owner, .handoff.follow_up_due] | join("|")')" "ola|ola|2026-11-21T15:00:00Z" "owner handoff"
expect_exit 0 "$SOCQ" handoff "$C" --to owner:kim --store "$DB"

# Nothing is stalled before the follow-ups.
expect_exit 0 "$SOCQ" case list --stalled --format jsonl --store "$DB"
[ ! -s "$WORK/out" ] || fail "stalled before the follow-up"; pass

# Monday 12:00: A and B are past their follow-ups with no reply; C was answered.
cat >"$WORK/reply.jsonl" <<JSON
$(json_of "$C" | jq -c '{v, id, rev: 0, channel, account, customer, messages: [{"id": "our-reply-1", "dir": "out", "at": "2026-11-21T10:00:00Z", "author": .account, "text": "Sorted, see DM", "public": true}], status, updated_at: "2026-11-21T10:00:00Z"}')
JSON
"$SOCQ" fetch --from "$WORK/reply.jsonl" --store "$DB" -q
export SOCQ_NOW=2026-11-23T12:00:00Z
expect_exit 0 "$SOCQ" case list --stalled --format jsonl --store "$DB"
expect_eq "$(jq -r .id "$WORK/out" | sort | tr '\n' ' ')" "$(printf '%s\n' "$A" "$B" | sort | tr '\n' ' ')" "stalled: A and B, not the answered C"
expect_exit 0 "$SOCQ" case list --stalled --limit 1 --format jsonl --store "$DB"
expect_eq "$(wc -l <"$WORK/out")" 1 "--limit with --stalled"
# The queue: stalled first within their (overdue) band.
expect_exit 0 "$SOCQ" case list --format jsonl --store "$DB"
expect_eq "$(head -2 "$WORK/out" | jq -r .id | sort | tr '\n' ' ')" "$(printf '%s\n' "$A" "$B" | sort | tr '\n' ' ')" "stalled first in the queue"
# case due counts them (exit 4: something breached).
expect_exit 4 "$SOCQ" case due --format jsonl --store "$DB"
expect_err "billing: "
expect_err ", 1 stalled"
# report: made 3, completed 1 (C by its reply), stalled 2.
expect_exit 0 "$SOCQ" report --format json --store "$DB"
expect_eq "$(jq -c .total.handoffs "$WORK/out")" '{"made":3,"completed":1,"stalled":2}' "report handoffs"

# --complete: A no longer stalled; a repeat says so and changes nothing.
expect_exit 0 "$SOCQ" handoff "$A" --complete --store "$DB"
expect_err "completed the handoff of $A to team:billing"
rev=$(json_of "$A" | jq .rev)
expect_exit 0 "$SOCQ" handoff "$A" --complete --store "$DB"
expect_err "was already completed at 2026-11-23T12:00:00Z"
expect_eq "$(json_of "$A" | jq .rev)" "$rev" "no change on a repeat"
expect_eq "$(json_of "$A" | jq -r .handoff.completed_at)" "2026-11-23T12:00:00Z" "completed_at"
expect_exit 0 "$SOCQ" case list --stalled --format jsonl --store "$DB"
expect_eq "$(jq -r .id "$WORK/out")" "$B" "only B stalled now"
expect_exit 0 "$SOCQ" report --format json --store "$DB"
expect_eq "$(jq -c .total.handoffs "$WORK/out")" '{"made":3,"completed":2,"stalled":1}' "report after --complete"
done_ok
