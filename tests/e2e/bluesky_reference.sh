# The Bluesky channel against the reference servers (@atproto/dev-env: PLC,
# PDS, AppView on 127.0.0.1; scripts/atproto-dev-env). Seeds a brand and a
# customer through the PDS itself, the customer mentions the brand and
# answers in a thread; socq fetch threads both into one case; socq reply
# answers; the reply shows in the AppView's getPostThread under the
# customer's post with the right root and parent. Skipped (77) when the
# reference network is not installed; started here (and stopped) when it is
# installed but not running. The password and JWTs appear nowhere.
REAL_HOME=$HOME
source "$(dirname "$0")/helpers.bash"
command -v curl >/dev/null && command -v jq >/dev/null && command -v sqlite3 >/dev/null || { echo "curl, jq and sqlite3 needed (scripts/deps)" >&2; exit 77; }
export SOCQ_ATPROTO_HOME=${SOCQ_ATPROTO_HOME:-${XDG_CACHE_HOME_REAL:-$REAL_HOME/.cache}/socq-atproto}
DEV="$SRC/scripts/atproto-dev-env"
STARTED=""
cleanup() { [ -n "$STARTED" ] && "$DEV" stop >/dev/null 2>&1; rm -rf "$WORK"; }
trap cleanup EXIT
if ! "$DEV" status >"$WORK/state.json" 2>/dev/null; then
  if ! "$DEV" start >"$WORK/state.json" 2>"$WORK/start.err"; then
    grep -q "not installed" "$WORK/start.err" && { echo "skipped: reference network not installed (scripts/atproto-dev-env install)"; exit 77; }
    cat "$WORK/start.err" >&2
    fail "the reference network did not start"
  fi
  STARTED=1
fi
PDS=$(jq -r .pds "$WORK/state.json" | sed 's#//localhost:#//127.0.0.1:#')
CONTROL=$(jq -r .control "$WORK/state.json")
process() { curl -s -f -X POST "$CONTROL/process" >/dev/null || fail "the AppView did not catch up"; }
xrpc_post() { curl -s -H 'Content-Type: application/json' ${3:+-H "Authorization: Bearer $3"} --data "$2" "$PDS/xrpc/$1"; }
xrpc_get() { curl -s -G ${3:+-H "Authorization: Bearer $3"} "$PDS/xrpc/$1" ${2:+--data-urlencode "$2"}; }
now() { date -u +%Y-%m-%dT%H:%M:%S.%3NZ; }

# Fresh accounts each run (the network is shared between runs).
TAG=$(date +%s%N | tail -c 9)
BRAND=brand$TAG.test CUST=cust$TAG.test
account() { xrpc_post com.atproto.server.createAccount "{\"handle\":\"$1\",\"email\":\"$1@example.com\",\"password\":\"main-$TAG-pw\"}"; }
account "$BRAND" >"$WORK/brand.json"
account "$CUST" >"$WORK/cust.json"
BRAND_DID=$(jq -r .did "$WORK/brand.json") CUST_DID=$(jq -r .did "$WORK/cust.json")
[[ $BRAND_DID == did:* && $CUST_DID == did:* ]] || { cat "$WORK/brand.json" "$WORK/cust.json" >&2; fail "createAccount"; }
pass
BRAND_JWT=$(jq -r .accessJwt "$WORK/brand.json") CUST_JWT=$(jq -r .accessJwt "$WORK/cust.json")
APP_PASSWORD=$(xrpc_post com.atproto.server.createAppPassword '{"name":"socq"}' "$BRAND_JWT" | jq -r .password)
[[ -n $APP_PASSWORD && $APP_PASSWORD != null ]] || fail "createAppPassword"
pass

# The customer mentions the brand (a mention facet, byte offsets), then
# adds to their own thread.
post() { # TEXT [REPLY_JSON] -> the createRecord answer
  local text=$1 reply=${2:-null} mention="@$BRAND"
  jq -n --arg repo "$CUST_DID" --arg text "$text" --arg at "$(now)" --arg did "$BRAND_DID" --argjson reply "$reply" \
    --argjson stop "${#mention}" '{repo:$repo, collection:"app.bsky.feed.post", record:({"$type":"app.bsky.feed.post", text:$text, createdAt:$at,
      facets:[{index:{byteStart:0, byteEnd:$stop}, features:[{"$type":"app.bsky.richtext.facet#mention", did:$did}]}]}
      + (if $reply == null then {} else {reply:$reply} end))}' >"$WORK/post.json"
  xrpc_post com.atproto.repo.createRecord "@$WORK/post.json" "$CUST_JWT"
}
ROOT=$(post "@$BRAND my train from Leeds is 40 minutes late")
ROOT_URI=$(jq -r .uri <<<"$ROOT") ROOT_CID=$(jq -r .cid <<<"$ROOT")
[[ $ROOT_URI == at://* ]] || fail "createRecord: $ROOT"
REF="{\"root\":{\"uri\":\"$ROOT_URI\",\"cid\":\"$ROOT_CID\"},\"parent\":{\"uri\":\"$ROOT_URI\",\"cid\":\"$ROOT_CID\"}}"
SECOND=$(post "@$BRAND and now it is cancelled" "$REF")
SECOND_URI=$(jq -r .uri <<<"$SECOND")
process
pass

export NR_BSKY_PASSWORD=$APP_PASSWORD
mkdir -p "$XDG_CONFIG_HOME/socq"
cat >"$XDG_CONFIG_HOME/socq/config.toml" <<TOML
[accounts.nr-bsky]
channel = "bluesky"
base_url = "$PDS"
handle = "$BRAND"
password_env = "NR_BSKY_PASSWORD"
TOML
DB="$WORK/s.db"
export SOCQ_STORE="$DB"
expect_exit 0 "$SOCQ" -v fetch --since 2000-01-01
cat "$WORK/err" >"$WORK/fetch1.err"
CASE="bluesky:$BRAND:$ROOT_URI"
expect_eq "$(sqlite3 "$DB" "SELECT count(*) FROM cases WHERE channel = 'bluesky'")" 1 "one case for the thread"
expect_eq "$(sqlite3 "$DB" "SELECT json FROM cases WHERE id = '$CASE'" | jq -r '[.messages[].id] | join(" ")')" "$ROOT_URI $SECOND_URI" "both posts, in order"
expect_eq "$(sqlite3 "$DB" "SELECT json FROM cases WHERE id = '$CASE'" | jq -r .customer.id)" "$CUST_DID" "the customer"
expect_eq "$(sqlite3 "$DB" "SELECT json FROM cases WHERE id = '$CASE'" | jq -r .customer.followers)" 0 "followersCount from getProfiles"
SESSION="$DB.bluesky-nr-bsky.session"
[ "$(stat -c %a "$SESSION")" = 600 ] || fail "session cache mode"
pass

# An incremental run: nothing new, and no new login (the cache serves).
expect_exit 0 "$SOCQ" -v fetch
expect_err "0 new messages"
if grep -q "createSession" "$WORK/err"; then fail "a second login"; fi
pass

# socq reply: a threaded reply on the reference PDS, visible in the thread.
expect_exit 0 "$SOCQ" reply "$CASE" "Sorry @$CUST, we are on it: see https://example.org/status"
REPLY_URI=$(sqlite3 "$DB" "SELECT json FROM cases WHERE id = '$CASE'" | jq -r '[.messages[] | select(.dir == "out")] | last | (.posted_id // .id)')
[[ $REPLY_URI == "at://$BRAND_DID/app.bsky.feed.post/"* ]] || fail "the reply's uri: $REPLY_URI"
pass
process
xrpc_get app.bsky.feed.getPostThread "uri=$ROOT_URI" "$CUST_JWT" >"$WORK/thread.json"
jq -e --arg u "$REPLY_URI" '[.. | objects | select(.post? and .post.uri == $u)] | length == 1' "$WORK/thread.json" >/dev/null ||
  { head -c 2000 "$WORK/thread.json" >&2; fail "the reply is not in getPostThread"; }
REC=$(jq --arg u "$REPLY_URI" '[.. | objects | select(.post? and .post.uri == $u)][0].post.record' "$WORK/thread.json")
expect_eq "$(jq -r .reply.root.uri <<<"$REC")" "$ROOT_URI" "reply root"
expect_eq "$(jq -r .reply.parent.uri <<<"$REC")" "$SECOND_URI" "reply parent: the customer's latest post"
expect_eq "$(jq -r '[.facets[].features[0]["$type"]] | sort | join(",")' <<<"$REC")" \
  "app.bsky.richtext.facet#link,app.bsky.richtext.facet#mention" "facets"
expect_eq "$(jq -r '.facets[] | select(.features[0].did) | .features[0].did' <<<"$REC")" "$CUST_DID" "mention resolved to the customer's DID"

# The customer answers our reply: it joins the case on the next fetch.
REF2="{\"root\":{\"uri\":\"$ROOT_URI\",\"cid\":\"$ROOT_CID\"},\"parent\":{\"uri\":\"$REPLY_URI\",\"cid\":$(jq '[.. | objects | select(.post? and .post.uri == "'"$REPLY_URI"'")][0].post.cid' "$WORK/thread.json")}}"
THIRD_URI=$(post "@$BRAND thanks, got a seat on the next one" "$REF2" | jq -r .uri)
process
expect_exit 0 "$SOCQ" fetch
expect_eq "$(sqlite3 "$DB" "SELECT json FROM cases WHERE id = '$CASE'" | jq -r '.messages | last | .id')" "$THIRD_URI" "the answer joins the case"

# Secrets: the app password and the JWTs are nowhere but the 0600 cache.
ACCESS=$(jq -r .accessJwt "$SESSION")
for f in "$WORK/fetch1.err" "$WORK/err" "$WORK/out"; do
  if grep -qF -- "$APP_PASSWORD" "$f" || grep -qF -- "$ACCESS" "$f" || grep -q "eyJ" "$f"; then fail "a secret in $f"; fi
done
if sqlite3 "$DB" .dump | grep -qF -e "$APP_PASSWORD" -e "$ACCESS"; then fail "a secret in the store"; fi
pass
done_ok
