# docs/case.schema.json agrees with socq: the examples and everything socq
# writes validate; every line of the invalid fixture is refused by both.
source "$(dirname "$0")/helpers.bash"
EX="$SRC/examples/cases.jsonl"
validate() { /usr/bin/python3 "$SRC/tests/validate_schema.py" "$SRC/docs/case.schema.json" "$@"; }

validate "$EX" >"$WORK/v.out" || { cat "$WORK/v.out"; fail "examples do not validate"; }
pass

# Cases socq rewrote (merges, edits, a follow-up case) validate too.
DB="$WORK/s.db"
expect_exit 0 "$SOCQ" fetch --from "$EX" --store "$DB"
python3 - "$EX" >"$WORK/more.jsonl" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    c = json.loads(line)
    c["messages"].append({"id": c["messages"][-1]["id"] + "-more", "dir": "in", "at": "2026-11-23T08:00:00Z", "text": "Hello again"})
    print(json.dumps(c))
PY
expect_exit 0 "$SOCQ" fetch --from "$WORK/more.jsonl" --store "$DB"
expect_exit 0 "$SOCQ" case assign x:NorthRailHelp:1859000000000006011 sam --store "$DB"
expect_exit 0 "$SOCQ" case list --store "$DB"
grep -q '"id":"x:NorthRailHelp:1859000000000013023#2"' "$WORK/out" || fail "no follow-up case for the closed one"
pass
cp "$WORK/out" "$WORK/rewritten.jsonl"
validate "$WORK/rewritten.jsonl" >"$WORK/v.out" || { cat "$WORK/v.out"; fail "socq's output does not validate"; }
pass

# The invalid fixture: the schema rejects each line, and so does socq.
validate "$SRC/tests/fixtures/invalid_cases.jsonl" >"$WORK/v.out" || { cat "$WORK/v.out"; fail "schema accepts an invalid case"; }
pass
n=0
while IFS= read -r line; do
  n=$((n + 1))
  printf '%s\n' "$line" >"$WORK/one.jsonl"
  expect_exit 65 "$SOCQ" fetch --from "$WORK/one.jsonl"
done <"$SRC/tests/fixtures/invalid_cases.jsonl"
[ "$n" -ge 10 ] || fail "invalid fixture too small"
done_ok
