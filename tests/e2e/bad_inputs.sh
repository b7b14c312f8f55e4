# The documented list of bad inputs (tests/bad_inputs/list.tsv, made by
# scripts/gen-bad-inputs): each must exit with its code and say its error,
# and leave the store exactly as it was.
source "$(dirname "$0")/helpers.bash"
DIR="$SRC/tests/bad_inputs"
STORE="$WORK/store.db"
mkdir -p "$WORK/adir" "$WORK/adir.csv"
"$SOCQ" fetch -q --from "$SRC/examples/cases.jsonl" --from "$DIR/good.jsonl" --store "$STORE"
snapshot() { "$SOCQ" case list --format jsonl --store "$STORE" | sha256sum; }
before=$(snapshot)
[ "$("$SOCQ" case list --format jsonl --store "$STORE" | wc -l)" -gt 1 ] || fail "the store holds no cases to protect"

n=0
while IFS=$'\t' read -r name code fragment args; do
  case "$name" in '#'* | '') continue ;; esac
  args=${args//\{store\}/$(printf %q "$STORE")}
  args=${args//\{dir\}/$(printf %q "$WORK/adir")}
  args=${args//\{good\}/$(printf %q "$DIR/good.jsonl")}
  while [[ $args =~ \{in:([^}]*)\} ]]; do
    args=${args//"${BASH_REMATCH[0]}"/$(printf %q "$DIR/inputs/${BASH_REMATCH[1]}")}
  done
  env_part=""
  if [[ $args =~ ^([A-Z_]+=[^ ]*)\ (.*)$ ]]; then env_part="env ${BASH_REMATCH[1]}"; args=${BASH_REMATCH[2]}; fi
  got=0
  eval "$env_part \"\$SOCQ\" $args" >"$WORK/out" 2>"$WORK/err" || got=$?
  [ "$got" -eq "$code" ] || { cat "$WORK/err" >&2; fail "$name: exit $got, want $code (socq $args)"; }
  grep -qF -- "$fragment" "$WORK/err" || { cat "$WORK/err" >&2; fail "$name: stderr lacks: $fragment"; }
  ! grep -q "internal error" "$WORK/err" || fail "$name: internal error"
  [ "$(snapshot)" = "$before" ] || fail "$name: the store changed"
  [ ! -e /dev/full-journal ] || fail "$name: left /dev/full-journal"
  n=$((n + 1))
  pass
done <"$DIR/list.tsv"
[ "$n" -ge 200 ] || fail "only $n bad inputs in the list (at least 200)"
done_ok
