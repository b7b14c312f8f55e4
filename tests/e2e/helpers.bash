# Shared by the end-to-end tests: run the built socq as a user would.
set -euo pipefail
: "${SOCQ:?path to the socq binary}" "${SRC:?path to the source tree}"
SOCQ=$(realpath "$SOCQ") SRC=$(realpath "$SRC")
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export HOME="$WORK/home" XDG_CONFIG_HOME="$WORK/home/.config" XDG_DATA_HOME="$WORK/home/.local/share"
mkdir -p "$HOME"
unset SOCQ_STORE SOCQ_USER NO_COLOR CLICOLOR_FORCE
export SOCQ_USER=tester SOCQ_NOW=2026-11-23T09:00:00Z
checks=0

fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { checks=$((checks + 1)); }

# expect_exit CODE CMD...: runs CMD, keeps stdout/stderr in $WORK/out, $WORK/err.
expect_exit() {
  local want=$1; shift
  local got=0
  "$@" >"$WORK/out" 2>"$WORK/err" </dev/null || got=$?
  [ "$got" -eq "$want" ] || { cat "$WORK/err" >&2; fail "exit $got, want $want: $*"; }
  pass
}
expect_err() { grep -qF -- "$1" "$WORK/err" || { cat "$WORK/err" >&2; fail "stderr lacks: $1"; }; pass; }
expect_out() { grep -qF -- "$1" "$WORK/out" || { head -c 2000 "$WORK/out" >&2; fail "stdout lacks: $1"; }; pass; }
expect_eq() { [ "$1" = "$2" ] || fail "got '$1', want '$2' ($3)"; pass; }
done_ok() { echo "$(basename "$0"): $checks checks passed"; }
