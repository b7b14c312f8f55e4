# The demo prints exactly the stored expected output.
source "$(dirname "$0")/helpers.bash"
"$SRC/examples/demo.sh" "$SOCQ" "$WORK/demo.db" >"$WORK/demo.out" 2>"$WORK/demo.err"
diff -u "$SRC/tests/e2e/demo.expected" "$WORK/demo.out" || fail "demo output differs from tests/e2e/demo.expected"
pass
grep -qF "fetch: 33 cases: 33 created, 0 updated, 0 unchanged" "$WORK/demo.err" || fail "demo summary"
pass
done_ok
