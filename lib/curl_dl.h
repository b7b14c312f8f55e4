// libcurl, loaded on first use. socq links no libcurl: the few curl_*
// functions it calls (curl_dl.cc) are forwarders that dlopen libcurl.so.4 the
// first time an HTTP or SMTP client is made, so commands that never talk to
// a server do not pay, at every start, for relocating libcurl and the
// thirty-odd libraries it pulls in (TLS, HTTP/2, IDN, LDAP, Kerberos, SSH).
// The types still come from <curl/curl.h>.
#pragma once
#include "lib/result.h"

namespace socq {

// Loads libcurl once (thread-safe); later calls return the first outcome.
// A missing or too old libcurl is Exit::unavailable with what to install.
Status load_libcurl();

}  // namespace socq
