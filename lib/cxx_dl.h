// simdjson and date-tz, loaded on first use like libcurl and SQLite
// (curl_dl.h, sqlite_dl.h). They are the two C++ libraries Debian ships only
// as shared objects; both need libstdc++.so, whose relocation alone is a
// C++ program's start-up twice over /bin/true. socq links libstdc++ (and
// fmt, toml++, RE2, utf8proc) statically and calls the few functions of
// these two libraries through forwarders in cxx_dl.cc, which dlopen the
// library when a command first parses JSON or meets a time zone. The library
// then brings its own libstdc++.so: nothing but plain data, pointers and
// malloc'ed memory crosses between the two copies (no exception is thrown
// across, see cxx_dl.cc). Headers, types and inline code are unchanged.
#pragma once

namespace socq {

// The loaded library, or the program ends with exit 69 (unavailable) naming
// the Debian package to install: a JSON reader without its parser cannot go
// on, and the callers have no error path for it.
void* load_cxx_library(const char* soname, const char* package);

}  // namespace socq
