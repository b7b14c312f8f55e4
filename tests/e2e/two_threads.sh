#!/usr/bin/env bash
# Triage, report and the pass-through split big blocks between two threads:
# their output must be exactly what one thread makes (SOCQ_THREADS=1), bad
# lines in either half must be named by their own line, and nothing after a
# bad line may be written.
source "$(dirname "$0")/helpers.bash"
: "${SOCQ_GEN:?path to socq-gen-cases}"
"$SOCQ_GEN" 12000 >"$WORK/cases.jsonl"  # about 12 MB: three blocks, each split
rules="$SRC/examples/rules.toml"

one() { SOCQ_THREADS=1 "$SOCQ" "$@"; }
for args in "triage -q --rules $rules $WORK/cases.jsonl" "report -q $WORK/cases.jsonl --format json" \
            "report -q $WORK/cases.jsonl --by account --format csv" "report -q $WORK/cases.jsonl --by day --format md" \
            "fetch -q --from $WORK/cases.jsonl"; do
  # shellcheck disable=SC2086
  one $args >"$WORK/one" || fail "one thread: $args"
  # shellcheck disable=SC2086
  "$SOCQ" $args >"$WORK/two" || fail "two threads: $args"
  [ -s "$WORK/one" ] || fail "no output: $args"
  cmp -s "$WORK/one" "$WORK/two" || fail "two threads differ from one: $args"
  pass
done
cmp -s "$WORK/two" "$WORK/cases.jsonl" || fail "fetch's output should be the file as read"; pass

# The store's report: rows read in rounds, decoded and parsed on two threads.
"$SOCQ" fetch -q --from "$WORK/cases.jsonl" --store "$WORK/s.db"
"$SOCQ" report -q "$WORK/cases.jsonl" --by week --format json >"$WORK/file.json"
SOCQ_THREADS=1 "$SOCQ" report -q --store "$WORK/s.db" --by week --format json >"$WORK/one"
"$SOCQ" report -q --store "$WORK/s.db" --by week --format json >"$WORK/two"
cmp -s "$WORK/one" "$WORK/two" || fail "the store report on two threads differs from one"; pass
cmp -s "$WORK/file.json" "$WORK/two" || fail "the store report differs from the file report"; pass

# A bad line in the second half of the first block (line 3000 of ~4000).
awk 'NR == 3000 { print "{\"v\":1,\"id\":\"broken\"}"; next } { print }' "$WORK/cases.jsonl" >"$WORK/bad.jsonl"
for cmd in "triage -q --rules $rules" "fetch -q --from"; do
  # shellcheck disable=SC2086
  expect_exit 65 "$SOCQ" $cmd "$WORK/bad.jsonl"
  expect_err "bad.jsonl:3000:"
  [ "$(wc -l <"$WORK/out")" -eq 2999 ] || fail "$cmd wrote $(wc -l <"$WORK/out") lines, want the 2999 before the bad one"
  pass
done
expect_exit 65 "$SOCQ" report -q "$WORK/bad.jsonl"
expect_err "bad.jsonl:3000:"
# skip_bad on the pass-through: counted, the rest written.
expect_exit 0 "$SOCQ" fetch --skip-bad --from "$WORK/bad.jsonl"
[ "$(wc -l <"$WORK/out")" -eq 11999 ] || fail "--skip-bad lost more than the bad line"; pass

# case list --format jsonl copies each stored case out (read from SQLite on
# one thread, decompressed on another, in batches of about 1 MB): every case
# of the 12 MB store comes back as the line imported.
"$SOCQ" case list --store "$WORK/s.db" --format jsonl | sort >"$WORK/listed"
sort "$WORK/cases.jsonl" | cmp -s - "$WORK/listed" || fail "case list --format jsonl differs from the imported lines"; pass

# The store import: a bad line deep in a big file stops it
# with its line named and the store as it was; --skip-bad skips just that
# line.
"$SOCQ" fetch -q --from "$SRC/examples/cases.jsonl" --store "$WORK/small.db"
"$SOCQ" case list --store "$WORK/small.db" --format jsonl >"$WORK/before"
expect_exit 65 "$SOCQ" fetch -q --from "$WORK/bad.jsonl" --store "$WORK/small.db"
expect_err "bad.jsonl:3000:"
"$SOCQ" case list --store "$WORK/small.db" --format jsonl >"$WORK/after"
cmp -s "$WORK/before" "$WORK/after" || fail "a bad line changed the store"; pass
expect_exit 0 "$SOCQ" fetch -q --skip-bad --from "$WORK/bad.jsonl" --store "$WORK/small.db"
"$SOCQ" case list --store "$WORK/small.db" --format jsonl >"$WORK/after"
[ "$(wc -l <"$WORK/after")" -eq $(($(wc -l <"$WORK/before") + 11999)) ] || fail "--skip-bad into the store lost more than the bad line"; pass
done_ok
