# Config files, precedence, identity, secrets: socq config show/check.
source "$(dirname "$0")/helpers.bash"
EX="$SRC/examples/cases.jsonl"
SECRET="tok-5f1c9e7a-never-print-me"
XSECRET="xtok-0b2d44-never-print-me"
mkdir -p "$XDG_CONFIG_HOME/socq" "$WORK/etc"
printf '%s\n' "$SECRET" >"$WORK/mastodon.token"
chmod 600 "$WORK/mastodon.token"
cat >"$WORK/etc/config.toml" <<TOML
store = "$WORK/system.db"
user = "ops"
TOML
cat >"$XDG_CONFIG_HOME/socq/config.toml" <<TOML
user = "sam"

[accounts.transit]
channel = "mastodon"
handle = "transit@example.social"
base_url = "https://example.social"
token_file = "$WORK/mastodon.token"

[accounts.rail-x]
channel = "x"
handle = "NorthRailHelp"
token_env = "SOCQ_TEST_X_TOKEN"
TOML
export SOCQ_SYSTEM_CONFIG="$WORK/etc/config.toml" SOCQ_TEST_X_TOKEN="$XSECRET"
unset SOCQ_USER

# Precedence: system < user < environment < flag, each value with its source.
expect_exit 0 "$SOCQ" config show
expect_out "store = \"$WORK/system.db\""
expect_out "# $WORK/etc/config.toml:1"
expect_out "user = \"sam\""
expect_out "# $XDG_CONFIG_HOME/socq/config.toml:1"
expect_out "token: ********"
SOCQ_USER=kim expect_exit 0 "$SOCQ" config show
expect_out "# env SOCQ_USER"
SOCQ_STORE="$WORK/env.db" expect_exit 0 "$SOCQ" config show
expect_out "store = \"$WORK/env.db\""
SOCQ_STORE="$WORK/env.db" expect_exit 0 "$SOCQ" config show --store "$WORK/flag.db"
expect_out "store = \"$WORK/flag.db\""
expect_out "# flag --store"
expect_exit 0 "$SOCQ" config check
expect_err "config ok"
expect_exit 0 "$SOCQ" -v config check
expect_err "socq: config $WORK/etc/config.toml, $XDG_CONFIG_HOME/socq/config.toml; store $WORK/system.db; user sam"

# Identity: the agent is written into the events a command adds.
expect_exit 0 "$SOCQ" fetch --from "$EX"
expect_exit 0 "$SOCQ" fetch --from "$EX" --store "$WORK/system.db"
expect_exit 0 "$SOCQ" case assign x:NorthRailHelp:1859000000000006011 priya
expect_exit 0 "$SOCQ" case show x:NorthRailHelp:1859000000000006011
expect_out '"by":"sam","what":"assigned to priya"'

# Secrets: a token file others can read is refused, saying how to fix it.
chmod 644 "$WORK/mastodon.token"
expect_exit 77 "$SOCQ" config check
expect_err "readable by others (mode 0644); run: chmod 600 $WORK/mastodon.token"
chmod 600 "$WORK/mastodon.token"
SOCQ_TEST_X_TOKEN= expect_exit 77 "$SOCQ" config check
expect_err "environment variable SOCQ_TEST_X_TOKEN is not set"

# No secret anywhere: everything the runs wrote, and the store.
cat "$WORK"/out "$WORK"/err >"$WORK/all-output"
for cmd in "config show" "config check" "case list" "help exit-codes"; do
  $SOCQ $cmd >>"$WORK/all-output" 2>&1 || true
done
sqlite3 "$WORK/system.db" .dump >>"$WORK/all-output"
if grep -rqF -e "$SECRET" -e "$XSECRET" "$WORK/all-output"; then fail "a secret appeared in output"; fi
pass

# Bad config: unknown keys, wrong types, secrets inline: file:line and exit 78.
printf 'user = "sam"\ncolour = "always"\n' >"$WORK/bad.toml"
expect_exit 78 "$SOCQ" --config "$WORK/bad.toml" case list
expect_err "$WORK/bad.toml:2: unknown key \"colour\""
printf 'user = 7\n' >"$WORK/bad.toml"
expect_exit 78 "$SOCQ" config show --config "$WORK/bad.toml"
expect_err "$WORK/bad.toml:1: \"user\" must be a string"
printf '[accounts.a]\nchannel = "x"\ntoken = "%s"\n' "$SECRET" >"$WORK/bad.toml"
expect_exit 78 "$SOCQ" config check --config "$WORK/bad.toml"
expect_err "$WORK/bad.toml:3: accounts.a.token: secrets do not belong in the config"
if grep -qF "$SECRET" "$WORK/err"; then fail "the inline secret was echoed"; fi
pass
expect_exit 78 "$SOCQ" config show --config "$WORK/missing.toml"

# A base_url socq cannot use is refused before any request, naming the
# account: by `config check` and by fetch (it used to fail at connect time).
printf '[accounts.m]\nchannel = "mastodon"\nhandle = "brand@example.social"\ntoken_env = "HOME"\nbase_url = "https://example.social:"\n' >"$WORK/url.toml"
expect_exit 78 "$SOCQ" config check --config "$WORK/url.toml"
expect_err "account m ($WORK/url.toml:1): base_url has a port that is not 1-65535"
expect_exit 78 "$SOCQ" fetch -q --config "$WORK/url.toml" --store "$WORK/url.db"
expect_err "base_url has a port that is not 1-65535"
done_ok
