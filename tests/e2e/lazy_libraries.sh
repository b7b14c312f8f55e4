# socq loads libcurl and SQLite only when a command needs them
# (lib/curl_dl.h, lib/sqlite_dl.h): with one hidden (a private mount
# namespace binds /dev/null over it), --version and a file import to stdout
# still work, and a command that needs it exits 69 naming what to install.
source "$(dirname "$0")/helpers.bash"
library() { realpath "$(ldconfig -p | grep -m1 "$1 " | sed 's/.*=> //')"; }
curl=$(library 'libcurl\.so\.4') sqlite=$(library 'libsqlite3\.so\.0')
[ -f "$curl" ] && [ -f "$sqlite" ] || { echo "lazy_libraries.sh: skipped: libcurl or libsqlite3 not found"; exit 77; }
# without LIB CMD...: runs CMD with LIB unreadable as a library.
without() { unshare -m --propagation private sh -c 'mount --bind /dev/null "$0" && shift && exec "$@"' "$1" "$@"; }
without "$curl" true 2>/dev/null || { echo "lazy_libraries.sh: skipped: no mount namespaces here"; exit 77; }
TWCS="$SRC/tests/fixtures/twcs-mess.csv"

for lib in "$curl" "$sqlite"; do
  expect_exit 0 without "$lib" "$SOCQ" --version
  expect_out "socq 0.1.0"
  expect_exit 0 without "$lib" "$SOCQ" fetch --from "$TWCS"
  expect_err "9 rows read"
done

# No SQLite: a store cannot open, and nothing is left behind.
expect_exit 69 without "$sqlite" "$SOCQ" fetch --from "$TWCS" --store "$WORK/s.db"
expect_err "SQLite is not installed"
expect_err "install the package libsqlite3-0"
[ ! -e "$WORK/s.db" ] || fail "a store file was made without SQLite"
pass

# No libcurl: talking to a server fails with 69 at once (no retries: a
# missing library is not a transport failure).
export NR_TOKEN=no-server-sees-this-token
mkdir -p "$XDG_CONFIG_HOME/socq"
printf '[accounts.northrail]\nchannel = "mastodon"\nbase_url = "http://127.0.0.1:9"\ntoken_env = "NR_TOKEN"\n' \
  >"$XDG_CONFIG_HOME/socq/config.toml"
expect_exit 69 without "$curl" "$SOCQ" -v fetch --check
expect_err "libcurl is not installed"
grep -q "retry 1 of" "$WORK/err" && fail "a missing libcurl was retried"
pass
expect_err "install the package libcurl4"
done_ok
