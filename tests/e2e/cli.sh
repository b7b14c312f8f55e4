# The CLI frame: help, version, did-you-mean, exit codes, honest stubs.
source "$(dirname "$0")/helpers.bash"

expect_exit 0 "$SOCQ" --help
for c in fetch triage reply handoff report case; do expect_out "$c"; done
expect_exit 0 "$SOCQ" --version
expect_out "socq 0.1.0"
expect_exit 0 "$SOCQ" help fetch
expect_out "--from"
expect_exit 0 "$SOCQ" help exit-codes
for code in 0 1 2 3 4 65 66 69 70 74 75 77 78; do grep -qE "^ +$code " "$WORK/out" || fail "exit code $code not listed"; done
pass

expect_exit 2 "$SOCQ" fecth
expect_err "unknown command 'fecth'. Did you mean 'fetch'?"
expect_exit 2 "$SOCQ" rep
expect_err "Did you mean 'reply' or 'report'?"
expect_exit 2 "$SOCQ" help fetc
expect_err "Did you mean 'fetch'?"
expect_exit 2 "$SOCQ" fetch --no-such-option
expect_exit 2 "$SOCQ" fetch --frm x.csv
expect_err "unknown option '--frm' for 'socq fetch'. Did you mean '--from'?"
expect_exit 2 "$SOCQ" case list --stauts open
expect_err "unknown option '--stauts' for 'socq case list'. Did you mean '--status'?"
expect_exit 2 "$SOCQ" case
expect_exit 2 "$SOCQ" case show
expect_exit 2 "$SOCQ" case resolve x:y:z --reason because

expect_exit 2 "$SOCQ" reply  # built: says what to give it
expect_err "say what to do"
expect_exit 78 "$SOCQ" fetch
expect_err "no accounts configured"
expect_exit 2 "$SOCQ" fetch --from "$SRC/examples/cases.jsonl" --format xml

# A cron job with an open stdin must not hang: nothing reads stdin unless named '-'.
expect_exit 66 timeout 10 "$SOCQ" case list
expect_err "no store here yet"
expect_exit 0 timeout 10 "$SOCQ" triage   # no files: the default store, not stdin
expect_err "looked at 0 changed cases"
done_ok
