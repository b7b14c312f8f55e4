# The store under concurrency and crashes, with real processes.
source "$(dirname "$0")/helpers.bash"
: "${SOCQ_WRITER:?path to socq-store-writer}"
DB="$WORK/s.db"

# Two processes, 100 imports each of one new message for each of the same
# 10 cases: 1,000 messages each, all 2,000 present, both succeed.
/usr/bin/python3 - "$WORK" <<'PY'
import json, sys
work = sys.argv[1]
for p in "ab":
    for k in range(100):
        with open(f"{work}/{p}{k}.jsonl", "w") as f:
            for c in range(10):
                case = {"v": 1, "id": f"x:brand:{c}", "channel": "x", "account": "brand",
                        "customer": {"id": f"cust{c}"}, "status": "open",
                        "messages": [{"id": f"{p}-{k}-{c}", "dir": "in",
                                      "at": f"2026-11-20T{k // 60:02d}:{k % 60:02d}:{c:02d}Z", "text": f"{p} {k}"}]}
                f.write(json.dumps(case) + "\n")
PY
writer() { for k in $(seq 0 99); do "$SOCQ" -q fetch --from "$WORK/$1$k.jsonl" --store "$DB" || return 1; done; }
writer a & pa=$!
writer b & pb=$!
ra=0; rb=0
wait "$pa" || ra=$?
wait "$pb" || rb=$?
expect_eq "$ra $rb" "0 0" "both writers' exit codes"
expect_eq "$(sqlite3 "$DB" "SELECT count(*) FROM cases")" 10 "cases"
expect_eq "$(sqlite3 "$DB" "SELECT count(*) FROM messages")" 2000 "messages indexed"
"$SOCQ" case list --store "$DB" >"$WORK/all.jsonl"
expect_eq "$(/usr/bin/python3 -c '
import json,sys; print(sum(len(json.loads(l)["messages"]) for l in open(sys.argv[1])))' "$WORK/all.jsonl")" 2000 "messages in cases"

# Two rev-checked edits from the same read: exactly one wins, the other exits 3.
for round in 1 2 3 4 5; do
  rev=$(sqlite3 "$DB" "SELECT rev FROM cases WHERE id = 'x:brand:3'")
  "$SOCQ" -q case assign x:brand:3 "ana$round" --if-rev "$rev" --store "$DB" 2>"$WORK/edit1.err" & p1=$!
  "$SOCQ" -q case assign x:brand:3 "bo$round" --if-rev "$rev" --store "$DB" 2>"$WORK/loser.err" & p2=$!
  r1=0; r2=0
  wait "$p1" || r1=$?
  wait "$p2" || r2=$?
  expect_eq "$(printf '%s\n' "$r1" "$r2" | sort | tr '\n' ' ')" "0 3 " "exit codes of two edits from rev $rev"
  expect_eq "$(sqlite3 "$DB" "SELECT rev FROM cases WHERE id = 'x:brand:3'")" "$((rev + 1))" "rev after one edit"
done

# A writer killed at 20 random points: the store stays sound and holds
# every case the writer reported committed.
CDB="$WORK/crash.db"
start=0
for round in $(seq 1 20); do
  "$SOCQ_WRITER" "$CDB" "$start" 100000 >"$WORK/committed.$round" 2>/dev/null &
  pid=$!
  sleep "0.$(( (RANDOM % 25) + 5 ))"
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  expect_eq "$(sqlite3 "$CDB" "PRAGMA integrity_check")" "ok" "integrity after kill $round"
  n=$(wc -l <"$WORK/committed.$round")
  if [ "$n" -gt 0 ]; then
    sqlite3 "$CDB" "SELECT id FROM cases" | sort >"$WORK/stored"
    missing=$(sort "$WORK/committed.$round" | comm -23 - "$WORK/stored" | wc -l)
    expect_eq "$missing" 0 "committed cases missing after kill $round"
  fi
  start=$((start + 100000))
done
expect_exit 0 "$SOCQ" case list --store "$CDB"
expect_eq "$(wc -l <"$WORK/out")" "$(sqlite3 "$CDB" "SELECT count(*) FROM cases")" "cases readable after the crashes"

# A first import into a new store (rollback journal, indexes rebuilt at the
# end) killed part-way: the store holds all of the file or none of it.
"$SOCQ_GEN" 20000 >"$WORK/many.jsonl"
FDB="$WORK/first.db"
for round in 1 2 3 4; do
  rm -f "$FDB" "$FDB"-*
  "$SOCQ" -q fetch --from "$WORK/many.jsonl" --store "$FDB" &
  pid=$!
  sleep "0.$(( (RANDOM % 6) + 2 ))"
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  [ -s "$FDB" ] || continue  # killed before the store was created
  expect_eq "$(sqlite3 "$FDB" "PRAGMA integrity_check")" "ok" "integrity after killing a first import ($round)"
  n=$(sqlite3 "$FDB" "SELECT count(*) FROM cases" 2>/dev/null || echo 0)
  [ "$n" = 0 ] || [ "$n" = 20000 ] || fail "a first import killed part-way left $n of 20000 cases"
  pass
done
expect_exit 0 "$SOCQ" -q fetch --from "$WORK/many.jsonl" --store "$FDB"
expect_eq "$(sqlite3 "$FDB" "SELECT count(*) FROM cases")" 20000 "cases after importing again"
expect_eq "$(sqlite3 "$FDB" "PRAGMA journal_mode")" "wal" "journal mode after a first import"
expect_exit 0 "$SOCQ" case list --store "$FDB" --format jsonl
cmp -s <(sort "$WORK/out") <(sort "$WORK/many.jsonl") || fail "a first import does not read back as the file"
pass
done_ok
