#!/usr/bin/env bash
# Rules about the source tree itself that the compiler cannot check.
source "$(dirname "$0")/helpers.bash"
cd "$SRC"

# toml++ only through lib/tomlpp.h, which mends a toml++ 3.3.0 bug in one of
# its inline functions: a file including <toml++/toml.h> first would compile
# the broken definition (and two definitions of one inline function).
direct=$(grep -rlE '#include\s*[<"]toml\+\+/' lib cmd tests bench --include='*.h' --include='*.cc' | grep -vx lib/tomlpp.h || true)
[ -z "$direct" ] || fail "include lib/tomlpp.h, not toml++ itself: $direct"
pass
done_ok
