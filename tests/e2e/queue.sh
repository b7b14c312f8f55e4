# The fair queue on a store: soonest SLA due first; within a due band
# (overdue, within the hour, within the day) cases of an away agent and
# unowned cases past half their clock first; `case due` counts by team.
source "$(dirname "$0")/helpers.bash"
DB="$WORK/q.db"
mkdir -p "$XDG_CONFIG_HOME/socq"
cat >"$XDG_CONFIG_HOME/socq/config.toml" <<'TOML'
[teams.service]
zone = "Europe/London"
hours = { daily = "07:00-20:00" }

[teams.billing]
zone = "Australia/Sydney"
hours = { mon-fri = "09:00-17:00" }
holidays = ["2026-12-25"]

[sla.p2]
first_response = "1h"
business_hours = true

[[away]]
name = "alice"
from = "2026-11-20T00:00:00Z"
until = "2026-11-30T00:00:00Z"
TOML

# mk ID TEAM OWNER FIRST_MESSAGE_AT FIRST_RESPONSE_DUE (now is 2026-11-23T09:00:00Z)
mk() {
  local team=null owner=null due=null
  [ "$2" = - ] || team="\"$2\""
  [ "$3" = - ] || owner="\"$3\""
  [ "$5" = - ] || due="\"$5\""
  printf '{"v":1,"id":"x:brand:%s","rev":1,"channel":"x","account":"brand","customer":{"id":"c%s","handle":"@c%s"},"messages":[{"id":"%s","dir":"in","at":"%s","author":"@c%s","text":"help %s","public":true}],"status":"open","priority":"p2","team":%s,"owner":%s,"sla":{"first_response_due":%s,"breached":[]},"updated_at":"%s"}\n' \
    "$1" "$1" "$1" "$1" "$4" "$1" "$1" "$team" "$owner" "$due" "$4"
}
{
  mk A service bob   2026-11-23T08:00:00Z 2026-11-23T08:30:00Z  # overdue 30m
  mk B service alice 2026-11-23T08:20:00Z 2026-11-23T08:50:00Z  # overdue 10m, owner away
  mk C billing -     2026-11-23T08:00:00Z 2026-11-23T09:20:00Z  # due in 20m, unowned past half
  mk D billing carol 2026-11-23T08:55:00Z 2026-11-23T09:10:00Z  # due in 10m
  mk E -       -     2026-11-23T08:59:00Z 2026-11-23T09:40:00Z  # due in 40m, unowned, not yet half
  mk F service -     2026-11-23T08:00:00Z 2026-11-23T15:00:00Z  # within the day
  mk G service alice 2026-11-23T08:30:00Z 2026-11-23T12:00:00Z  # within the day, owner away
  mk I service bob   2026-11-23T08:40:00Z 2026-11-24T12:00:00Z  # later
  mk H service alice 2026-11-23T08:45:00Z 2026-11-25T12:00:00Z  # later, owner away: plain due order
  mk J service bob   2026-11-23T08:50:00Z -                     # no clock
} >"$WORK/cases.jsonl"
expect_exit 0 "$SOCQ" fetch --from "$WORK/cases.jsonl" --store "$DB"
expect_exit 0 "$SOCQ" config check
expect_exit 0 "$SOCQ" config show
expect_out "# team billing: business hours, Australia/Sydney"
expect_out "# sla p2: first_response 1h, next_response -, resolution -, business hours"
expect_out "# away alice: 2026-11-20T00:00:00Z .. 2026-11-30T00:00:00Z"

order() { grep -o '"id":"x:brand:[A-Z]"' "$WORK/out" | sed 's/.*:\([A-Z]\)"/\1/' | tr -d '\n'; }
expect_exit 0 "$SOCQ" case list --store "$DB" --format jsonl
expect_eq "$(order)" "BACDEGFIHJ" "queue order"

# A limit still sees the whole band: B (away) just past a one-case page comes first.
expect_exit 0 "$SOCQ" case list --store "$DB" --format jsonl --limit 1
expect_eq "$(order)" "B" "limit 1"
expect_exit 0 "$SOCQ" case list --store "$DB" --format jsonl --limit 3
expect_eq "$(order)" "BAC" "limit 3"
expect_exit 0 "$SOCQ" case list --store "$DB" --format jsonl --team billing
expect_eq "$(order)" "CD" "team filter"

# The table: due in / overdue by, and the owner with why it needs a new one.
expect_exit 0 "$SOCQ" case list --store "$DB" --format table
expect_out "DUE IN"
expect_out "overdue by 10m"
expect_out "in 20m"
expect_out "alice (away)"
expect_out "- (unowned, past half)"
expect_eq "$(grep -c 'alice (away)' "$WORK/out")" "3" "three cases of the away agent"
expect_eq "$(grep 'x:brand:A ' "$WORK/out" | grep -c 'bob')" "1" "owner shown"

# The monitor: exit 4 and counts by team on stderr.
expect_exit 4 "$SOCQ" case due --within 30m --store "$DB" --format jsonl
expect_eq "$(order)" "BACD" "due within 30m"
expect_err "billing: 0 breached, 2 at risk"
expect_err "service: 2 breached, 0 at risk"
expect_exit 4 "$SOCQ" case due --within 1h --store "$DB" --format jsonl
expect_err "(no team): 0 breached, 1 at risk"
SOCQ_NOW=2026-11-20T00:00:00Z expect_exit 0 "$SOCQ" case due --within 30m --store "$DB" --format jsonl

# Once alice is back, her cases are ordinary again.
SOCQ_NOW=2026-11-30T00:00:00Z expect_exit 0 "$SOCQ" case list --store "$DB" --format table
expect_eq "$(grep -c 'alice (away)' "$WORK/out")" "0" "alice back"

# A bad calendar in the config is refused with file:line, exit 78.
cat >>"$XDG_CONFIG_HOME/socq/config.toml" <<'TOML'

[teams.night]
zone = "Europe/Lundon"
hours = "24/7"
TOML
expect_exit 78 "$SOCQ" case list --store "$DB"
expect_err "config.toml:20: teams.night.zone: unknown time zone \"Europe/Lundon\""
done_ok
