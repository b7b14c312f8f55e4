// SQLite, loaded on first use, like libcurl (curl_dl.h): socq links no
// libsqlite3. The sqlite3_* functions the store calls are forwarders in
// sqlite_dl.cc that dlopen libsqlite3.so.0 when the first store opens, so a
// command without a store (--version, --help, fetch --from F > out) does not
// bind SQLite's 1,600 symbols at start. Types and constants still come from
// <sqlite3.h>. Calling an sqlite3_ function that is not forwarded there is a
// link error: add one line for it to sqlite_dl.cc.
#pragma once
#include "lib/result.h"

namespace socq {

// Loads libsqlite3 once (thread-safe); later calls return the first outcome.
// A missing libsqlite3 is Exit::unavailable with what to install;
// sqlite3_open_v2 then fails with SQLITE_CANTOPEN and sqlite3_errmsg says so.
Status load_libsqlite();

}  // namespace socq
