# socq handoff --to email against a real SMTP server socq's authors did not
# write (Debian's python3-aiosmtpd, delivering into a Maildir): the
# transcript's headers and both parts, TLS required unless the config says
# plain for a local relay, STARTTLS with a private CA and AUTH, a relay that
# is down leaves the mail in the outbox and a later run delivers it once,
# and the password nowhere in output or store.
source "$(dirname "$0")/helpers.bash"
PY=python3
for p in /usr/bin/python3 python3; do "$p" -c 'import aiosmtpd' 2>/dev/null && { PY=$p; break; }; done
"$PY" -c 'import aiosmtpd' 2>/dev/null || { echo "python3-aiosmtpd needed (scripts/deps)" >&2; exit 77; }
command -v openssl >/dev/null && command -v jq >/dev/null && command -v sqlite3 >/dev/null || { echo "openssl, jq, sqlite3 needed" >&2; exit 77; }
SMTP_PID=""
trap '[ -n "$SMTP_PID" ] && kill "$SMTP_PID" 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$WORK"' EXIT

# start_smtp NAME [ARGS...]: a server delivering into $WORK/NAME; sets PORT.
start_smtp() {
  local name=$1; shift
  [ -n "$SMTP_PID" ] && { kill "$SMTP_PID" 2>/dev/null; wait "$SMTP_PID" 2>/dev/null || true; }
  mkdir -p "$WORK/$name"
  "$PY" "$SRC/tests/servers/smtp_server.py" --maildir "$WORK/$name" "$@" >"$WORK/smtp.out" 2>"$WORK/smtp.err" &
  SMTP_PID=$!
  for _ in $(seq 600); do [ -s "$WORK/smtp.out" ] && break; sleep 0.05; done
  PORT=$(head -1 "$WORK/smtp.out")
  [ -n "$PORT" ] || { cat "$WORK/smtp.err" >&2; fail "smtp server did not start"; }
}
delivered() { find "$WORK/$1/new" -type f 2>/dev/null | wc -l; }
# mail_part BOX WHAT: headers (JSON) or the decoded text/plain or text/html part of the one mail in BOX.
mail_part() {
  "$PY" - "$(find "$WORK/$1/new" -type f | head -1)" "$2" <<'PY'
import email, email.policy, json, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
if sys.argv[2] == "headers":
    print(json.dumps({k: str(m[k]) for k in ["From", "To", "Subject", "Message-ID", "Date", "MIME-Version"]} | {"type": m.get_content_type()}))
else:
    print(m.get_body(preferencelist=(sys.argv[2].split("/")[1],)).get_content())
PY
}

CFG="$XDG_CONFIG_HOME/socq/config.toml"
mkdir -p "$(dirname "$CFG")"
config() {  # config URL TLS [EXTRA...]
  cat >"$CFG" <<TOML
[handoff]
case_url = "https://socq.example/cases/{id}"
[handoff.follow_up]
default = "24h"
email = "8h"
[smtp]
url = "$1"
tls = "$2"
from = "Northrail Support <support@northrail.example>"
timeout = "5s"
${3:-}
TOML
}
DB="$WORK/s.db"
# A case whose customer text holds HTML and a control character.
jq -c '.customer.name = "Ann <b>Hughes</b>" | .messages[0].text = "late <script>alert(1)</script> & no info\u001b[31m"' \
  <(head -1 "$SRC/examples/cases.jsonl") >"$WORK/c.jsonl"
jq -c 'select(.status == "open" or .status == "new")' "$SRC/examples/cases.jsonl" | sed -n 2,3p >>"$WORK/c.jsonl"
"$SOCQ" fetch --from "$WORK/c.jsonl" --store "$DB" -q
ID=$(head -1 "$WORK/c.jsonl" | jq -r .id)
ID2=$(sed -n 2p "$WORK/c.jsonl" | jq -r .id)
ID3=$(sed -n 3p "$WORK/c.jsonl" | jq -r .id)

# Config: an unknown tls value, a password in the config, a bad address.
config "smtp://127.0.0.1:1" "off"
expect_exit 78 "$SOCQ" handoff "$ID" --to email:ops@northrail.example --store "$DB"
expect_err 'config.toml:6: smtp.tls must be "required" or "none"'
config "smtp://127.0.0.1:1" "none" 'password = "hunter2"'
expect_exit 78 "$SOCQ" handoff "$ID" --to email:ops@northrail.example --store "$DB"
expect_err "secrets do not belong in the config"
config "smtp://127.0.0.1:1" "none"
expect_exit 2 "$SOCQ" handoff "$ID" --to "email:not an address" --store "$DB"
expect_err "is not an e-mail address"

# Plain relay on this machine, configured so: delivered; headers, both parts, case id, link.
start_smtp plain
config "smtp://127.0.0.1:$PORT" "none"
expect_exit 0 "$SOCQ" handoff "$ID" --to email:ops@northrail.example --why "needs a refund" --store "$DB"
expect_err "handed off $ID to email:ops@northrail.example (ref <socq-"
expect_eq "$(delivered plain)" 1 "one mail delivered"
h=$(mail_part plain headers)
expect_eq "$(jq -r .type <<<"$h")" "multipart/alternative" "content type"
expect_eq "$(jq -r .From <<<"$h")" "Northrail Support <support@northrail.example>" "From"
expect_eq "$(jq -r .To <<<"$h")" "ops@northrail.example" "To"
expect_eq "$(jq -r .Subject <<<"$h")" "Case $ID (@ann@example.org)" "Subject"
[ "$(jq -r .Date <<<"$h")" = "Mon, 23 Nov 2026 09:00:00 +0000" ] || fail "Date: $(jq -r .Date <<<"$h")"; pass
mid=$(jq -r '."Message-ID"' <<<"$h")
case=$(sqlite3 "$DB" "SELECT json FROM cases WHERE id='$ID'")
expect_eq "$(jq -r .handoff.ref <<<"$case")" "$mid" "handoff.ref is the Message-ID"
expect_eq "$(jq -r '[.handoff.to, .handoff.by, .handoff.why, .handoff.owner, .handoff.follow_up_due, .status] | join("|")' <<<"$case")" \
  "email:ops@northrail.example|tester|needs a refund|email:ops@northrail.example|2026-11-23T17:00:00Z|handed_off" "handoff record"
expect_eq "$(sqlite3 "$DB" "SELECT state FROM outbox WHERE kind='email'")" "sent" "outbox row sent"
[[ "$mid" == "<$(sqlite3 "$DB" "SELECT idempotency_key FROM outbox WHERE kind='email'")@northrail.example>" ]] || fail "Message-ID $mid not from the key"; pass
mail_part plain text/plain >"$WORK/plain.txt"
mail_part plain text/html >"$WORK/html.txt"
grep -qF "Case: $ID" "$WORK/plain.txt" || fail "plain part lacks the case id"; pass
grep -qF "Link: https://socq.example/cases/$ID" "$WORK/plain.txt" || fail "plain part lacks the link"; pass
grep -qF "late <script>alert(1)</script> & no info[31m" "$WORK/plain.txt" || fail "plain part: customer text (control character dropped)"; pass
grep -qF "Why: needs a refund" "$WORK/plain.txt" || fail "plain part lacks why"; pass
grep -qF "late &lt;script&gt;alert(1)&lt;/script&gt; &amp; no info" "$WORK/html.txt" || fail "html part: customer text not escaped"; pass
grep -qF "Ann &lt;b&gt;Hughes&lt;/b&gt;" "$WORK/html.txt" || fail "html part: name not escaped"; pass
! grep -q "<script>" "$WORK/html.txt" || fail "raw <script> in the html part"; pass
grep -qF "href=\"https://socq.example/cases/$ID\"" "$WORK/html.txt" || fail "html part lacks the link"; pass
! grep -q $'\x1b' "$WORK/plain.txt" "$WORK/html.txt" || fail "a control character reached the mail"; pass

# TLS required (the default): a relay without STARTTLS is refused, nothing sent, nothing in flight.
config "smtp://127.0.0.1:$PORT" "required"
expect_exit 77 "$SOCQ" handoff "$ID2" --to email:ops@northrail.example --store "$DB"
expect_err "plain SMTP only with tls = \"none\" for a local relay"
expect_eq "$(delivered plain)" 1 "nothing more delivered"
expect_eq "$(sqlite3 "$DB" "SELECT count(*) FROM outbox WHERE kind='email' AND state='pending'")" 0 "refused for good, not in flight"
expect_eq "$(sqlite3 "$DB" "SELECT json FROM cases WHERE id='$ID2'" | jq -r .handoff)" "null" "no handoff recorded"

# STARTTLS with a private CA, AUTH with the password from a 0600 file.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=localhost" -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
  -keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>/dev/null
PASSWORD=s3cret-smtp-pw-4711
printf '%s\n' "$PASSWORD" >"$WORK/pw"
chmod 600 "$WORK/pw"
SMTP_TEST_PASSWORD=$PASSWORD start_smtp tls --cert "$WORK/cert.pem" --key "$WORK/key.pem" --auth-user socq
config "smtp://127.0.0.1:$PORT" "required" "user = \"socq\"
password_file = \"$WORK/pw\""
expect_exit 77 "$SOCQ" handoff "$ID2" --to email:ops@northrail.example --store "$DB"
expect_err "not trusted; smtp.ca_file names a private CA"
config "smtp://127.0.0.1:$PORT" "required" "user = \"socq\"
password_file = \"$WORK/pw\"
ca_file = \"$WORK/cert.pem\""
chmod 644 "$WORK/pw"
expect_exit 77 "$SOCQ" handoff "$ID2" --to email:ops@northrail.example --store "$DB"
expect_err "is readable by others; run: chmod 600"
chmod 600 "$WORK/pw"
expect_exit 0 "$SOCQ" handoff "$ID2" --to email:ops@northrail.example --store "$DB" -v
expect_eq "$(delivered tls)" 1 "delivered over STARTTLS"
expect_eq "$(mail_part tls headers | jq -r .Subject)" "Case $ID2 (@$(sed -n 2p "$WORK/c.jsonl" | jq -r .customer.handle | sed 's/^@//'))" "TLS mail subject"

# The relay is down: the mail stays in the outbox (75); the next run delivers it once.
kill "$SMTP_PID"; wait "$SMTP_PID" 2>/dev/null || true; SMTP_PID=""
expect_exit 75 "$SOCQ" handoff "$ID3" --to email:ops@northrail.example --store "$DB"
expect_err "stays in the outbox: \`socq handoff --resume\` sends it again"
expect_eq "$(sqlite3 "$DB" "SELECT count(*) FROM outbox WHERE kind='email' AND state='pending' AND case_id='$ID3'")" 1 "in flight"
key3=$(sqlite3 "$DB" "SELECT idempotency_key FROM outbox WHERE kind='email' AND case_id='$ID3'")
expect_exit 3 "$SOCQ" handoff "$ID3" --to email:other@northrail.example --store "$DB"   # one in flight per case
SMTP_TEST_PASSWORD=$PASSWORD start_smtp tls2 --cert "$WORK/cert.pem" --key "$WORK/key.pem" --auth-user socq
config "smtp://127.0.0.1:$PORT" "required" "user = \"socq\"
password_file = \"$WORK/pw\"
ca_file = \"$WORK/cert.pem\""
expect_exit 0 "$SOCQ" handoff --resume --store "$DB"
expect_err "finished 1 handoff send left in flight"
expect_exit 0 "$SOCQ" handoff --resume --store "$DB"
expect_err "nothing in flight"
expect_eq "$(delivered tls2)" 1 "exactly one mail after the resume"
expect_eq "$(mail_part tls2 headers | jq -r '."Message-ID"')" "<$key3@northrail.example>" "same Message-ID as recorded"
expect_eq "$(sqlite3 "$DB" "SELECT json FROM cases WHERE id='$ID3'" | jq -r .handoff.to)" "email:ops@northrail.example" "recorded on resume"

# The password: nowhere in output, store or the recorded mail.
grep -rqF "$PASSWORD" "$WORK/out" "$WORK/err" "$DB" && fail "password leaked"; pass
! sqlite3 "$DB" .dump | grep -F "$PASSWORD" >/dev/null || fail "password in the store"; pass
done_ok
