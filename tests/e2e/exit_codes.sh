# Each exit code of `socq help exit-codes` comes from the situation it names.
source "$(dirname "$0")/helpers.bash"
EX="$SRC/examples/cases.jsonl"
DB="$WORK/s.db"
"$SOCQ" fetch -q --from "$EX" --store "$DB"

expect_exit 0 "$SOCQ" case list --store "$DB"
# 2: CLI11 parse errors (CLI11 itself would exit 100-114)
expect_exit 2 "$SOCQ" case list --no-such-flag
expect_exit 2 "$SOCQ" case list --limit many
expect_exit 2 "$SOCQ" case list --status opne
expect_exit 2 "$SOCQ" case assign
expect_exit 2 "$SOCQ" nosuchcommand
# 3: a write conflict
expect_exit 3 "$SOCQ" case assign x:NorthRailHelp:1859000000000006011 kim --if-rev 0 --store "$DB"
expect_err "changed since it was read"
# 4: monitoring: a case will breach its SLA soon (first response due 08:11 that day)
SOCQ_NOW=2026-11-16T07:50:00Z expect_exit 4 "$SOCQ" case due --within 30m --store "$DB"
expect_out '"id":"mastodon:northrail@transit.social:113500000000001001"'
SOCQ_NOW=2026-11-01T07:50:00Z expect_exit 0 "$SOCQ" case due --within 30m --store "$DB"
expect_exit 2 "$SOCQ" case due --within soon --store "$DB"
# 65: bad data
printf '{"v":1}\n' >"$WORK/bad.jsonl"
expect_exit 65 "$SOCQ" fetch --from "$WORK/bad.jsonl"
expect_err "$WORK/bad.jsonl:1: id: missing"
# 66: missing input
expect_exit 66 "$SOCQ" fetch --from "$WORK/none.jsonl"
expect_exit 66 "$SOCQ" case list --store "$WORK/none.db"
# 69: not built yet (every command is; a platform is not: reddit)
printf '[accounts.r]\nchannel = "reddit"\nbase_url = "http://127.0.0.1:9"\ntoken_env = "R_TOKEN"\n' >"$WORK/reddit.toml"
R_TOKEN=x expect_exit 69 "$SOCQ" --config "$WORK/reddit.toml" fetch --store "$WORK/reddit.db"
expect_err "not implemented yet"
# 74: a write error (stdout is a full disk)
if [ -w /dev/full ]; then
  got=0; "$SOCQ" fetch --from "$EX" >/dev/full 2>"$WORK/err" || got=$?
  expect_eq "$got" 74 "exit code writing to /dev/full"
  expect_err "write error"
fi
# 75: the store is locked by another writer beyond the busy timeout
( echo "BEGIN IMMEDIATE;"; sleep 3; echo "ROLLBACK;" ) | sqlite3 "$DB" &
holder=$!
sleep 0.5
SOCQ_BUSY_TIMEOUT_MS=200 expect_exit 75 "$SOCQ" fetch --from "$EX" --store "$DB"
expect_err "locked"
wait "$holder"
# 77: credentials: a token file others can read
printf 'tok\n' >"$WORK/t"; chmod 644 "$WORK/t"
printf '[accounts.a]\nchannel = "x"\nhandle = "a"\ntoken_file = "%s"\n' "$WORK/t" >"$WORK/c.toml"
expect_exit 77 "$SOCQ" config check --config "$WORK/c.toml"
# 78: bad config, and a store file socq must not touch
printf 'nonsense = 1\n' >"$WORK/c.toml"
expect_exit 78 "$SOCQ" config check --config "$WORK/c.toml"
echo "not a database" >"$WORK/other.db"
expect_exit 78 "$SOCQ" case list --store "$WORK/other.db"
# Every code the table lists is documented in the man page too.
"$SOCQ" help exit-codes | awk 'NR>1 {print $1}' >"$WORK/codes"
while read -r code; do grep -qx "\.B $code" "$SRC/man/socq.1" || fail "exit $code not in man/socq.1"; done <"$WORK/codes"
pass
done_ok
