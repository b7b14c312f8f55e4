# socq fetch --from FILE.jsonl: to stdout in a pipe, to the store with --store.
source "$(dirname "$0")/helpers.bash"
EX="$SRC/examples/cases.jsonl"
n_ex=$(grep -c . "$EX")

# A pipe: every case, byte for byte.
expect_exit 0 "$SOCQ" fetch --from "$EX"
cmp -s "$WORK/out" "$EX" || fail "pipe output differs from input"; pass
cat "$EX" | "$SOCQ" fetch --from - | cmp -s - "$EX" || fail "stdin pipe differs"; pass

# Into the store, then out again: same cases, same bytes.
DB="$WORK/s.db"
expect_exit 0 "$SOCQ" fetch --from "$EX" --store "$DB" -v
expect_err "fetch: $n_ex cases: $n_ex created, 0 updated, 0 unchanged"
expect_exit 0 "$SOCQ" case list --store "$DB"
expect_eq "$(wc -l <"$WORK/out")" "$n_ex" "cases listed"
diff <(sort "$WORK/out") <(sort "$EX") >/dev/null || fail "store round trip changed cases"; pass
sqlite3 "$DB" "SELECT id || ' ' || rev FROM cases ORDER BY id" >"$WORK/revs1"

# Importing again changes nothing.
expect_exit 0 "$SOCQ" fetch --from "$EX" --store "$DB" -v
expect_err "0 created, 0 updated, $n_ex unchanged"
sqlite3 "$DB" "SELECT id || ' ' || rev FROM cases ORDER BY id" >"$WORK/revs2"
cmp -s "$WORK/revs1" "$WORK/revs2" || fail "re-import changed revs"; pass

# An overlapping file with a new customer message merges and reopens.
python3 - "$EX" >"$WORK/more.jsonl" <<'PY'
import json, sys
c = json.loads(open(sys.argv[1]).readline())
c["messages"].append({"id": "999", "dir": "in", "at": "2026-11-23T08:00:00Z", "author": "@ann@example.org", "text": "Any news?"})
print(json.dumps(c))
PY
expect_exit 0 "$SOCQ" fetch --from "$WORK/more.jsonl" --store "$DB" -v
expect_err "0 created, 1 updated, 0 unchanged"
id=$(head -1 "$EX" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
expect_exit 0 "$SOCQ" case show "$id" --store "$DB"
expect_out '"rev":2'
expect_out '"Any news?"'
expect_out '"merged 1 new message"'

# A bad line: exit 65, file:line: field, and nothing reaches the store.
before=$(sqlite3 "$DB" "SELECT count(*), sum(rev) FROM cases")
{ cat "$EX"; sed -n 2p "$EX" | sed 's/"dir":"in"/"dir":"sideways"/; s/"id":"x:NorthRailHelp:/"id":"x:NorthRailHelp:new/'; } >"$WORK/bad.jsonl"
sed -i '1s/"id":"mastodon:northrail@transit.social:/"id":"mastodon:northrail@transit.social:fresh/' "$WORK/bad.jsonl"
expect_exit 65 "$SOCQ" fetch --from "$WORK/bad.jsonl" --store "$DB"
expect_err "$WORK/bad.jsonl:$((n_ex + 1)): messages[0].dir: must be \"in\" or \"out\""
expect_eq "$(sqlite3 "$DB" "SELECT count(*), sum(rev) FROM cases")" "$before" "store after a bad import"

# --skip-bad imports the rest and says what it skipped.
expect_exit 0 "$SOCQ" fetch --from "$WORK/bad.jsonl" --skip-bad
expect_eq "$(wc -l <"$WORK/out")" "$n_ex" "cases after skipping"
expect_err "skipped 1 bad record (first: $WORK/bad.jsonl:$((n_ex + 1)):"

# Missing input, a file that is not a store.
expect_exit 66 "$SOCQ" fetch --from "$WORK/nope.jsonl"
expect_err "nope.jsonl"
echo "my notes" >"$WORK/notes.db"
expect_exit 78 "$SOCQ" fetch --from "$EX" --store "$WORK/notes.db"
expect_err "not a socq store"
expect_eq "$(cat "$WORK/notes.db")" "my notes" "foreign file untouched"

# The store location: SOCQ_STORE, then XDG_DATA_HOME.
SOCQ_STORE="$WORK/env.db" expect_exit 0 "$SOCQ" fetch --from "$EX" --store "$WORK/env.db"
SOCQ_STORE="$WORK/env.db" expect_exit 0 "$SOCQ" case list --status new
expect_eq "$(wc -l <"$WORK/out")" "$(grep -c '"status":"new"' "$EX")" "new cases via SOCQ_STORE"
expect_exit 0 "$SOCQ" fetch --from "$EX" --store "$XDG_DATA_HOME/socq/socq.db"
expect_exit 0 "$SOCQ" case list --channel bluesky
expect_eq "$(wc -l <"$WORK/out")" "$(grep -c '"channel":"bluesky"' "$EX")" "bluesky cases in the default store"
done_ok
