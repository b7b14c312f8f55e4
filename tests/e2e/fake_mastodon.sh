# The Mastodon fake (tests/fakes/) as socq's fetch tests use it: shapes,
# auth, Link pagination, faults, hold/release, idempotent posts, rate limits.
source "$(dirname "$0")/helpers.bash"
[ -n "${SOCQ_FAKE:-}" ] || { echo "SOCQ_FAKE not set: the fake is not built" >&2; exit 77; }
command -v curl >/dev/null || { echo "curl missing (scripts/deps installs it)" >&2; exit 77; }
FIX="$SRC/tests/fakes/fixtures/mastodon"
TOKEN=fake-token-northrail
FAKE_PID=""
# On a failure, show what the fake saw last before cleaning up.
on_exit() {
  local rc=$?
  if [ "$rc" -ne 0 ] && [ -n "$FAKE_PID" ]; then
    echo "--- fake stderr:" >&2; cat "$WORK/fake.err" >&2 2>/dev/null
    echo "--- last requests:" >&2; curl -s -m 5 "$B/__fake/requests" | jq -c '.[-3:][] | {method, path, query, status, fault}' >&2 2>/dev/null
  fi
  [ -n "$FAKE_PID" ] && kill "$FAKE_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap on_exit EXIT

# start_fake ARGS...: runs socq-fake, sets FAKE_PID and B (base URL).
start_fake() {
  "$SOCQ_FAKE" mastodon --port 0 "$@" >"$WORK/fake.out" 2>"$WORK/fake.err" &
  FAKE_PID=$!
  for _ in $(seq 200); do [ -s "$WORK/fake.out" ] && break; sleep 0.05; done
  PORT=$(head -1 "$WORK/fake.out")
  [[ "$PORT" =~ ^[0-9]+$ ]] || { cat "$WORK/fake.err" >&2; fail "no port printed"; }
  B="http://127.0.0.1:$PORT"
}
# api [CURL ARGS...] PATH: GET with the token; body in $WORK/body, headers in
# $WORK/hdr, status echoed.
api() {
  local path=${*: -1}
  curl -s -o "$WORK/body" -D "$WORK/hdr" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
    -H 'User-Agent: socq-e2e/1' "${@:1:$#-1}" "$B$path"
}
ctl() {
  if [ "$1" = GET ]; then curl -s -f "$B$2"; else curl -s -f -X "$1" -H 'Content-Type: application/json' --data "${3:-"{}"}" "$B$2"; fi
}
header() { grep -i "^$1:" "$WORK/hdr" | head -1 | cut -d' ' -f2- | tr -d '\r'; }
next_link() { header Link | grep -o '<[^>]*>; rel="next"' | sed 's/^<//; s/>.*//'; }
prev_link() { header Link | grep -o '<[^>]*>; rel="prev"' | sed 's/^<//; s/>.*//'; }

# Bad command lines and fixtures.
expect_exit 2 "$SOCQ_FAKE" mastodon --port
expect_exit 2 "$SOCQ_FAKE" reddit  # every built platform serves; an unknown one is a usage error
mkdir "$WORK/badfix" && echo '{"id":' >"$WORK/badfix/account.json"
expect_exit 66 "$SOCQ_FAKE" mastodon --fixtures "$WORK/badfix"
expect_err "$WORK/badfix/account.json"

start_fake --fixtures "$FIX" --token second-token

# Auth: a bad or missing token is Mastodon's 401; control endpoints need none.
expect_eq "$(curl -s -o "$WORK/body" -w '%{http_code}' -H 'Authorization: Bearer wrong' "$B/api/v1/notifications")" 401 "bad token"
expect_eq "$(jq -r .error "$WORK/body")" "The access token is invalid" "401 body"
expect_eq "$(curl -s -o /dev/null -w '%{http_code}' "$B/api/v1/conversations")" 401 "no token"
expect_eq "$(api /api/v1/accounts/verify_credentials)" 200 "verify_credentials"
expect_eq "$(jq -r .acct "$WORK/body")" northrail "brand acct"
expect_eq "$(api /api/v2/instance)" 200 "instance"
expect_eq "$(jq -r .configuration.statuses.max_characters "$WORK/body")" 500 "max_characters"

# Pagination: following rel="next" visits every mention once, newest first.
mentions=$(jq '[.[] | select(.type == "mention")] | length' "$FIX/notifications.json")
[ "$mentions" -ge 130 ] || fail "fixtures have only $mentions mentions"; pass
url="/api/v1/notifications?types[]=mention&limit=40"
pages=0
: >"$WORK/ids"
first_prev=""
while :; do
  expect_eq "$(api -g "$url")" 200 "page $pages"
  n=$(jq length "$WORK/body")
  [ "$n" -eq 0 ] && { [ -z "$(header Link)" ] || fail "empty page has a Link header"; pass; break; }
  jq -r '.[] | .type' "$WORK/body" | grep -vqx mention && fail "non-mention in a types[]=mention page"
  jq -r '.[].id' "$WORK/body" >>"$WORK/ids"
  [ -z "$first_prev" ] && first_prev=$(prev_link)
  next=$(next_link)
  [[ "$next" == "$B/api/v1/notifications?limit=40&max_id="*"&types%5B%5D=mention" ]] || fail "next link: $next"
  url=${next#"$B"}
  pages=$((pages + 1))
  [ "$pages" -le 10 ] || fail "pagination does not end"
done
expect_eq "$pages" 4 "pages at limit 40"
expect_eq "$(wc -l <"$WORK/ids")" "$mentions" "mentions visited"
expect_eq "$(sort -u "$WORK/ids" | wc -l)" "$mentions" "distinct mentions"
sort -rn "$WORK/ids" | cmp -s - "$WORK/ids" || fail "ids not newest first as numbers"; pass
grep -qxE '[0-9]{8}' "$WORK/ids" && grep -qxE '[0-9]{9}' "$WORK/ids" || fail "fixture ids should cross 8->9 digits"; pass

# min_id: nothing newer yet; two arrivals come back newest first.
[[ "$first_prev" == *"min_id=$(head -1 "$WORK/ids")"* ]] || fail "prev link: $first_prev"; pass
expect_eq "$(api -g "${first_prev#"$B"}")" 200 "prev page"
expect_eq "$(jq length "$WORK/body")" 0 "nothing newer"
new=$(jq -c '[.[] | select(.type == "mention")][0:2] | [.[0] + {id: "200000001"}, .[1] + {id: "200000002"}]' "$FIX/notifications.json")
ctl POST /__fake/notifications "$new" >/dev/null || fail "append notifications"; pass
expect_eq "$(api -g "${first_prev#"$B"}")" 200 "prev page again"
expect_eq "$(jq -r '[.[].id] | join(",")' "$WORK/body")" "200000002,200000001" "new arrivals"
# min_id in the middle: the 5 immediately newer, not the 5 newest.
mid=$(sed -n 50p "$WORK/ids")
expect_eq "$(api -g "/api/v1/notifications?types[]=mention&limit=5&min_id=$mid")" 200 "min_id page"
expect_eq "$(jq -r '[.[].id] | join(",")' "$WORK/body")" "$(sed -n 45,49p "$WORK/ids" | paste -sd,)" "min_id semantics"
expect_eq "$(api -g "/api/v1/notifications?types[]=mention&limit=5&since_id=$mid")" 200 "since_id page"
expect_eq "$(jq -r '.[0].id' "$WORK/body")" 200000002 "since_id gives the newest"

# types filters: all kinds, a single types=, exclude_types[].
expect_eq "$(api -g "/api/v1/notifications?limit=80&exclude_types[]=mention")" 200 "exclude"
expect_eq "$(jq '[.[] | select(.type == "mention")] | length' "$WORK/body")" 0 "excluded mentions"
[ "$(jq length "$WORK/body")" -gt 0 ] || fail "no other notification kinds"; pass
expect_eq "$(api -g "/api/v1/notifications?limit=80&types=follow")" 200 "types=follow"
expect_eq "$(jq -r '[.[].type] | unique | join(",")' "$WORK/body")" follow "types= single"

# Conversations, statuses, context, accounts.
expect_eq "$(api /api/v1/conversations)" 200 "conversations"
expect_eq "$(jq -r '[.[].last_status.visibility] | unique | join(",")' "$WORK/body")" direct "DM visibility"
conv_status=$(jq -r '.[0].last_status.id' "$WORK/body")
reply=$(jq -r --slurpfile s "$FIX/statuses.json" '[.[] | select(.status.in_reply_to_id as $r | $s[0] | map(.id) | index($r))][0].status.id' "$FIX/notifications.json")
expect_eq "$(api "/api/v1/statuses/$reply/context")" 200 "context"
expect_eq "$(jq '.ancestors | length' "$WORK/body")" 2 "ancestors of a reply to our reply"
expect_eq "$(jq -r '.ancestors[1].account.acct' "$WORK/body")" northrail "our reply in the thread"
expect_eq "$(api /api/v1/statuses/999999)" 404 "unknown status"
expect_eq "$(jq -r .error "$WORK/body")" "Record not found" "404 body"
expect_eq "$(api /api/v1/accounts/109000000000000001)" 200 "account"
expect_eq "$(api /api/v1/accounts/1)" 404 "unknown account"
expect_eq "$(api /api/v1/notifications/200000001)" 200 "one notification"
expect_eq "$(jq -r .id "$WORK/body")" 200000001 "notification by id"

# Faults, in the order added, each once; then normal again.
fault() { ctl POST /__fake/faults "$1" >/dev/null || fail "fault $1"; }
fault '{"path":"/api/v1/notifications","kind":"500"}'
fault '{"path":"/api/v1/notifications","kind":"502"}'
expect_eq "$(api /api/v1/notifications)" 500 "fault 500"
expect_eq "$(api /api/v1/notifications)" 502 "fault 502"
[[ "$(header Content-Type)" == text/html* ]] || fail "502 not HTML"; pass
grep -q '<h1>502 Bad Gateway</h1>' "$WORK/body" || fail "502 body"; pass
expect_eq "$(api /api/v1/notifications)" 200 "after faults"
fault '{"path":"/api/v1/notifications","kind":"429","reset_in_s":30}'
expect_eq "$(api /api/v1/notifications)" 429 "fault 429"
expect_eq "$(header X-RateLimit-Remaining)" 0 "429 remaining"
[[ "$(header X-RateLimit-Reset)" =~ ^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z$ ]] || fail "reset format"; pass
[ -z "$(header Retry-After)" ] || fail "Mastodon sends no Retry-After"; pass
fault '{"path":"/api/","kind":"401"}'
expect_eq "$(api /api/v2/instance)" 401 "fault 401"
fault '{"path":"/api/v1/notifications","kind":"malformed"}'
expect_eq "$(api /api/v1/notifications)" 200 "malformed status"
jq . "$WORK/body" >/dev/null 2>&1 && fail "malformed body parses"; pass
fault '{"path":"/api/v1/notifications","kind":"wrong_shape","times":2}'
expect_eq "$(api /api/v1/notifications)" 200 "wrong_shape"
expect_eq "$(jq -r type "$WORK/body")" object "wrong shape"
expect_eq "$(api /api/v1/notifications)" 200 "wrong_shape twice"
expect_eq "$(jq -r type "$WORK/body")" object "wrong shape, times 2"
fault '{"path":"/api/v1/notifications","kind":"drop"}'
got=0; curl -s -o /dev/null -H "Authorization: Bearer $TOKEN" "$B/api/v1/notifications" || got=$?
[ "$got" -eq 18 ] || fail "drop: curl exit $got, want 18 (partial file)"; pass
fault '{"path":"/api/v1/notifications","kind":"slow","delay_ms":2000}'
got=0; curl -s -o /dev/null --max-time 0.5 -H "Authorization: Bearer $TOKEN" "$B/api/v1/notifications" || got=$?
expect_eq "$got" 28 "slow: curl times out"
# The fake still answers it (after the client left): wait, so it does not
# spend a request of the rate window checked below.
for _ in $(seq 200); do
  [ "$(ctl GET /__fake/requests | jq '[.[] | select(.fault == "slow" and .status == 200)] | length')" = 1 ] && break
  sleep 0.05
done
expect_eq "$(ctl GET /__fake/requests | jq '[.[] | select(.fault == "slow")][0].status')" 200 "slow request answered late"
fault '{"path":"/api/v1/notifications","kind":"500","times":5}'
ctl DELETE /__fake/faults >/dev/null
expect_eq "$(api /api/v1/notifications)" 200 "faults cleared"
expect_eq "$(curl -s -o /dev/null -w '%{http_code}' -X POST --data '{"kind":"teapot"}' "$B/__fake/faults")" 400 "unknown fault kind"

# Posting: form and JSON bodies, Idempotency-Key per token, 422s.
ctl POST /__fake/reset >/dev/null
post() { api -X POST -H "Idempotency-Key: $1" "${@:2}" /api/v1/statuses; }
expect_eq "$(post k1 --data-urlencode 'status=@ann Sorry & thanks' -d "in_reply_to_id=$conv_status" -d visibility=direct)" 200 "post"
id1=$(jq -r .id "$WORK/body")
expect_eq "$(jq -r .in_reply_to_id "$WORK/body")" "$conv_status" "in_reply_to_id"
expect_eq "$(jq -r .content "$WORK/body")" '<p><span class="h-card" translate="no"><a href="https://transit.social/@ann" class="u-url mention">@<span>ann</span></a></span> Sorry &amp; thanks</p>' "content HTML"
expect_eq "$(post k1 --data-urlencode 'status=@ann Sorry & thanks' -d "in_reply_to_id=$conv_status")" 200 "replay"
expect_eq "$(jq -r .id "$WORK/body")" "$id1" "same id on replay"
expect_eq "$(TOKEN=second-token post k1 -d 'status=other token')" 200 "same key, other token"
[ "$(jq -r .id "$WORK/body")" != "$id1" ] || fail "key shared across tokens"; pass
expect_eq "$(post k2 -H 'Content-Type: application/json' --data '{"status":"JSON body","visibility":"unlisted"}')" 200 "JSON post"
expect_eq "$(jq -r .visibility "$WORK/body")" unlisted "JSON visibility"
ctl GET /__fake/posts >"$WORK/posts"
expect_eq "$(jq length "$WORK/posts")" 3 "posts recorded once"
expect_eq "$(jq -r '.[0] | [.idempotency_key, .visibility, .token] | join(" ")' "$WORK/posts")" "k1 direct $TOKEN" "post record"
[ "$(jq -r '.[2].id' "$WORK/posts")" \> "$id1" ] || fail "new ids grow"; pass
expect_eq "$(post k3 -d 'status=   ')" 422 "blank"
expect_eq "$(jq -r .error "$WORK/body")" "Validation failed: Text can't be blank" "blank message"
expect_eq "$(post k4 -d "status=$(printf 'a%.0s' $(seq 501))")" 422 "501 chars"
expect_eq "$(post k5 -d "status=$(printf 'a%.0s' $(seq 500))")" 200 "500 chars"
expect_eq "$(post k6 --data-urlencode "status=$(printf 'a%.0s' $(seq 470)) https://example.org/$(printf 'p%.0s' $(seq 100))")" 200 "a URL counts 23"
expect_eq "$(post k7 --data-urlencode "status=$(printf '👩‍👩‍👧%.0s' $(seq 500))")" 200 "graphemes, not bytes"
expect_eq "$(post k8 -d status=hi -d in_reply_to_id=1)" 404 "reply to unknown status"

# Hold: the post is processed, its response waits for release.
ctl POST /__fake/hold '{"path":"/api/v1/statuses"}' >/dev/null
curl -s -o "$WORK/held.body" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" -d status=held "$B/api/v1/statuses" >"$WORK/held.code" &
held_pid=$!
for _ in $(seq 200); do [ "$(ctl GET /__fake/held | jq .held)" = 1 ] && break; sleep 0.05; done
expect_eq "$(ctl GET /__fake/held | jq .held)" 1 "held"
expect_eq "$(ctl GET /__fake/posts | jq -r '.[-1].status')" held "processed while held"
[ ! -s "$WORK/held.code" ] || fail "held response sent early"; pass
ctl POST /__fake/release >/dev/null
wait "$held_pid"
expect_eq "$(cat "$WORK/held.code")" 200 "released"
expect_eq "$(jq -r .content "$WORK/held.body")" "<p>held</p>" "released body"

# Hold with skip: the first matching request passes, the second waits.
ctl POST /__fake/hold '{"path":"/api/v1/notifications","skip":1}' >/dev/null
expect_eq "$(api /api/v1/notifications)" 200 "skipped by the hold"
expect_eq "$(ctl GET /__fake/held | jq .held)" 0 "nothing held yet"
curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$B/api/v1/notifications" >"$WORK/held.code" &
held_pid=$!
for _ in $(seq 200); do [ "$(ctl GET /__fake/held | jq .held)" = 1 ] && break; sleep 0.05; done
expect_eq "$(ctl GET /__fake/held | jq .held)" 1 "second request held"
ctl POST /__fake/release >/dev/null
wait "$held_pid"
expect_eq "$(cat "$WORK/held.code")" 200 "released GET"

# A client killed while its response is held: the fake lives on (no SIGPIPE).
ctl POST /__fake/hold '{"path":"/api/v1/notifications"}' >/dev/null
curl -s -o /dev/null -H "Authorization: Bearer $TOKEN" "$B/api/v1/notifications" &
held_pid=$!
for _ in $(seq 200); do [ "$(ctl GET /__fake/held | jq .held)" = 1 ] && break; sleep 0.05; done
expect_eq "$(ctl GET /__fake/held | jq .held)" 1 "held before the kill"
kill -KILL "$held_pid"; wait "$held_pid" 2>/dev/null || true
ctl POST /__fake/release >/dev/null
expect_eq "$(api /api/v1/notifications)" 200 "alive after a killed client"

# Requests are recorded with the headers a test checks.
ctl GET /__fake/requests >"$WORK/reqs"
expect_eq "$(jq -r '.[0].headers["Idempotency-Key"]' "$WORK/reqs")" k1 "recorded key"
expect_eq "$(jq -r '.[0].headers.Authorization' "$WORK/reqs")" "Bearer $TOKEN" "recorded auth"
expect_eq "$(jq -r '.[0].headers["User-Agent"]' "$WORK/reqs")" socq-e2e/1 "recorded agent"
expect_eq "$(jq -r '.[0] | [.method, .path, .status] | join(" ")' "$WORK/reqs")" "POST /api/v1/statuses 200" "recorded line"

# Rate limit: headers count down; exhaustion is 429 without Retry-After.
ctl POST /__fake/ratelimit '{"remaining":2,"limit":300,"reset_in_s":120}' >/dev/null
expect_eq "$(api /api/v1/notifications)" 200 "rate 1"
expect_eq "$(header X-RateLimit-Remaining)" 1 "remaining 1"
expect_eq "$(header X-RateLimit-Limit)" 300 "limit"
expect_eq "$(api /api/v1/notifications)" 200 "rate 2"
expect_eq "$(header X-RateLimit-Remaining)" 0 "remaining 0"
expect_eq "$(api /api/v1/notifications)" 429 "exhausted"
expect_eq "$(jq -r .error "$WORK/body")" "Too many requests" "429 body"
[ -z "$(header Retry-After)" ] || fail "no Retry-After on 429"; pass
ctl POST /__fake/ratelimit '{"remaining":300}' >/dev/null

# SIGTERM: a clean exit 0.
kill -TERM "$FAKE_PID"
got=0; wait "$FAKE_PID" || got=$?
FAKE_PID=""
expect_eq "$got" 0 "exit on SIGTERM"
done_ok
