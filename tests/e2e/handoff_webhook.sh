# socq handoff --to webhook against a local ticketing API shaped like
# Zendesk's (tests/servers/ticket_server.py): the JSON body from the
# config's template (values JSON-escaped), the secret header, the ticket id
# kept as handoff.ref; a 500 and then a timeout after the server made the
# ticket are retried by later runs with the same Idempotency-Key, so no
# duplicate ticket; the secret nowhere in output or store.
source "$(dirname "$0")/helpers.bash"
command -v python3 >/dev/null && command -v curl >/dev/null && command -v jq >/dev/null && command -v sqlite3 >/dev/null ||
  { echo "python3, curl, jq, sqlite3 needed (scripts/deps)" >&2; exit 77; }
SECRET=dGlja2V0LWJvdC90b2tlbjpzM2NyZXQ=
SRV_PID=""
trap '[ -n "$SRV_PID" ] && kill "$SRV_PID" 2>/dev/null; rm -rf "$WORK"' EXIT
python3 "$SRC/tests/servers/ticket_server.py" --token "$SECRET" >"$WORK/srv.out" 2>"$WORK/srv.err" &
SRV_PID=$!
for _ in $(seq 600); do [ -s "$WORK/srv.out" ] && break; sleep 0.05; done
B="http://127.0.0.1:$(head -1 "$WORK/srv.out")"
tickets() { curl -s -f "$B/__ctl/tickets"; }
fault() { curl -s -f -X POST --data "$1" "$B/__ctl/faults" >/dev/null; }

export ZD_AUTH=$SECRET
CFG="$XDG_CONFIG_HOME/socq/config.toml"
mkdir -p "$(dirname "$CFG")"
cat >"$CFG" <<TOML
[handoff]
case_url = "https://socq.example/cases/{id}"
[handoff.follow_up]
webhook = "2h"

[webhooks.zendesk]
url = "$B/api/v2/tickets.json"
headers = { Authorization = "Basic {secret}" }
secret_env = "ZD_AUTH"
body = '''
{"ticket": {"subject": "{subject}", "comment": {"body": "{transcript}"},
 "external_id": "{case.id}", "requester": {"name": "{customer.name}"}, "tags": ["socq", "{case.channel}"]}}
'''
ref_pointer = "/ticket/id"
idempotency_header = "Idempotency-Key"
timeout = "2s"
TOML
DB="$WORK/s.db"
jq -c 'select(.status == "open" or .status == "new")' "$SRC/examples/cases.jsonl" | sed -n 1,4p >"$WORK/c.jsonl"
# Customer text that JSON must escape: quotes, a backslash, a newline, a tab.
jq -c 'if input_line_number == 1 then .messages[0].text = "he said \"no refund\" \\ twice\nsecond line\tend" else . end' \
  "$WORK/c.jsonl" >"$WORK/c2.jsonl"
"$SOCQ" fetch --from "$WORK/c2.jsonl" --store "$DB" -q
mapfile -t IDS < <(jq -r .id "$WORK/c2.jsonl")

# A name not in the config; a template that does not make JSON.
expect_exit 2 "$SOCQ" handoff "${IDS[0]}" --to webhook:zendsk --store "$DB"
expect_err 'no webhook "zendsk" in the config; did you mean "zendesk"?'

# 500: nothing made; the row stays in flight (75) for a later run.
fault '["500"]'
expect_exit 75 "$SOCQ" handoff "${IDS[0]}" --to webhook:zendesk --why "refund request" --store "$DB"
expect_err "HTTP 500"
expect_err "stays in the outbox"
expect_eq "$(tickets | jq length)" 0 "no ticket after the 500"
expect_eq "$(sqlite3 "$DB" "SELECT state FROM outbox WHERE kind='webhook'")" "pending" "row in flight"
expect_eq "$(sqlite3 "$DB" "SELECT json FROM cases WHERE id='${IDS[0]}'" | jq -r .handoff)" "null" "no handoff recorded yet"
expect_exit 0 "$SOCQ" handoff --resume --store "$DB"
expect_err "finished 1 handoff send left in flight"
expect_eq "$(tickets | jq length)" 1 "one ticket after the resume"
t=$(tickets | jq -c '.[0]')
expect_eq "$(jq -r ._auth <<<"$t")" "Basic $SECRET" "secret header sent"
expect_eq "$(jq -r .external_id <<<"$t")" "${IDS[0]}" "case id in the ticket"
expect_eq "$(jq -r ._key <<<"$t")" "$(sqlite3 "$DB" "SELECT idempotency_key FROM outbox WHERE kind='webhook'")" "Idempotency-Key is the outbox key"
jq -r .description <<<"$t" | grep -F 'he said "no refund" \ twice' >/dev/null || fail "customer text not carried intact"; pass
jq -r .description <<<"$t" | grep -F "Link: https://socq.example/cases/${IDS[0]}" >/dev/null || fail "no link back"; pass
jq -r .description <<<"$t" | grep -F "Why: refund request" >/dev/null || fail "no why"; pass
case=$(sqlite3 "$DB" "SELECT json FROM cases WHERE id='${IDS[0]}'")
expect_eq "$(jq -r '[.handoff.to, .handoff.ref, .handoff.owner, .handoff.follow_up_due, .status] | join("|")' <<<"$case")" \
  "webhook:zendesk|35436|webhook:zendesk|2026-11-23T11:00:00Z|handed_off" "handoff record"
expect_eq "$(jq -r '.links[] | select(.rel == "ticket") | .ref' <<<"$case")" "zendesk:35436" "ticket link"
jq -r '.events[].what' <<<"$case" | grep -F "handed off to webhook:zendesk (ref 35436): refund request; follow up by" >/dev/null || fail "no event"; pass

# A timeout after the server made the ticket: 75; the next handoff run first
# finishes it with the same key (the server answers with the same ticket).
fault '["timeout"]'
expect_exit 75 "$SOCQ" handoff "${IDS[1]}" --to webhook:zendesk --store "$DB"
expect_eq "$(tickets | jq length)" 2 "the server made the ticket before the timeout"
expect_exit 0 "$SOCQ" handoff "${IDS[2]}" --to webhook:zendesk --store "$DB"
expect_err "finished 1 handoff send left in flight"
expect_eq "$(tickets | jq length)" 3 "no duplicate: one ticket per case"
expect_eq "$(curl -s "$B/__ctl/requests" | jq .n)" 5 "ticket requests: 500, ok, timeout, retry (hit), case 3"
expect_eq "$(sqlite3 "$DB" "SELECT json FROM cases WHERE id='${IDS[1]}'" | jq -r .handoff.ref)" "35437" "the retried case keeps the first ticket"
expect_eq "$(sqlite3 "$DB" "SELECT json FROM cases WHERE id='${IDS[2]}'" | jq -r .handoff.ref)" "35438" "third ticket"
expect_eq "$(sqlite3 "$DB" "SELECT count(*) FROM outbox WHERE kind='webhook' AND state='sent'")" 3 "three rows sent"

# Wrong credentials: refused for good (77), nothing in flight, nothing made.
ZD_AUTH=wrong expect_exit 77 "$SOCQ" handoff "${IDS[3]}" --to webhook:zendesk --store "$DB"
expect_err "refused our credentials"
expect_eq "$(sqlite3 "$DB" "SELECT state FROM outbox WHERE case_id='${IDS[3]}'")" "failed" "refused row failed"
expect_eq "$(tickets | jq length)" 3 "no ticket for refused credentials"
expect_exit 0 "$SOCQ" handoff --resume --store "$DB"
expect_err "nothing in flight"

# The secret: never in output or the store.
! grep -qF "$SECRET" "$WORK/out" "$WORK/err" || fail "secret in output"; pass
! sqlite3 "$DB" .dump | grep -F "$SECRET" >/dev/null || fail "secret in the store"; pass
done_ok
