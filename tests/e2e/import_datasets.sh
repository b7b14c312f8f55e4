# socq fetch on the real public data sets (../shared/datasets): exact
# counts, checked against an independent Python rebuild; idempotence;
# overlapping files merge; a mapped CSV export.
source "$(dirname "$0")/helpers.bash"
DATA="$SRC/../shared/datasets"
if [ ! -d "$DATA/twcs-head" ]; then
  echo "import_datasets.sh: skipped: $DATA is missing (the shared data sets sit beside the repo)"
  exit 77
fi
TWCS="$DATA/twcs-head/twcs.csv"
IBM_DEV="$DATA/ibm-customer-care/dev.json" IBM_TEST="$DATA/ibm-customer-care/test.json"

# case id and its sorted message ids, one case a line
ids_of() { /usr/bin/python3 -c '
import json, sys
for line in sys.stdin:
    c = json.loads(line)
    print(c["id"], " ".join(sorted((m["id"] for m in c["messages"]), key=int)))' | sort; }

# TWCS into a pipe: 5,000 messages, each once, in 1,489 cases, as the Python rebuild finds.
expect_exit 0 "$SOCQ" fetch --from "$TWCS"
expect_err "5000 rows read, 5000 messages in 1489 cases, 6 replies whose parent is not in the file"
expect_eq "$(wc -l <"$WORK/out")" 1489 "TWCS cases"
ids_of <"$WORK/out" >"$WORK/twcs.socq"
/usr/bin/python3 "$SRC/tests/crosscheck_twcs.py" "$TWCS" | sort >"$WORK/twcs.py"
diff "$WORK/twcs.py" "$WORK/twcs.socq" >/dev/null || fail "TWCS cases differ from the independent rebuild"
pass
expect_eq "$(tr ' ' '\n' <"$WORK/twcs.socq" | grep -v : | sort | uniq | wc -l)" 5000 "distinct messages"
expect_eq "$(tr ' ' '\n' <"$WORK/twcs.socq" | grep -vc :)" 5000 "messages placed"
expect_eq "$(grep -c '"dir":"in"' "$WORK/out" >/dev/null; /usr/bin/python3 -c '
import json,sys; print(sum(m["dir"]=="in" for l in open(sys.argv[1]) for m in json.loads(l)["messages"]))' "$WORK/out")" 2778 "inbound"
/usr/bin/python3 "$SRC/tests/validate_schema.py" "$SRC/docs/case.schema.json" "$WORK/out" >/dev/null || fail "TWCS cases break the schema"
pass

# The sprintcare thread of tweets 1-8, by hand.
grep '"id":"x:sprintcare:8"' "$WORK/out" >"$WORK/sprint.json" || fail "no case x:sprintcare:8"
expect_eq "$(/usr/bin/python3 -c '
import json,sys; c=json.load(open(sys.argv[1]))
print(c["account"], c["customer"]["id"], c["status"], " ".join(m["id"]+m["dir"] for m in c["messages"]), c["messages"][0]["at"], c["messages"][5]["reply_to"])' "$WORK/sprint.json")" \
  "sprintcare 115712 open 8in 6out 5in 4out 3in 1out 2in 2017-10-31T21:45:10Z 3" "sprintcare thread"

# A public thread with a second customer (tweets 40-49): one case each.
by_id() { /usr/bin/python3 -c '
import json, sys
for line in open(sys.argv[1]):
    c = json.loads(line)
    if c["id"] == sys.argv[2]:
        print(c["customer"]["id"], c["status"], " ".join(m["id"] + m["dir"] for m in c["messages"]))' "$@"; }
expect_eq "$(by_id "$WORK/out" x:VerizonSupport:49)" "115721 pending_customer 49in 47in 42in 40out 41in 43out 44in 45out" "Verizon thread"
expect_eq "$(by_id "$WORK/out" x:VerizonSupport:49+115722)" "115722 new 48in 46in" "the second customer in the Verizon thread"
# Tweet 3399's bare carriage returns stay in its text.
grep -qF '"id":"3399","dir":"in","at":"2017-10-31T18:13:06Z","author":"@116510","text":"@AskPayPal \r\rI just love' "$WORK/out" || fail "tweet 3399"
pass

# Into a store, twice: the second import changes nothing.
DB="$WORK/twcs.db"
expect_exit 0 "$SOCQ" fetch --from "$TWCS" --store "$DB"
expect_err "1489 created, 0 updated, 0 unchanged"
sqlite3 "$DB" "SELECT id || ' ' || rev FROM cases ORDER BY id" >"$WORK/revs1"
expect_exit 0 "$SOCQ" fetch --from "$TWCS" --store "$DB"
expect_err "0 created, 0 updated, 1489 unchanged"
sqlite3 "$DB" "SELECT id || ' ' || rev FROM cases ORDER BY id" >"$WORK/revs2"
cmp -s "$WORK/revs1" "$WORK/revs2" || fail "re-import changed revs"
pass

# Two overlapping halves, the later half first: every message once, 5,000 in all.
head -1 "$TWCS" >"$WORK/a.csv"; head -1 "$TWCS" >"$WORK/b.csv"
/usr/bin/python3 - "$TWCS" "$WORK/a.csv" "$WORK/b.csv" <<'PY'
import sys
lines = open(sys.argv[1], "rb").read().split(b"\n")[1:]
lines = [l for l in lines if l]
open(sys.argv[2], "ab").write(b"\n".join(lines[:3000]) + b"\n")
open(sys.argv[3], "ab").write(b"\n".join(lines[2000:]) + b"\n")
PY
DB2="$WORK/halves.db"
expect_exit 0 "$SOCQ" fetch --from "$WORK/b.csv" --store "$DB2"
expect_exit 0 "$SOCQ" fetch --from "$WORK/a.csv" --store "$DB2"
expect_exit 0 "$SOCQ" case list --store "$DB2"
ids_of <"$WORK/out" >"$WORK/halves.socq"
expect_eq "$(tr ' ' '\n' <"$WORK/halves.socq" | grep -vc :)" 5000 "messages after overlapping imports"
expect_eq "$(tr ' ' '\n' <"$WORK/halves.socq" | grep -v : | sort -u | wc -l)" 5000 "distinct messages after overlapping imports"

# IBM customer care: 1,025 conversations, 2,343 distinct turns, as the Python rebuild finds.
expect_exit 0 "$SOCQ" fetch --from "$IBM_DEV" --from "$IBM_TEST"
expect_err "dev.json: 525 conversations read, 1205 messages in 542 cases, 6 messages repeated (kept once)"
expect_err "test.json: 500 conversations read, 1138 messages in 512 cases, 1 message repeated (kept once)"
ids_of <"$WORK/out" >"$WORK/ibm.socq"
{ /usr/bin/python3 "$SRC/tests/crosscheck_ibm.py" "$IBM_DEV"; /usr/bin/python3 "$SRC/tests/crosscheck_ibm.py" "$IBM_TEST"; } | sort >"$WORK/ibm.py"
diff "$WORK/ibm.py" "$WORK/ibm.socq" >/dev/null || fail "IBM cases differ from the independent rebuild"
pass
# Customer turns (client, client1) and agent turns, each counted once: 1,207 in, 1,136 out.
expect_eq "$(/usr/bin/python3 -c '
import json, sys
dirs = [m["dir"] for l in open(sys.argv[1]) for m in json.loads(l)["messages"]]
print(dirs.count("in"), dirs.count("out"))' "$WORK/out")" "1207 1136" "IBM customer and agent turns"
expect_eq "$(by_id "$WORK/out" x:TeamYouTube:1245403438755852288)" "CinVakas pending_customer 1245403438755852288in 1245425308704149506out" "IBM conversation 1"
# The final agent turn's time comes from its tweet id.
expect_out '"id":"1245425308704149506","dir":"out","at":"2020-04-01T18:58:27.135Z","author":"@TeamYouTube"'
# Every format reads from stdin when named.
/usr/bin/python3 -c 'import sys; sys.stdout.write(open(sys.argv[1]).read())' "$IBM_DEV" |
  "$SOCQ" fetch --from - --format ibm-cc >"$WORK/stdin.out" 2>"$WORK/stdin.err" || fail "ibm-cc from stdin"
grep -qF "<stdin>: 525 conversations read, 1205 messages in 542 cases" "$WORK/stdin.err" || fail "ibm-cc stdin summary"
pass
"$SOCQ" fetch --from - --format twcs <"$TWCS" 2>"$WORK/stdin.err" | wc -l >"$WORK/n"
expect_eq "$(cat "$WORK/n")" 1489 "TWCS from stdin"
DB3="$WORK/ibm.db"
expect_exit 0 "$SOCQ" fetch --from "$IBM_DEV" --from "$IBM_TEST" --store "$DB3"
expect_err "1054 created, 0 updated, 0 unchanged"
expect_eq "$(sqlite3 "$DB3" "SELECT count(*) FROM messages")" 2343 "IBM messages in the store"
expect_exit 0 "$SOCQ" fetch --from "$IBM_TEST" --from "$IBM_DEV" --store "$DB3"
expect_err "0 created, 0 updated, 1054 unchanged"

# A mapped CSV export, into a pipe and a store.
EXPORT="$SRC/tests/fixtures/export.csv" MAPPING="$SRC/tests/fixtures/export-mapping.toml"
expect_exit 0 "$SOCQ" fetch --from "$EXPORT" --mapping "$MAPPING"
expect_err "9 rows read, 9 messages in 5 cases, 1 reply whose parent is not in the file"
expect_out '"id":"mastodon:northrail@transit.social:ma-1+pete@social.example"'
expect_out '"id":"facebook:NorthRail:fb-1001"'
expect_exit 2 "$SOCQ" fetch --from "$EXPORT"
expect_err "CSV import needs a column for \"id\""
expect_exit 0 "$SOCQ" fetch --from "$EXPORT" --mapping "$MAPPING" --map time_format=rfc3339 --skip-bad
expect_err "skipped 9 bad records (9 sent_utc; first: $EXPORT:2: sent_utc: not a time in format rfc3339: \"2026-11-16 19:40:00\")"
expect_exit 65 "$SOCQ" fetch --from "$EXPORT" --mapping "$MAPPING" --map time_format=rfc3339 --store "$WORK/x.db"
expect_err "$EXPORT:2: sent_utc: not a time in format rfc3339"
expect_eq "$(sqlite3 "$WORK/x.db" "SELECT count(*) FROM cases")" 0 "nothing stored after a bad import"
done_ok
