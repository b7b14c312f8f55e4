# Man pages match the command tree (no option undocumented); shell
# completion works through the hidden __complete command.
source "$(dirname "$0")/helpers.bash"
mkdir -p "$WORK/bin" "$WORK/man"
ln -s "$SOCQ" "$WORK/bin/socq"
export PATH="$WORK/bin:$PATH"

# Every page regenerates to what is committed.
socq __man >"$WORK/man/socq.1"
diff -u "$SRC/man/socq.1" "$WORK/man/socq.1" || fail "man/socq.1 is stale: run scripts/gen-man"
pass
socq __complete -- >"$WORK/global"
grep -qx -- --store "$WORK/global" || fail "no global options"
for opt in $(cat "$WORK/global"); do grep -qF -- "$(printf '%s' "$opt" | sed 's/-/\\-/g')" "$SRC/man/socq.1" || fail "$opt missing from socq.1"; done
pass
for c in $(socq __complete ""); do
  [ "$c" = help ] && continue
  [ -f "$SRC/man/socq-$c.1" ] || fail "no man/socq-$c.1"
  socq __man "$c" | diff -u "$SRC/man/socq-$c.1" - || fail "man/socq-$c.1 is stale: run scripts/gen-man"
  pass
  # each option of the command (not the global ones) appears on its page
  for opt in $(socq __complete "$c" -- | grep -vxF -f <(socq __complete --)); do
    grep -qF -- "$(printf '%s' "$opt" | sed 's/-/\\-/g')" "$SRC/man/socq-$c.1" || fail "$opt missing from socq-$c.1"
  done
  for sub in $(socq __complete "$c" ""); do
    for opt in $(socq __complete "$c" "$sub" -- | grep -vxF -f <(socq __complete --)); do
      grep -qF -- "$(printf '%s' "$opt" | sed 's/-/\\-/g')" "$SRC/man/socq-$c.1" || fail "$opt ($c $sub) missing from socq-$c.1"
    done
  done
  pass
done
# The pages render.
if command -v man >/dev/null; then
  MANWIDTH=80 man -l "$SRC/man/socq.1" >"$WORK/rendered" 2>/dev/null
  grep -q "EXIT STATUS" "$WORK/rendered" || fail "socq.1 does not render"
  pass
fi

# bash: socq fe<TAB>, socq fetch --<TAB>, socq case <TAB>
complete_bash() {
  bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _socq; printf "%s\n" "${COMPREPLY[@]}"' _ \
    "$SRC/completions/socq.bash" "$@"
}
expect_eq "$(complete_bash socq fe)" "fetch" "socq fe<TAB>"
complete_bash socq fetch -- >"$WORK/out"
for o in --from --format --skip-bad --map --mapping --store --quiet; do expect_out "$o"; done
expect_eq "$(complete_bash socq case "" | sort | tr '\n' ' ')" "assign away due list resolve show " "socq case <TAB>"
expect_eq "$(complete_bash socq --store x.db ca)" "case" "a global option with its value before the command"
expect_eq "$(complete_bash socq help ex)" "exit-codes" "socq help ex<TAB>"
# zsh and fish scripts at least parse, when those shells are here.
if command -v zsh >/dev/null; then zsh -n "$SRC/completions/_socq" || fail "zsh script"; pass; fi
if command -v fish >/dev/null; then
  fish -n "$SRC/completions/socq.fish" || fail "fish script"
  expect_eq "$(fish -c "source $SRC/completions/socq.fish; complete -C 'socq fe'")" "fetch" "fish: socq fe<TAB>"
  fish -c "source $SRC/completions/socq.fish; complete -C 'socq fetch --f'" >"$WORK/out"
  expect_out "--from"
  expect_out "--format"
fi
done_ok
