# socq case show / assign / resolve on the store, with rev checks.
source "$(dirname "$0")/helpers.bash"
EX="$SRC/examples/cases.jsonl"
DB="$WORK/s.db"
expect_exit 0 "$SOCQ" fetch --from "$EX" --store "$DB"
id=x:BrightEnergyHelp:1859000000000018031

expect_exit 0 "$SOCQ" case show "$id" --store "$DB" --format table
expect_out "my account number is"
expect_out "Messages"
expect_exit 0 "$SOCQ" case show x:NorthRailHelp:1859000000000005008 --store "$DB" --format table
expect_out "next due  2026-11-20T18:55:40Z (overdue by 2d 14h)"
expect_exit 65 "$SOCQ" case show x:nope:1 --store "$DB"
expect_err "no case x:nope:1"

# CSV for spreadsheets: a header and one record a case, readable by Python's csv.
expect_exit 0 "$SOCQ" case list --store "$DB" --format csv --channel facebook
expect_eq "$(head -1 "$WORK/out" | tr -d '\r')" "id,channel,account,status,priority,category,team,owner,customer,messages,first_at,last_at,next_due,updated_at" "CSV header"
expect_eq "$(/usr/bin/python3 -c 'import csv,sys; r=list(csv.DictReader(open(sys.argv[1], newline=""))); print(len(r), r[0]["channel"])' "$WORK/out")" "6 facebook" "CSV rows"

expect_exit 0 "$SOCQ" case assign "$id" ola --team billing --store "$DB"
expect_err "assigned to ola (team billing) (rev 2)"
expect_exit 0 "$SOCQ" case show "$id" --store "$DB"
expect_out '"owner":"ola"'
expect_out '"status":"open"'
expect_out '"by":"tester"'
expect_out '"updated_at":"2026-11-23T09:00:00Z"'

# Two edits from the same read (rev 2): exactly one wins.
expect_exit 0 "$SOCQ" case assign "$id" kim --if-rev 2 --store "$DB"
expect_exit 3 "$SOCQ" case resolve "$id" --reason answered --if-rev 2 --store "$DB"
expect_err "changed since it was read (rev 2, now rev 3); last change: assigned to kim (by tester"
expect_exit 0 "$SOCQ" case resolve "$id" --reason answered --note "refund sent" --store "$DB"
expect_exit 0 "$SOCQ" case show "$id" --store "$DB"
expect_out '"resolution":{"reason":"answered","at":"2026-11-23T09:00:00Z","by":"tester"}'
expect_out 'status open -> resolved: refund sent'
# A closed case cannot be resolved again.
expect_exit 65 "$SOCQ" case resolve x:NorthRailHelp:1859000000000013023 --reason answered --store "$DB"
expect_err "cannot move from closed to resolved"
done_ok
