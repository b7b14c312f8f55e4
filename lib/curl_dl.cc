#include "lib/curl_dl.h"

#include <curl/curl.h>
#include <dlfcn.h>

#include <cstdarg>
#include <string>

namespace socq {
namespace {

// The soname Debian's libcurl4 ships (the OpenSSL flavour, as linked before).
constexpr const char* kLibcurl = "libcurl.so.4";

struct Libcurl {
  CURLcode (*global_init)(long) = nullptr;
  CURL* (*easy_init)() = nullptr;
  void (*easy_cleanup)(CURL*) = nullptr;
  void (*easy_reset)(CURL*) = nullptr;
  CURLcode (*easy_setopt)(CURL*, CURLoption, ...) = nullptr;
  CURLcode (*easy_perform)(CURL*) = nullptr;
  CURLcode (*easy_getinfo)(CURL*, CURLINFO, ...) = nullptr;
  const char* (*easy_strerror)(CURLcode) = nullptr;
  curl_slist* (*slist_append)(curl_slist*, const char*) = nullptr;
  void (*slist_free_all)(curl_slist*) = nullptr;
};

Libcurl g_curl;  // constant-initialised: no start-up cost

template <class F>
bool resolve(void* handle, const char* name, F& fn, std::string& missing) {
  fn = reinterpret_cast<F>(dlsym(handle, name));
  if (!fn) missing += missing.empty() ? name : std::string(", ") + name;
  return fn != nullptr;
}

Status open_libcurl() {
  void* h = dlopen(kLibcurl, RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    const char* why = dlerror();
    return Error{Exit::unavailable, std::string("libcurl is not installed (") + (why ? why : kLibcurl) +
                                        "): install the package libcurl4 to talk to platforms or mail servers"};
  }
  std::string missing;
  resolve(h, "curl_global_init", g_curl.global_init, missing);
  resolve(h, "curl_easy_init", g_curl.easy_init, missing);
  resolve(h, "curl_easy_cleanup", g_curl.easy_cleanup, missing);
  resolve(h, "curl_easy_reset", g_curl.easy_reset, missing);
  resolve(h, "curl_easy_setopt", g_curl.easy_setopt, missing);
  resolve(h, "curl_easy_perform", g_curl.easy_perform, missing);
  resolve(h, "curl_easy_getinfo", g_curl.easy_getinfo, missing);
  resolve(h, "curl_easy_strerror", g_curl.easy_strerror, missing);
  resolve(h, "curl_slist_append", g_curl.slist_append, missing);
  resolve(h, "curl_slist_free_all", g_curl.slist_free_all, missing);
  if (!missing.empty()) {
    g_curl = Libcurl{};
    return Error{Exit::unavailable, std::string(kLibcurl) + " lacks " + missing + ": install a newer libcurl4"};
  }
  return ok_status();  // never dlclose'd: handles live until exit
}

// Opened on the first call, by one thread (a function-local static).
const Status& load_status() {
  static const Status status = open_libcurl();
  return status;
}

bool loaded() { return load_status().ok(); }

}  // namespace

Status load_libcurl() { return load_status(); }

}  // namespace socq

// The libcurl functions socq calls, forwarded to the loaded library. The
// names in parentheses keep curl.h's function-like macros out.
extern "C" {

CURLcode(curl_global_init)(long flags) {
  return socq::loaded() ? socq::g_curl.global_init(flags) : CURLE_FAILED_INIT;
}

CURL*(curl_easy_init)(void) { return socq::loaded() ? socq::g_curl.easy_init() : nullptr; }

void(curl_easy_cleanup)(CURL* curl) {
  if (curl && socq::loaded()) socq::g_curl.easy_cleanup(curl);
}

void(curl_easy_reset)(CURL* curl) {
  if (curl && socq::loaded()) socq::g_curl.easy_reset(curl);
}

// The one argument's type follows from the option's number (curl.h's
// CURLOPTTYPE_* ranges), as libcurl itself reads it.
CURLcode(curl_easy_setopt)(CURL* curl, CURLoption option, ...) {
  if (!socq::loaded()) return CURLE_FAILED_INIT;
  va_list ap;
  va_start(ap, option);
  CURLcode rc;
  if (option < CURLOPTTYPE_OBJECTPOINT) rc = socq::g_curl.easy_setopt(curl, option, va_arg(ap, long));
  else if (option < CURLOPTTYPE_FUNCTIONPOINT) rc = socq::g_curl.easy_setopt(curl, option, va_arg(ap, void*));
  else if (option < CURLOPTTYPE_OFF_T) rc = socq::g_curl.easy_setopt(curl, option, va_arg(ap, void (*)()));
  else if (option < CURLOPTTYPE_BLOB) rc = socq::g_curl.easy_setopt(curl, option, va_arg(ap, curl_off_t));
  else rc = socq::g_curl.easy_setopt(curl, option, va_arg(ap, void*));
  va_end(ap);
  return rc;
}

CURLcode(curl_easy_perform)(CURL* curl) { return socq::loaded() ? socq::g_curl.easy_perform(curl) : CURLE_FAILED_INIT; }

// Every CURLINFO takes a pointer to where the answer goes.
CURLcode(curl_easy_getinfo)(CURL* curl, CURLINFO info, ...) {
  if (!socq::loaded()) return CURLE_FAILED_INIT;
  va_list ap;
  va_start(ap, info);
  const CURLcode rc = socq::g_curl.easy_getinfo(curl, info, va_arg(ap, void*));
  va_end(ap);
  return rc;
}

const char*(curl_easy_strerror)(CURLcode code) {
  return socq::loaded() ? socq::g_curl.easy_strerror(code) : "libcurl is not installed";
}

curl_slist*(curl_slist_append)(curl_slist* list, const char* text) {
  return socq::loaded() ? socq::g_curl.slist_append(list, text) : nullptr;
}

void(curl_slist_free_all)(curl_slist* list) {
  if (list && socq::loaded()) socq::g_curl.slist_free_all(list);
}

}  // extern "C"
