# socq triage as a user runs it: a filter on the examples, idempotent; in
# place on a store, looking only at changed cases; rules errors refused
# whole with file:line and exit 78; --explain.
source "$(dirname "$0")/helpers.bash"
rules="$SRC/examples/rules.toml"
cases="$SRC/examples/cases.jsonl"

# The filter: fetch | triage - ; output checked field by field.
"$SOCQ" fetch -q --from "$cases" | "$SOCQ" triage --rules "$rules" - >"$WORK/t1.jsonl" 2>"$WORK/err" || fail "triage filter"
grep -qF "socq triage: 33 cases, 33 changed" "$WORK/err" || fail "filter summary: $(cat "$WORK/err")"
pass
python3 - "$WORK/t1.jsonl" <<'PY' || fail "triaged fields"
import json, sys
cases = {c["id"]: c for c in map(json.loads, open(sys.argv[1]))}
assert len(cases) == 33, len(cases)
def check(id, **want):
    c = cases[id]
    for k, v in want.items():
        assert c.get(k) == v, (id, k, c.get(k), v)
    return c
# disruption keywords -> p1 on the rail operator, with the rule named in the events
c = check("mastodon:northrail@transit.social:113500000000001001", priority="p1", category="disruption", team="service")
assert any(e["what"] == "rule rail-disruption set priority p1" and e["by"] == "triage" for e in c["events"])
check("x:NorthRailHelp:1859000000000006011", priority="p1", category="disruption", team="service")
# PII: an account number in public -> kinds only, priority raised, private channel suggested
c = check("x:BrightEnergyHelp:1859000000000018031", priority="p2", pii=["account"], team="billing")
assert "suggest:private" in c["tags"] and "pii" in c["tags"], c["tags"]
assert not any("4001" in e["what"] for e in c["events"])
# billing route for the energy supplier; a vulnerable customer tagged
c = check("mastodon:brightenergy@mastodon.energy:113500000000033052", category="billing", priority="p2", team="billing")
assert "vulnerable" in c["tags"]
# settled cases keep their triage
check("x:NorthRailHelp:1859000000000012022", priority=None, category=None)
# an SLA clock from the teams file
assert cases["x:NorthRailHelp:1859000000000006011"]["sla"]["first_response_due"]
PY
pass

# Triaging the output again changes nothing, byte for byte.
"$SOCQ" triage --rules "$rules" "$WORK/t1.jsonl" >"$WORK/t2.jsonl" 2>"$WORK/err"
cmp -s "$WORK/t1.jsonl" "$WORK/t2.jsonl" || fail "second triage changed the output"
grep -qF "33 cases, 0 changed" "$WORK/err" || fail "second run summary"
pass

# Stdin only when '-' is named: with no files, triage works on the store.
expect_exit 0 "$SOCQ" triage --rules "$rules" --store "$WORK/empty.db"
expect_err "looked at 0 changed cases"

# In place: the first run looks at every case, the second at none, a fetch
# of one new message at one.
"$SOCQ" fetch -q --from "$cases" --store "$WORK/s.db"
expect_exit 0 "$SOCQ" triage --rules "$rules" --store "$WORK/s.db"
expect_err "looked at 33 changed cases, changed 33"
expect_exit 0 "$SOCQ" triage --rules "$rules" --store "$WORK/s.db"
expect_err "looked at 0 changed cases, changed 0"
cat >"$WORK/more.jsonl" <<'JSON'
{"v":1,"id":"x:NorthRailHelp:1859000000000016029","rev":1,"channel":"x","account":"NorthRailHelp","customer":{"id":"5566778899","handle":"@fellwalker_jo"},"messages":[{"id":"1859000000000016099","dir":"in","at":"2026-11-23T08:55:00Z","author":"@fellwalker_jo","text":"and now the 09:02 is cancelled too","public":true,"reply_to":"1859000000000016029"}],"status":"new","updated_at":"2026-11-23T08:55:00Z"}
JSON
"$SOCQ" fetch -q --from "$WORK/more.jsonl" --store "$WORK/s.db"
expect_exit 0 "$SOCQ" triage --rules "$rules" --store "$WORK/s.db"
expect_err "looked at 1 changed cases, changed 1"
expect_exit 0 "$SOCQ" case show --store "$WORK/s.db" --format jsonl x:NorthRailHelp:1859000000000016029
expect_out '"priority":"p1"'
expect_out '"rule rail-disruption set priority p1"'
# The config's `rules` key, relative to the config file.
mkdir -p "$XDG_CONFIG_HOME/socq"
cp "$rules" "$SRC/examples/teams.toml" "$XDG_CONFIG_HOME/socq/"
printf 'rules = "rules.toml"\n' >"$XDG_CONFIG_HOME/socq/config.toml"
expect_exit 0 "$SOCQ" triage --store "$WORK/s.db"
expect_err "looked at 0 changed cases"

# --explain: every rule, whether it matched and why; nothing written.
expect_exit 0 "$SOCQ" triage --rules "$rules" --store "$WORK/s.db" --explain x:NorthRailHelp:1859000000000016029
expect_out 'rule 3 "rail-disruption" ('
expect_out '): matched: keyword "cancelled"'
expect_out 'rule 1 "settled" ('
expect_out '): no: status is new, not resolved, closed'
expect_out "result: no change"
expect_exit 0 "$SOCQ" triage --rules "$rules" --explain x:BrightEnergyHelp:1859000000000018031 "$cases"
expect_out "pii: account"
expect_out "change: pii set priority p2"
expect_exit 65 "$SOCQ" triage --rules "$rules" --explain nope "$cases"
expect_err "no case nope in the files given"

# A bad rules file is refused whole, before any case is touched.
before=$(sqlite3 "$WORK/s.db" "SELECT group_concat(rev) FROM cases")
bad() { printf '%s\n' "$1" >"$WORK/bad.toml"; expect_exit 78 "$SOCQ" triage --rules "$WORK/bad.toml" --store "$WORK/s.db"; expect_err "$2"; }
bad '[[rules]]
name = "x"
when = { keyword = "late" }
then = { priority = "p1" }' "bad.toml:3: rule \"x\": unknown key \"keyword\" in when"
bad '[[rules]]
name = "x"
when = { regex = "(late" }
then = { priority = "p1" }' "bad.toml:3: rule \"x\": when.regex: bad regex \"(late\": missing ): (late"
bad '[[rules]]
name = "x"
then = { team = "nobody" }' "bad.toml:3: rule \"x\": then.team: unknown team \"nobody\" (no teams are defined)"
bad '[[rules]]
name = "x"
then = { priority = 1 }' "bad.toml:3: rule \"x\": then.priority: must be a string"
bad '[[rules]]
name = "x"
then = { priority = "p9" }' "bad.toml:3: rule \"x\": then.priority: \"p9\" is not a priority (p1, p2, p3, p4)"
bad 'include = "missing.toml"' "bad.toml:1: include: cannot read"
bad '[[rules]
name = "x"' "bad.toml:1: "
[ "$(sqlite3 "$WORK/s.db" "SELECT group_concat(rev) FROM cases")" = "$before" ] || fail "a refused rules file touched the store"
pass
expect_exit 66 "$SOCQ" triage --rules "$WORK/none.toml" "$cases"
expect_err "none.toml: cannot read the rules file"
expect_exit 2 "$SOCQ" triage --rules "$rules" --store "$WORK/s.db" "$cases"
done_ok
