# cmake --install and the .deb: files in the usual places, Debian runtime
# dependencies, and the packaged binary runs.
source "$(dirname "$0")/helpers.bash"
: "${BUILD:?the build directory}"
command -v dpkg-deb >/dev/null || { echo "package.sh: skipped: no dpkg-deb"; exit 77; }

cmake --install "$BUILD" --prefix "$WORK/inst" >/dev/null
for f in bin/socq share/man/man1/socq.1.gz share/man/man1/socq-fetch.1.gz share/bash-completion/completions/socq \
         share/zsh/vendor-completions/_socq share/fish/vendor_completions.d/socq.fish share/doc/socq/case.schema.json; do
  [ -e "$WORK/inst/$f" ] || fail "cmake --install did not install $f"
done
pass
expect_exit 0 "$WORK/inst/bin/socq" --version

(cd "$WORK" && cpack -G DEB -B "$WORK/pkg" --config "$BUILD/CPackConfig.cmake" >"$WORK/cpack.log" 2>&1) ||
  { cat "$WORK/cpack.log"; fail "cpack"; }
deb=$(ls "$WORK"/pkg/socq_*.deb)
depends=$(dpkg-deb -f "$deb" Depends)
# Named by hand, as socq loads them on first use: libcurl4 (HTTP), libsqlite3-0
# (a store), libsimdjson14 (JSON), libdate-tz3 (time zones). fmt, toml++, RE2,
# utf8proc and libstdc++ are linked in (CMakeLists.txt: start-up).
for lib in libsqlite3-0 libsimdjson14 libdate-tz3 tzdata libcurl4; do
  case "$depends" in *"$lib"*) pass ;; *) fail ".deb does not depend on $lib: $depends" ;; esac
done
dpkg-deb -x "$deb" "$WORK/root"
expect_exit 0 "$WORK/root/usr/bin/socq" --version
expect_out "socq 0.1.0"
# The packaged binary loads simdjson and date-tz when it needs them.
cp "$SRC/examples/cases.jsonl" "$WORK/cases.jsonl"  # (the packager's build makes no socq-gen-cases)
"$WORK/root/usr/bin/socq" fetch -q --from "$WORK/cases.jsonl" >"$WORK/out.jsonl" || fail "packaged fetch --from"
cmp -s "$WORK/cases.jsonl" "$WORK/out.jsonl" || fail "packaged fetch --from changed the cases"
"$WORK/root/usr/bin/socq" report --tz Europe/London --by day --format csv "$WORK/cases.jsonl" >/dev/null 2>&1 ||
  fail "packaged report --tz"
expect_exit 2 "$WORK/root/usr/bin/socq" report --tz Nowhere/Land "$WORK/cases.jsonl"
[ -f "$WORK/root/usr/share/man/man1/socq.1.gz" ] || fail "no man page in the .deb"
pass
# Every page of man/ is in the .deb gzipped (Debian policy), none left plain.
expect_eq "$(dpkg-deb -c "$deb" | grep -cE '/usr/share/man/man1/socq(-[a-z]+)?\.1\.gz$')" "$(ls "$SRC"/man/*.1 | wc -l)" \
  "gzipped man pages in the .deb"
dpkg-deb -c "$deb" | grep -qE '/man/.*\.[1-9]$' && fail "an uncompressed man page in the .deb"
pass
for page in "$WORK"/root/usr/share/man/man1/*.gz; do gzip -t "$page" || fail "$page is not gzip"; done
pass
MANWIDTH=80 man -l "$WORK/root/usr/share/man/man1/socq-case.1.gz" 2>/dev/null | grep -q "case resolve" || fail "packaged man page"
pass
done_ok
