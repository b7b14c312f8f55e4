# One socq fetch from every platform's fake at once (Mastodon, X, Facebook
# and Bluesky) into one store: each account's cases
# and cursors, nothing twice, no token anywhere; a second run adds nothing.
source "$(dirname "$0")/helpers.bash"
[ -n "${SOCQ_FAKE:-}" ] || { echo "SOCQ_FAKE not set: the fake is not built" >&2; exit 77; }
command -v curl >/dev/null && command -v jq >/dev/null || { echo "curl and jq needed (scripts/deps)" >&2; exit 77; }
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$WORK"' EXIT

# start PLATFORM VAR: starts its fake and sets VAR to its base URL. Not in a
# $(...) subshell, so the trap above knows every fake's pid.
start() {
  "$SOCQ_FAKE" "$1" --port 0 >"$WORK/$1.out" 2>"$WORK/$1.err" &
  PIDS+=($!)
  for _ in $(seq 200); do [ -s "$WORK/$1.out" ] && break; sleep 0.05; done
  [ -s "$WORK/$1.out" ] || fail "$1 fake did not start"
  printf -v "$2" 'http://127.0.0.1:%s' "$(head -1 "$WORK/$1.out")"
}
start mastodon M
start x X
start facebook F
start bluesky BSKY

export NR_TOKEN=fake-token-northrail X_TOKEN=fake-token-x-northrail FB_TOKEN=fake-page-token-northrail
mkdir -p "$XDG_CONFIG_HOME/socq"
cat >"$XDG_CONFIG_HOME/socq/config.toml" <<TOML
[accounts.mastodon]
channel = "mastodon"
base_url = "$M"
token_env = "NR_TOKEN"

[accounts.x]
channel = "x"
base_url = "$X"
token_env = "X_TOKEN"

[accounts.facebook]
channel = "facebook"
base_url = "$F/v19.0"
page_id = "104000000000001"
token_env = "FB_TOKEN"
TOML
# The Bluesky fake's own account (see tests/fakes/README.md).
acct="$SRC/tests/fakes/fixtures/bluesky/account.json"
ident=$(jq -r '.handle // empty' "$acct") && [ -n "$ident" ] || fail "no handle in $acct"
BSKY_PASSWORD=$(jq -r '.password // empty' "$acct") && [ -n "$BSKY_PASSWORD" ] || fail "no password in $acct"
export BSKY_PASSWORD
cat >>"$XDG_CONFIG_HOME/socq/config.toml" <<TOML

[accounts.bluesky]
channel = "bluesky"
base_url = "$BSKY"
identifier = "$ident"
password_env = "BSKY_PASSWORD"
TOML
want_channels="bluesky facebook mastodon x"
DB="$WORK/all.db"

expect_exit 0 "$SOCQ" fetch --since 2026-11-01 --store "$DB" -v
for ch in $want_channels; do
  n=$(sqlite3 "$DB" "SELECT count(*) FROM cases WHERE channel = '$ch'")
  [ "$n" -gt 0 ] || fail "no $ch cases"; pass
  [ "$(sqlite3 "$DB" "SELECT count(*) FROM cursors WHERE channel = '$ch'")" -ge 2 ] || fail "no $ch cursors"; pass
done
expect_eq "$(sqlite3 "$DB" "SELECT group_concat(DISTINCT channel) FROM (SELECT channel FROM cases ORDER BY channel)" | tr ',' ' ')" "$want_channels" "every platform in one store"
dup=$(sqlite3 "$DB" "SELECT json FROM cases" | jq -r '.channel + " " + .messages[].id' | sort | uniq -d | head -3)
[ -z "$dup" ] || fail "messages in two cases: $dup"; pass
n1=$(sqlite3 "$DB" "SELECT count(*) FROM messages")

expect_exit 0 "$SOCQ" fetch --store "$DB"
expect_eq "$(sqlite3 "$DB" "SELECT count(*) FROM messages")" "$n1" "a second run adds nothing"

for f in "$WORK"/out "$WORK"/err "$DB"; do
  for t in "$NR_TOKEN" "$X_TOKEN" "$FB_TOKEN" "$BSKY_PASSWORD"; do
    if grep -q -a -- "$t" "$f"; then fail "a secret in $f"; fi
  done
done
pass
done_ok
