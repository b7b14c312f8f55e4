#include "lib/cxx_dl.h"

#include <dlfcn.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>

#include <date/tz.h>
#include <simdjson.h>

#include "lib/exit_codes.h"

namespace socq {

void* load_cxx_library(const char* soname, const char* package) {
  void* h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
  if (h) return h;
  const char* why = dlerror();
  std::fprintf(stderr, "socq: %s is not installed (%s): install the package %s\n", soname, why ? why : "", package);
  std::exit(as_int(Exit::unavailable));
}

namespace {

void* symbol(void* lib, const char* soname, const char* name) {
  if (void* fn = dlsym(lib, name)) return fn;
  std::fprintf(stderr, "socq: %s lacks %s: install a matching version\n", soname, name);
  std::exit(as_int(Exit::unavailable));
}

constexpr const char* kSimdjson = "libsimdjson.so.14";
constexpr const char* kDateTz = "libdate-tz.so.3";

void* simdjson_symbol(const char* name) {
  static void* const lib = load_cxx_library(kSimdjson, "libsimdjson14");
  return symbol(lib, kSimdjson, name);
}

void* date_symbol(const char* name) {
  static void* const lib = load_cxx_library(kDateTz, "libdate-tz3");
  return symbol(lib, kDateTz, name);
}

}  // namespace
}  // namespace socq

// Each forwarder looks its function up once (a function-local static). The
// names are the Itanium-mangled ones the headers declare.
#define SOCQ_CXX_FN(lookup, type, mangled)                                  \
  ([] {                                                                     \
    static const auto fn = reinterpret_cast<type>(socq::lookup(mangled));   \
    return fn;                                                              \
  }())

namespace simdjson {

// The CPU's best kernel, chosen inside the library; its parser
// implementations are made and freed through their virtual functions there.
internal::atomic_ptr<const implementation>& get_active_implementation() {
  using Fn = internal::atomic_ptr<const implementation>& (*)();
  return SOCQ_CXX_FN(simdjson_symbol, Fn, "_ZN8simdjson25get_active_implementationEv")();
}

bool validate_utf8(const char* buf, size_t len) noexcept {
  using Fn = bool (*)(const char*, size_t) noexcept;
  return SOCQ_CXX_FN(simdjson_symbol, Fn, "_ZN8simdjson13validate_utf8EPKcm")(buf, len);
}

namespace internal {

// The slow path for floats too long for the fast one (an unoptimised build
// calls it from inline code; an optimised one did not need it).
double from_chars(const char* first) noexcept {
  using Fn = double (*)(const char*) noexcept;
  return SOCQ_CXX_FN(simdjson_symbol, Fn, "_ZN8simdjson8internal10from_charsEPKc")(first);
}

double from_chars(const char* first, const char* end) noexcept {
  using Fn = double (*)(const char*, const char*) noexcept;
  return SOCQ_CXX_FN(simdjson_symbol, Fn, "_ZN8simdjson8internal10from_charsEPKcS2_")(first, end);
}

}  // namespace internal
}  // namespace simdjson

// simdjson's data that its inline code reads directly: a program linked
// with the library gets them by copy relocation; loaded later, socq holds
// copies, those of simdjson 3.0.1, the header it is built with (the assert
// catches another).
namespace simdjson::internal {

static_assert(NUM_ERROR_CODES == 31, "simdjson's error codes changed: update error_codes in lib/cxx_dl.cc");
const error_code_info error_codes[]{
    {SUCCESS, "No error"},
    {CAPACITY, "This parser can't support a document that big"},
    {MEMALLOC, "Error allocating memory, we're most likely out of memory"},
    {TAPE_ERROR, "The JSON document has an improper structure: missing or superfluous commas, braces, missing keys, etc."},
    {DEPTH_ERROR, "The JSON document was too deep (too many nested objects and arrays)"},
    {STRING_ERROR, "Problem while parsing a string"},
    {T_ATOM_ERROR, "Problem while parsing an atom starting with the letter 't'"},
    {F_ATOM_ERROR, "Problem while parsing an atom starting with the letter 'f'"},
    {N_ATOM_ERROR, "Problem while parsing an atom starting with the letter 'n'"},
    {NUMBER_ERROR, "Problem while parsing a number"},
    {UTF8_ERROR, "The input is not valid UTF-8"},
    {UNINITIALIZED, "Uninitialized"},
    {EMPTY, "Empty: no JSON found"},
    {UNESCAPED_CHARS, "Within strings, some characters must be escaped, we found unescaped characters"},
    {UNCLOSED_STRING, "A string is opened, but never closed."},
    {UNSUPPORTED_ARCHITECTURE, "simdjson does not have an implementation supported by this CPU architecture (perhaps it's a non-SIMD CPU?)."},
    {INCORRECT_TYPE, "The JSON element does not have the requested type."},
    {NUMBER_OUT_OF_RANGE, "The JSON number is too large or too small to fit within the requested type."},
    {INDEX_OUT_OF_BOUNDS, "Attempted to access an element of a JSON array that is beyond its length."},
    {NO_SUCH_FIELD, "The JSON field referenced does not exist in this object."},
    {IO_ERROR, "Error reading the file."},
    {INVALID_JSON_POINTER, "Invalid JSON pointer syntax."},
    {INVALID_URI_FRAGMENT, "Invalid URI fragment syntax."},
    {UNEXPECTED_ERROR, "Unexpected error, consider reporting this problem as you may have found a bug in simdjson"},
    {PARSER_IN_USE, "Cannot parse a new document while a document is still in use."},
    {OUT_OF_ORDER_ITERATION, "Objects and arrays can only be iterated when they are first encountered."},
    {INSUFFICIENT_PADDING, "simdjson requires the input JSON string to have at least SIMDJSON_PADDING extra bytes allocated, beyond the string's length. Consider using the simdjson::padded_string class if needed."},
    {INCOMPLETE_ARRAY_OR_OBJECT, "JSON document ended early in the middle of an object or array."},
    {SCALAR_DOCUMENT_AS_VALUE, "A JSON document made of a scalar (number, Boolean, null or string) is treated as a value. Use get_bool(), get_double(), etc. on the document instead. "},
    {OUT_OF_BOUNDS, "Attempted to access location outside of document."},
    {TRAILING_CONTENT, "Unexpected trailing content in the JSON input."},
};

// simdjson's two character tables: 1 for JSON whitespace and , : [ ] { }
// in the first, 0 for them in the second (the arrays are simdjson's
// declarations, so they are spelled out here by macro from one predicate).
#define SOCQ_SW(c) ((c) == ' ' || (c) == '\t' || (c) == '\n' || (c) == '\r' || (c) == ',' || (c) == ':' || \
                    (c) == '[' || (c) == ']' || (c) == '{' || (c) == '}')
#define SOCQ_NOT_SW(c) (!SOCQ_SW(c))
#define SOCQ_ROW(b, f) f(b + 0), f(b + 1), f(b + 2), f(b + 3), f(b + 4), f(b + 5), f(b + 6), f(b + 7), f(b + 8), \
                       f(b + 9), f(b + 10), f(b + 11), f(b + 12), f(b + 13), f(b + 14), f(b + 15)
#define SOCQ_TABLE(f) SOCQ_ROW(0, f), SOCQ_ROW(16, f), SOCQ_ROW(32, f), SOCQ_ROW(48, f), SOCQ_ROW(64, f), \
                      SOCQ_ROW(80, f), SOCQ_ROW(96, f), SOCQ_ROW(112, f), SOCQ_ROW(128, f), SOCQ_ROW(144, f), \
                      SOCQ_ROW(160, f), SOCQ_ROW(176, f), SOCQ_ROW(192, f), SOCQ_ROW(208, f), SOCQ_ROW(224, f), \
                      SOCQ_ROW(240, f)
const bool structural_or_whitespace[256]{SOCQ_TABLE(SOCQ_SW)};
const bool structural_or_whitespace_negated[256]{SOCQ_TABLE(SOCQ_NOT_SW)};
#undef SOCQ_TABLE
#undef SOCQ_ROW
#undef SOCQ_NOT_SW
#undef SOCQ_SW

}  // namespace simdjson::internal

namespace date {

// date's own locate_zone throws for an unknown name, and an exception thrown
// by the library's libstdc++.so must not unwind into socq's: the zone is
// looked up here, in the database the library read (zones sorted by name,
// as date's tzdb::locate_zone searches them; no links under USE_OS_TZDB),
// and the error thrown here.
const time_zone* locate_zone(std::string_view name) {
  using Fn = const tzdb& (*)();
  const tzdb& db = SOCQ_CXX_FN(date_symbol, Fn, "_ZN4date8get_tzdbEv")();
  const auto it = std::lower_bound(db.zones.begin(), db.zones.end(), name,
                                   [](const time_zone& z, std::string_view n) { return z.name() < n; });
  if (it == db.zones.end() || it->name() != name)
    throw std::runtime_error(std::string(name) + " not found in timezone database");
  return &*it;
}

// Member functions: on x86-64 (Itanium C++ ABI) `this` is the first
// argument after the hidden return slot, as for a free function taking it
// first.
sys_info time_zone::get_info_impl(sys_seconds tp) const {
  using Fn = sys_info (*)(const time_zone*, sys_seconds);
  return SOCQ_CXX_FN(date_symbol, Fn,
                     "_ZNK4date9time_zone13get_info_implENSt6chrono10time_pointINS1_3_V212system_clockENS1_"
                     "8durationIlSt5ratioILl1ELl1EEEEEE")(this, tp);
}

local_info time_zone::get_info_impl(local_seconds tp) const {
  using Fn = local_info (*)(const time_zone*, local_seconds);
  return SOCQ_CXX_FN(date_symbol, Fn,
                     "_ZNK4date9time_zone13get_info_implENSt6chrono10time_pointINS_7local_tENS1_"
                     "8durationIlSt5ratioILl1ELl1EEEEEE")(this, tp);
}

}  // namespace date
