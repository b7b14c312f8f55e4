# Terminal manners, with and without a pseudo-terminal (util-linux script).
source "$(dirname "$0")/helpers.bash"
command -v script >/dev/null || { echo "terminal.sh: skipped: no script(1)"; exit 77; }
EX="$SRC/examples/cases.jsonl"
DB="$WORK/s.db"
"$SOCQ" fetch -q --from "$EX" --store "$DB"
on_tty() { TERM=xterm script -qec "$*" /dev/null </dev/null; }
ESC=$'\033['

# On a terminal: a table with a bold header; NO_COLOR and TERM=dumb turn colour off.
on_tty "$SOCQ" case list --store "$DB" >"$WORK/tty.out"
grep -q "STATUS" "$WORK/tty.out" || fail "no table on a terminal"; pass
grep -qF "${ESC}1m" "$WORK/tty.out" || fail "no colour on a terminal"; pass
NO_COLOR=1 on_tty "$SOCQ" case list --store "$DB" >"$WORK/tty.out"
grep -q "STATUS" "$WORK/tty.out" || fail "no table with NO_COLOR"; pass
if grep -qF "$ESC" "$WORK/tty.out"; then fail "colour despite NO_COLOR"; fi; pass
TERM=dumb script -qec "$SOCQ case list --store $DB" /dev/null </dev/null >"$WORK/tty.out"
if grep -qF "$ESC" "$WORK/tty.out"; then fail "colour on TERM=dumb"; fi; pass

# In a pipe: JSON Lines only on stdout, no colour; CLICOLOR_FORCE forces it.
"$SOCQ" case list --store "$DB" >"$WORK/pipe.out" 2>"$WORK/pipe.err"
expect_eq "$(grep -vc '^{"v":1,' "$WORK/pipe.out")" 0 "non-JSON lines on stdout"
if grep -qF "$ESC" "$WORK/pipe.out" "$WORK/pipe.err"; then fail "colour in a pipe"; fi; pass
CLICOLOR_FORCE=1 "$SOCQ" case list --store "$DB" --format table >"$WORK/forced.out" 2>/dev/null
grep -qF "${ESC}1m" "$WORK/forced.out" || fail "CLICOLOR_FORCE gave no colour"; pass

# Status lines go to stderr; -q silences them.
"$SOCQ" fetch --from "$EX" --store "$DB" >"$WORK/out" 2>"$WORK/err"
expect_eq "$(wc -c <"$WORK/out")" 0 "stdout of a store import"
grep -q "33 unchanged" "$WORK/err" || fail "no summary on stderr"; pass
"$SOCQ" -q fetch --from "$EX" --store "$DB" >"$WORK/out" 2>"$WORK/err"
expect_eq "$(wc -c <"$WORK/err")" 0 "stderr with -q"

# Progress only when stderr is a terminal.
: "${SOCQ_GEN:?}"
"$SOCQ_GEN" --twcs 90000 >"$WORK/big.csv"
"$SOCQ" fetch --from "$WORK/big.csv" >/dev/null 2>"$WORK/err"
if grep -q '%' "$WORK/err"; then fail "progress without a terminal"; fi; pass
on_tty "$SOCQ" fetch --from "$WORK/big.csv" ">/dev/null" >"$WORK/tty.out"
grep -q '%' "$WORK/tty.out" || fail "no progress on a terminal"; pass
done_ok
