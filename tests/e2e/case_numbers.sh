# Short case numbers (#42) people type, and agents marked away with
# `socq case away`: stored in the store, merged with the config's [[away]]
# by triage (no new cases from rules) and by the queue (needs a new owner).
source "$(dirname "$0")/helpers.bash"
DB="$WORK/n.db"
export SOCQ_STORE="$DB"

mk() {  # mk KEY OWNER TEXT
  local owner=null
  [ "$2" = - ] || owner="\"$2\""
  printf '{"v":1,"id":"x:brand:%s","rev":1,"channel":"x","account":"brand","customer":{"id":"c%s","handle":"@c%s"},"messages":[{"id":"%s","dir":"in","at":"2026-11-23T08:00:00Z","author":"@c%s","text":"%s","public":true}],"status":"open","priority":"p2","owner":%s,"sla":{"first_response_due":"2026-11-23T10:00:00Z","breached":[]},"updated_at":"2026-11-23T08:00:00Z"}\n' \
    "$1" "$1" "$1" "$1" "$1" "$3" "$owner"
}
{ mk zz bob "first in"; mk aa alice "second in"; mk mm - "refund please"; } >"$WORK/cases.jsonl"
expect_exit 0 "$SOCQ" fetch --from "$WORK/cases.jsonl" --store "$DB"

# Numbered in the order of creation, shown first in the table.
expect_exit 0 "$SOCQ" case list --format table
head -1 "$WORK/out" | grep -q '^# ' || fail "the table does not start with the # column"; pass
grep -q '^1 .*x:brand:zz' "$WORK/out" || fail "zz is not #1"; pass
grep -q '^2 .*x:brand:aa' "$WORK/out" || fail "aa is not #2"; pass
# Anywhere an id is taken: 2, #2 or the full id.
expect_exit 0 "$SOCQ" case show 2 --format jsonl
expect_eq "$(jq -r .id "$WORK/out")" "x:brand:aa" "case show 2"
expect_eq "$(jq 'has("number")' "$WORK/out")" "false" "no number in the JSON"
expect_exit 0 "$SOCQ" case show '#3' --format table
head -1 "$WORK/out" | grep -qF '#3  x:brand:mm' || fail "case show header lacks #3"; pass
expect_exit 0 "$SOCQ" case assign 3 carol --note "typed by number"
expect_err "case x:brand:mm: assigned to carol"
expect_exit 65 "$SOCQ" case show 99
expect_err "no case 99"
# Stable across a re-import that changes a case; a new case gets the next number.
{ mk zz bob "first in"; mk nn - "new one"; } >"$WORK/more.jsonl"
expect_exit 0 "$SOCQ" fetch --from "$WORK/more.jsonl" --store "$DB"
expect_exit 0 "$SOCQ" case show 1 --format jsonl
expect_eq "$(jq -r .id "$WORK/out")" "x:brand:zz" "#1 after a re-import"
expect_exit 0 "$SOCQ" case show 4 --format jsonl
expect_eq "$(jq -r .id "$WORK/out")" "x:brand:nn" "#4 is the new case"
# report --explain names cases by number too.
expect_exit 0 "$SOCQ" report --explain backlog
grep -qE '^2 +x:brand:aa ' "$WORK/out" || fail "report --explain lacks #2"; pass
# Files hold no numbers: "-".
expect_exit 0 "$SOCQ" case list "$WORK/cases.jsonl" --format table
grep -q '^- .*x:brand:zz' "$WORK/out" || fail "a case from a file shows a number"; pass

# socq case away: bad input is a usage error and changes nothing.
expect_exit 2 "$SOCQ" case away bob
expect_err "wants --until"
expect_exit 2 "$SOCQ" case away bob --until yesterday
expect_err "--until wants an RFC 3339 UTC time"
expect_exit 2 "$SOCQ" case away bob --from 2026-11-25 --until 2026-11-24
expect_err "must be after --from"
expect_exit 2 "$SOCQ" case away --list --clear bob
expect_exit 0 "$SOCQ" case away --list
expect_err "nobody is marked away"

# bob goes away: his open case needs a new owner and comes first in the queue.
expect_exit 0 "$SOCQ" case list --format jsonl
first_before=$(head -1 "$WORK/out" | jq -r .id)
expect_exit 0 "$SOCQ" case away bob --from 2026-11-23 --until 2026-11-30
expect_err "bob away from 2026-11-23T00:00:00Z until 2026-11-30T00:00:00Z"
expect_exit 0 "$SOCQ" case away --list
expect_out "2026-11-30T00:00:00Z"
grep -q '^bob .*away.*store' "$WORK/out" || fail "--list lacks bob away from the store"; pass
expect_exit 0 "$SOCQ" case list --format table
grep -q 'x:brand:zz.*bob (away)' "$WORK/out" || fail "bob's case is not marked as needing a new owner"; pass
expect_exit 0 "$SOCQ" case list --format jsonl --owner bob
expect_eq "$(jq -r .id "$WORK/out")" "x:brand:zz" "bob's case listed"

# Rules give bob no new case while he is away; after --clear they do.
cat >"$WORK/rules.toml" <<'TOML'
[[rules]]
name = "refunds-to-bob"
when = { keywords = ["refund", "new one"] }
then = { owner = "bob" }
TOML
{ mk rr - "refund again"; } >"$WORK/new.jsonl"
expect_exit 0 "$SOCQ" fetch --from "$WORK/new.jsonl" --store "$DB"
expect_exit 0 "$SOCQ" triage --rules "$WORK/rules.toml"
expect_exit 0 "$SOCQ" case show x:brand:rr --format jsonl
expect_eq "$(jq -r '.owner // "none"' "$WORK/out")" "none" "no new case for bob while away"
expect_exit 0 "$SOCQ" triage --rules "$WORK/rules.toml" --explain 5
expect_out "bob is away"
expect_exit 0 "$SOCQ" case away --clear bob
expect_err "bob: 1 away mark cleared"
expect_exit 0 "$SOCQ" case away --clear bob
expect_err "bob: 0 away marks cleared"
expect_exit 0 "$SOCQ" triage --rules "$WORK/rules.toml" --explain x:brand:rr
expect_out "bob"
expect_exit 0 "$SOCQ" case list --format table
grep -q 'x:brand:zz.*bob (away)' "$WORK/out" && fail "bob is still away in the queue"; pass
[ -n "$first_before" ] || fail "no queue before"; pass
done_ok
