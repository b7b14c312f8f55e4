#include "lib/case_json.h"

#include <simdjson.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <algorithm>
#include <bit>
#include <charconv>
#include <cstring>

#include "lib/json_cursor.h"
#include "lib/timefmt.h"

namespace socq {

namespace od = simdjson::ondemand;
using simdjson::error_code;

namespace {

// A case as views of the line (or of simdjson's string buffer) for
// validate(): the same parse functions fill it (they are templates over the
// model), so the checks and errors are the parse's; unknown members are
// checked, not kept. Its vectors keep their capacity from case to case, so
// a validation allocates nothing once warm.
using View = std::string_view;
using OptView = std::optional<std::string_view>;
struct NoExtras {};

void add_extra(Extras& extra, std::string_view key, std::string_view raw) { extra.emplace_back(key, raw); }
void add_extra(NoExtras&, std::string_view, std::string_view) {}

struct CustomerView {
  View id;
  OptView handle, name;
  std::optional<int64_t> followers;
  NoExtras extra;
};
struct MessageView {
  View id;
  Dir dir = Dir::in;
  View at, author, text;
  bool is_public = true;
  OptView visibility, reply_to, lang;
  bool is_auto = false, redacted = false;
  OptView posted_id;
  NoExtras extra;
};
struct SlaView {
  OptView first_response_due, next_response_due, resolution_due, first_response_at;
  std::vector<View> breached;
  NoExtras extra;
};
struct HandoffView {
  View to, at, by;
  OptView why, ref, owner, follow_up_due, completed_at;
  NoExtras extra;
};
struct IncidentView {
  View id;
  OptView title, since;
  NoExtras extra;
};
struct LinkView {
  View rel, ref;
  NoExtras extra;
};
struct ResolutionView {
  View reason, at, by;
  NoExtras extra;
};
struct EventView {
  View at, by, what;
  NoExtras extra;
};
struct CaseView {
  int v = kCaseVersion;
  View id;
  int64_t rev = 0;
  View channel, account;
  CustomerView customer;
  std::vector<MessageView> messages;
  CaseStatus status = CaseStatus::new_;
  OptView priority, category;
  std::vector<View> tags;
  OptView team, owner;
  SlaView sla;
  std::vector<LinkView> links;
  std::optional<HandoffView> handoff;
  std::optional<IncidentView> incident;
  std::optional<ResolutionView> resolution;
  std::vector<View> pii;
  std::vector<EventView> events;
  View updated_at;
  NoExtras extra;

  // Back to a fresh case, keeping the vectors' memory.
  void reset() {
    auto m = std::move(messages);
    auto t = std::move(tags), b = std::move(sla.breached), p = std::move(pii);
    auto l = std::move(links);
    auto e = std::move(events);
    *this = CaseView{};
    m.clear(), t.clear(), b.clear(), p.clear(), l.clear(), e.clear();
    messages = std::move(m), tags = std::move(t), sla.breached = std::move(b), pii = std::move(p);
    links = std::move(l), events = std::move(e);
  }
};

// The time of the newest message (the later one of equal instants), or "":
// last_message_at() for either model.
template <class C>
auto newest_message_at(const C& c) -> decltype(c.updated_at) {
  decltype(c.updated_at) best{};
  int64_t best_ms = INT64_MIN;
  for (const auto& m : c.messages) {
    auto ms = parse_rfc3339_utc(m.at);
    if (ms && *ms >= best_ms) {
      best_ms = *ms;
      best = m.at;
    }
  }
  return best;
}

}  // namespace

struct CaseParser::Impl {
  od::parser ondemand;
  simdjson::dom::parser dom;  // validates unknown members' text
  std::string scratch;        // padded copy for parse(string_view)
  CaseView view;              // validate()'s reused case
  std::string unescaped;      // the fast path's unescaped strings
  bool fast = true;
  size_t gave_up = 0;
};

namespace {

// k == lit, with the length compared first and a memcmp of constant size
// that the compiler turns into a load or two: keys are matched by chains.
template <size_t N>
[[gnu::always_inline]] inline bool is(std::string_view k, const char (&lit)[N]) {
  return k.size() == N - 1 && std::memcmp(k.data(), lit, N - 1) == 0;
}

// Where a value sits in the case ("messages[2].at"), built into a string
// only when there is an error to report: the hot path allocates nothing.
struct Path {
  static constexpr size_t kNoIndex = static_cast<size_t>(-1);
  const Path* parent = nullptr;
  std::string_view key;  // a member name, or empty for an array element
  size_t index = kNoIndex;

  Path child(std::string_view k) const { return Path{this, k, kNoIndex}; }
  Path at(size_t i) const { return Path{this, {}, i}; }
  std::string str() const {
    std::string out = parent ? parent->str() : std::string();
    if (index != kNoIndex) return out + "[" + std::to_string(index) + "]";
    if (key.empty()) return out;
    return out.empty() ? std::string(key) : out + "." + std::string(key);
  }
};

// Parsing context: the first error wins and names the field's path.
// A quiet context (the fast path's) records only that something failed:
// its caller parses the line again for the error.
struct Ctx {
  simdjson::dom::parser* dom;
  std::string err;
  bool quiet = false;

  bool fail(const std::string& where, std::string_view what) {
    if (err.empty()) err = quiet ? std::string("-") : (where.empty() ? std::string("case") : where) + ": " + std::string(what);
    return false;
  }
  bool fail(const Path& path, std::string_view what) {
    if (quiet) return fail(std::string(), what);
    return err.empty() ? fail(path.str(), what) : false;
  }
  bool fail(const Path& path, error_code e) {
    // simdjson reports bad JSON where it notices it, often inside a field.
    if (e == simdjson::INCORRECT_TYPE) return fail(path, "wrong type");
    return fail(path, std::string("invalid JSON (") + simdjson::error_message(e) + ")");
  }
};

std::string_view type_name(od::json_type t) {
  switch (t) {
    case od::json_type::array: return "an array";
    case od::json_type::object: return "an object";
    case od::json_type::number: return "a number";
    case od::json_type::string: return "a string";
    case od::json_type::boolean: return "a boolean";
    case od::json_type::null: return "null";
  }
  return "?";
}

bool type_of(od::value& v, od::json_type& t, Ctx& cx, const Path& path) {
  if (auto e = v.type().get(t)) return cx.fail(path, e);
  return true;
}

bool expect_type(od::value& v, od::json_type want, Ctx& cx, const Path& path,
                 std::string_view want_name) {
  od::json_type t{};
  if (!type_of(v, t, cx, path)) return false;
  if (t != want) return cx.fail(path, "expected " + std::string(want_name) + ", got " + std::string(type_name(t)));
  return true;
}

size_t quote_or_backslash(const char* p);

// A string token without a backslash is its bytes between the quotes:
// stage 1 has already refused bad UTF-8 and raw control characters in it
// and matched its quotes, so this skips simdjson's unescaping copy into its
// string buffer; the closing quote is found 8 bytes at a time.
bool plain_string(od::value& v, std::string_view& out) {
  const char* tok = v.raw_json_token().data();
  if (*tok != '"') return false;
  const size_t n = quote_or_backslash(tok + 1);
  if (tok[1 + n] != '"') return false;
  out = std::string_view(tok + 1, n);
  return true;
}

// The typed getters try the read first and look at the type only to word
// an error: one call per value on the hot path.
// The view lives in the line or in simdjson's string buffer, until the next
// document is parsed.
bool get_string(od::value v, std::string_view& out, Ctx& cx, const Path& path) {
  if (plain_string(v, out)) return true;
  if (auto e = v.get_string().get(out)) {
    if (e == simdjson::INCORRECT_TYPE) return expect_type(v, od::json_type::string, cx, path, "a string");
    return cx.fail(path, e);
  }
  return true;
}

template <class V>
bool get_string(V v, std::string& out, Ctx& cx, const Path& path) {
  std::string_view sv;
  if (!get_string(v, sv, cx, path)) return false;
  out.clear();  // then append: cheaper than assign's overlap handling, same memory reuse
  out.append(sv);
  return true;
}

template <class V, class S>
bool get_nonempty(V v, S& out, Ctx& cx, const Path& path) {
  if (!get_string(v, out, cx, path)) return false;
  if (out.empty()) return cx.fail(path, "must not be empty");
  return true;
}

// null, or absent, or a string.
bool is_null_value(od::value& v, Ctx& cx, const Path& path, bool& null) {
  od::json_type t{};
  if (!type_of(v, t, cx, path)) return false;
  null = false;
  if (t != od::json_type::null) return true;
  if (auto e = v.is_null().get(null)) return cx.fail(path, e);
  if (!null) return cx.fail(path, "invalid literal");
  return true;
}

// OptString, or std::optional<std::string_view> for a validation.
template <class O>
bool get_opt_string(od::value v, O& out, Ctx& cx, const Path& path) {
  std::string_view sv;
  if (plain_string(v, sv)) {  // a string, so not null: the usual case first
    out.emplace(sv);
    return true;
  }
  bool null = false;
  if (!is_null_value(v, cx, path, null)) return false;
  if (null) {
    out.reset();
    return true;
  }
  if (auto e = v.get_string().get(sv)) {
    if (e == simdjson::INCORRECT_TYPE) return expect_type(v, od::json_type::string, cx, path, "a string or null");
    return cx.fail(path, e);
  }
  out.emplace(sv);
  return true;
}

bool check_time(std::string_view s, Ctx& cx, const Path& path) {
  if (!parse_rfc3339_utc(s))
    return cx.fail(path, "not an RFC 3339 UTC time like 2026-11-20T07:41:09Z: \"" + std::string(s) + "\"");
  return true;
}

template <class V, class S>
bool get_time(V v, S& out, Ctx& cx, const Path& path) {
  return get_string(v, out, cx, path) && check_time(out, cx, path);
}

template <class V, class O>
bool get_opt_time(V v, O& out, Ctx& cx, const Path& path) {
  return get_opt_string(v, out, cx, path) && (!out || check_time(*out, cx, path));
}

bool get_int(od::value v, int64_t& out, Ctx& cx, const Path& path) {
  const auto e = v.get_int64().get(out);
  if (!e) return true;
  if (!expect_type(v, od::json_type::number, cx, path, "an integer")) return false;
  return cx.fail(path, e == simdjson::INCORRECT_TYPE ? "expected an integer" : simdjson::error_message(e));
}

bool get_bool(od::value v, bool& out, Ctx& cx, const Path& path) {
  const auto e = v.get_bool().get(out);
  if (!e) return true;
  if (!expect_type(v, od::json_type::boolean, cx, path, "true or false")) return false;
  return cx.fail(path, e);
}


// A JSON number token: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
bool is_json_number(std::string_view s) {
  size_t i = 0;
  const auto digits = [&] {
    const size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    return i > start;
  };
  if (i < s.size() && s[i] == '-') ++i;
  if (i < s.size() && s[i] == '0') ++i;
  else if (!digits()) return false;
  if (i < s.size() && s[i] == '.' && (++i, !digits())) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == s.size();
}

// Valid JSON whose numbers may not fit 64 bits or a double (1e400,
// 123456789012345678901234567890): each number token outside strings is
// checked by the grammar and replaced by 0 for the DOM parser to check the
// rest. Rare path: only after the DOM parser refused a number.
bool valid_with_big_numbers(std::string_view raw, simdjson::dom::parser& dom) {
  std::string copy(raw);
  bool in_string = false;
  for (size_t i = 0; i < copy.size(); ++i) {
    const char ch = copy[i];
    if (in_string) {
      if (ch == '\\') ++i;
      else if (ch == '"') in_string = false;
      continue;
    }
    if (ch == '"') {
      in_string = true;
      continue;
    }
    if (ch != '-' && (ch < '0' || ch > '9')) continue;
    size_t end = i;
    while (end < copy.size() && std::strchr("0123456789+-.eE", copy[end]) && copy[end] != '\0') ++end;
    if (!is_json_number(std::string_view(copy).substr(i, end - i))) return false;
    copy.replace(i, end - i, end - i, ' ');
    copy[i] = '0';
    i = end - 1;
  }
  simdjson::dom::element ignored;
  return dom.parse(simdjson::padded_string(copy)).get(ignored) == simdjson::SUCCESS;
}

// A quick grammar check of an unknown member's text that says "valid" only
// for plain JSON: ASCII strings with the short escapes, numbers by the
// grammar, nesting up to 64 deep. Anything else (\u escapes, other bytes,
// errors) answers "not sure" and goes to the DOM parser, which then gives
// the same verdict and error as before; this spares the DOM parser's
// per-call set-up for the common small member.
class PlainJsonCheck {
 public:
  explicit PlainJsonCheck(std::string_view s) : p_(s.data()), end_(s.data() + s.size()) {}
  bool valid() { return value(0) && (skip_space(), p_ == end_); }

 private:
  static constexpr int kMaxDepth = 64;
  void skip_space() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\t' || *p_ == '\n' || *p_ == '\r')) ++p_;
  }
  bool literal(std::string_view word) {
    if (static_cast<size_t>(end_ - p_) < word.size() || std::memcmp(p_, word.data(), word.size()) != 0) return false;
    p_ += word.size();
    return true;
  }
  bool string() {
    ++p_;  // the opening quote
    while (p_ < end_) {
      const unsigned char ch = static_cast<unsigned char>(*p_++);
      if (ch == '"') return true;
      if (ch < 0x20 || ch >= 0x80) return false;
      if (ch == '\\') {
        if (p_ == end_ || !std::strchr("\"\\/bfnrt", *p_) || *p_ == '\0') return false;
        ++p_;
      }
    }
    return false;
  }
  bool number() {
    const char* start = p_;
    while (p_ < end_ && ((*p_ >= '0' && *p_ <= '9') || *p_ == '-' || *p_ == '+' || *p_ == '.' || *p_ == 'e' || *p_ == 'E')) ++p_;
    return is_json_number(std::string_view(start, static_cast<size_t>(p_ - start)));
  }
  template <class F>
  bool sequence(char close, int depth, F&& item) {
    ++p_;
    skip_space();
    if (p_ < end_ && *p_ == close) return ++p_, true;
    for (;;) {
      if (!item(depth + 1)) return false;
      skip_space();
      if (p_ == end_) return false;
      if (*p_ == close) return ++p_, true;
      if (*p_++ != ',') return false;
      skip_space();
    }
  }
  bool member(int depth) {
    if (p_ == end_ || *p_ != '"' || !string()) return false;
    skip_space();
    if (p_ == end_ || *p_++ != ':') return false;
    skip_space();
    return value(depth);
  }
  bool value(int depth) {
    if (p_ == end_ || depth > kMaxDepth) return false;
    switch (*p_) {
      case '{': return sequence('}', depth, [&](int d) { return member(d); });
      case '[': return sequence(']', depth, [&](int d) { return value(d); });
      case '"': return string();
      case 't': return literal("true");
      case 'f': return literal("false");
      case 'n': return literal("null");
      default: return number();
    }
  }
  const char* p_;
  const char* end_;
};

// Keeps an unknown member's original text, validated in full: On Demand
// skips what it is not asked for, so the text is checked here (plain JSON)
// or by the DOM parser.
template <class E>
bool keep_unknown(od::value v, std::string_view key, E& extra, Ctx& cx, const Path& path) {
  od::json_type t{};
  if (!type_of(v, t, cx, path)) return false;
  std::string_view raw;
  if (t == od::json_type::object) {
    od::object o;
    if (auto e = v.get_object().get(o)) return cx.fail(path, e);
    if (auto e = o.raw_json().get(raw)) return cx.fail(path, e);
  } else if (t == od::json_type::array) {
    od::array a;
    if (auto e = v.get_array().get(a)) return cx.fail(path, e);
    if (auto e = a.raw_json().get(raw)) return cx.fail(path, e);
  } else {
    raw = v.raw_json_token();
  }
  while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\t' || raw.back() == '\n' || raw.back() == '\r'))
    raw.remove_suffix(1);
  if (!PlainJsonCheck(raw).valid()) {
    simdjson::dom::element ignored;
    // raw lies inside the padded line buffer, so the parser may read past it.
    if (auto e = cx.dom->parse(raw.data(), raw.size(), false).get(ignored)) {
      const bool number_too_big = e == simdjson::NUMBER_ERROR;  // simdjson 1.0: also integers beyond 64 bits
      if (!number_too_big || !valid_with_big_numbers(raw, *cx.dom)) return cx.fail(path, e);
    }
  }
  add_extra(extra, key, raw);
  return true;
}

// The offset of the first '"' or '\\' at p: 16 bytes at a time with SSE2
// (every x86-64 has it), else 8 at a time (the zero byte test of "Bit
// Twiddling Hacks": its lowest set bit is exact). The line buffer's padding
// makes reading up to 16 bytes past the quote safe.
size_t quote_or_backslash(const char* p) {
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\');
  for (size_t n = 0;; n += 16) {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + n));
    const int hit = _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(x, quote), _mm_cmpeq_epi8(x, backslash)));
    if (hit) return n + static_cast<size_t>(std::countr_zero(static_cast<unsigned>(hit)));
  }
#else
  if constexpr (std::endian::native == std::endian::little) {
    constexpr uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    for (size_t n = 0;; n += 8) {
      uint64_t x;
      std::memcpy(&x, p + n, 8);
      const uint64_t q = x ^ (ones * '"'), b = x ^ (ones * '\\');
      const uint64_t hit = ((q - ones) & ~q & highs) | ((b - ones) & ~b & highs);
      if (hit) return n + static_cast<size_t>(std::countr_zero(hit)) / 8;
    }
  }
  size_t n = 0;
  while (p[n] != '"' && p[n] != '\\') ++n;
  return n;
#endif
}

// A member's name: read in place when it has no escape (the usual case),
// else unescaped by simdjson.
error_code field_key(od::field& field, std::string_view& key) {
  const char* p = field.key().raw();  // just past the opening quote
  const size_t n = quote_or_backslash(p);
  if (p[n] == '"') {
    key = std::string_view(p, n);
    return simdjson::SUCCESS;
  }
  return field.unescaped_key().get(key);
}

// Calls on_field(key, value, path) for each member of the object `v`.
template <class F>
bool for_each_field(od::value v, Ctx& cx, const Path& path, F&& on_field) {
  od::object obj;
  if (auto e = v.get_object().get(obj)) {  // the type is looked at only to word an error
    if (e == simdjson::INCORRECT_TYPE && !expect_type(v, od::json_type::object, cx, path, "an object")) return false;
    return cx.fail(path, e);
  }
  for (auto field_result : obj) {
    od::field field;
    if (auto e = std::move(field_result).get(field)) return cx.fail(path, e);
    std::string_view key;
    if (auto e = field_key(field, key)) return cx.fail(path, e);
    if (!on_field(key, field.value(), path.child(key))) return false;
  }
  return true;
}

template <class F>
bool for_each_element(od::value v, Ctx& cx, const Path& path, F&& on_element) {
  od::array arr;
  if (auto e = v.get_array().get(arr)) {
    if (e == simdjson::INCORRECT_TYPE && !expect_type(v, od::json_type::array, cx, path, "an array")) return false;
    return cx.fail(path, e);
  }
  size_t i = 0;
  for (auto element_result : arr) {
    od::value element;
    const Path element_path = path.at(i);
    if (auto e = std::move(element_result).get(element)) return cx.fail(element_path, e);
    if (!on_element(element, element_path)) return false;
    ++i;
  }
  return true;
}

template <class V, class S>
bool get_string_array(V v, std::vector<S>& out, Ctx& cx, const Path& path) {
  out.clear();
  return for_each_element(v, cx, path, [&](auto e, const Path& p) {
    out.emplace_back();
    return get_string(e, out.back(), cx, p);
  });
}

// Reads an optional object: null leaves `out` empty.
template <class V, class T, class F>
bool get_opt_object(V v, std::optional<T>& out, Ctx& cx, const Path& path, F&& parse) {
  bool null = false;
  if (!is_null_value(v, cx, path, null)) return false;
  if (null) {
    out.reset();
    return true;
  }
  out.emplace();
  return parse(v, *out, path);
}

// ---- the fast path's values ----
// The same getters over a JsonCursor, for the same schema templates below.
// Whatever the cursor does not read gives up (a quiet failure); the line is
// then parsed again by the On Demand getters above.

struct FastValue {
  JsonCursor* cursor;
};

bool get_string(FastValue v, std::string_view& out, Ctx& cx, const Path& path) {
  return v.cursor->string(out) || cx.fail(path, "");
}

bool is_null_value(FastValue& v, Ctx&, const Path&, bool& null) {
  null = v.cursor->null();
  return true;
}

template <class O>
bool get_opt_string(FastValue v, O& out, Ctx& cx, const Path& path) {
  std::string_view sv;
  if (v.cursor->peek() == '"') {
    if (!v.cursor->string(sv)) return cx.fail(path, "");
    out.emplace(sv);
    return true;
  }
  if (!v.cursor->null()) return cx.fail(path, "");
  out.reset();
  return true;
}

bool get_int(FastValue v, int64_t& out, Ctx& cx, const Path& path) {
  return v.cursor->small_uint(out) || cx.fail(path, "");
}

bool get_bool(FastValue v, bool& out, Ctx& cx, const Path& path) {
  return v.cursor->boolean(out) || cx.fail(path, "");
}

template <class E>
bool keep_unknown(FastValue v, std::string_view key, E& extra, Ctx& cx, const Path& path) {
  std::string_view raw;
  if (!v.cursor->skip_value(raw)) return cx.fail(path, "");
  add_extra(extra, key, raw);
  return true;
}

// Each on_field call reads its value in full: the cursor only goes forward.
template <class F>
bool for_each_field(FastValue v, Ctx& cx, const Path& path, F&& on_field) {
  JsonCursor& c = *v.cursor;
  if (!c.consume('{')) return cx.fail(path, "");
  if (c.consume('}')) return true;
  for (;;) {
    c.skip_space();
    std::string_view key;
    if (!c.key(key)) return cx.fail(path, "");
    c.skip_space();
    if (!on_field(key, v, path.child(key))) return false;
    if (c.consume('}')) return true;
    if (!c.consume(',')) return cx.fail(path, "");
  }
}

template <class F>
bool for_each_element(FastValue v, Ctx& cx, const Path& path, F&& on_element) {
  JsonCursor& c = *v.cursor;
  if (!c.consume('[')) return cx.fail(path, "");
  if (c.consume(']')) return true;
  for (size_t i = 0;; ++i) {
    c.skip_space();
    if (!on_element(v, path.at(i))) return false;
    if (c.consume(']')) return true;
    if (!c.consume(',')) return cx.fail(path, "");
  }
}

bool require(bool seen, Ctx& cx, const Path& path) { return seen || cx.fail(path, "missing"); }
bool require(bool seen, Ctx& cx, std::string_view member) { return require(seen, cx, Path{nullptr, member}); }

template <class V, class T>
bool parse_customer(V v, T& c, Ctx& cx, const Path& path) {
  bool has_id = false;
  return for_each_field(v, cx, path, [&](std::string_view k, auto f, const Path& p) {
           if (is(k, "id")) return has_id = true, get_nonempty(f, c.id, cx, p);
           if (is(k, "handle")) return get_opt_string(f, c.handle, cx, p);
           if (is(k, "name")) return get_opt_string(f, c.name, cx, p);
           if (is(k, "followers")) {
             bool null = false;
             if (!is_null_value(f, cx, p, null)) return false;
             if (null) return c.followers.reset(), true;
             int64_t n = 0;
             if (!get_int(f, n, cx, p)) return false;
             if (n < 0) return cx.fail(p, "must not be negative");
             c.followers = n;
             return true;
           }
           return keep_unknown(f, k, c.extra, cx, p);
         }) &&
         require(has_id, cx, path.child("id"));
}

// Message::visibility: a narrower audience of a public message. "direct"
// is not one: a private message is "public":false.
template <class V, class O>
bool get_visibility(V v, O& out, Ctx& cx, const Path& path) {
  std::string_view s;
  if (!get_string(v, s, cx, path)) return false;
  if (s != "public" && s != "unlisted" && s != "private")
    return cx.fail(path, "must be \"public\", \"unlisted\" or \"private\", not \"" + std::string(s) + "\"");
  out.emplace(s);
  return true;
}

template <class V, class T>
bool parse_message(V v, T& m, Ctx& cx, const Path& path) {
  bool has_id = false, has_dir = false, has_at = false, has_text = false;
  bool ok = for_each_field(v, cx, path, [&](std::string_view k, auto f, const Path& p) {
    if (is(k, "id")) return has_id = true, get_nonempty(f, m.id, cx, p);
    if (is(k, "dir")) {
      std::string_view d;
      if (!get_string(f, d, cx, p)) return false;
      if (d != "in" && d != "out") return cx.fail(p, "must be \"in\" or \"out\", not \"" + std::string(d) + "\"");
      m.dir = d == "in" ? Dir::in : Dir::out;
      return has_dir = true;
    }
    if (is(k, "at")) return has_at = true, get_time(f, m.at, cx, p);
    if (is(k, "author")) return get_string(f, m.author, cx, p);
    if (is(k, "text")) return has_text = true, get_string(f, m.text, cx, p);
    if (is(k, "public")) return get_bool(f, m.is_public, cx, p);
    if (is(k, "visibility")) return get_visibility(f, m.visibility, cx, p);
    if (is(k, "reply_to")) return get_opt_string(f, m.reply_to, cx, p);
    if (is(k, "lang")) return get_opt_string(f, m.lang, cx, p);
    if (is(k, "auto")) return get_bool(f, m.is_auto, cx, p);
    if (is(k, "redacted")) return get_bool(f, m.redacted, cx, p);
    if (is(k, "posted_id")) return get_opt_string(f, m.posted_id, cx, p);
    return keep_unknown(f, k, m.extra, cx, p);
  });
  return ok && require(has_id, cx, path.child("id")) && require(has_dir, cx, path.child("dir")) &&
         require(has_at, cx, path.child("at")) && require(has_text, cx, path.child("text"));
}

template <class V, class T>
bool parse_sla(V v, T& s, Ctx& cx, const Path& path) {
  bool null = false;
  if (!is_null_value(v, cx, path, null)) return false;
  if (null) return true;
  return for_each_field(v, cx, path, [&](std::string_view k, auto f, const Path& p) {
    if (is(k, "first_response_due")) return get_opt_time(f, s.first_response_due, cx, p);
    if (is(k, "next_response_due")) return get_opt_time(f, s.next_response_due, cx, p);
    if (is(k, "resolution_due")) return get_opt_time(f, s.resolution_due, cx, p);
    if (is(k, "first_response_at")) return get_opt_time(f, s.first_response_at, cx, p);
    if (is(k, "breached")) return get_string_array(f, s.breached, cx, p);
    return keep_unknown(f, k, s.extra, cx, p);
  });
}

template <class V, class T>
bool parse_handoff(V v, T& h, Ctx& cx, const Path& path) {
  bool has_to = false, has_at = false, has_by = false;
  bool ok = for_each_field(v, cx, path, [&](std::string_view k, auto f, const Path& p) {
    if (is(k, "to")) return has_to = true, get_nonempty(f, h.to, cx, p);
    if (is(k, "at")) return has_at = true, get_time(f, h.at, cx, p);
    if (is(k, "by")) return has_by = true, get_string(f, h.by, cx, p);
    if (is(k, "why")) return get_opt_string(f, h.why, cx, p);
    if (is(k, "ref")) return get_opt_string(f, h.ref, cx, p);
    if (is(k, "owner")) return get_opt_string(f, h.owner, cx, p);
    if (is(k, "follow_up_due")) return get_opt_time(f, h.follow_up_due, cx, p);
    if (is(k, "completed_at")) return get_opt_time(f, h.completed_at, cx, p);
    return keep_unknown(f, k, h.extra, cx, p);
  });
  return ok && require(has_to, cx, path.child("to")) && require(has_at, cx, path.child("at")) &&
         require(has_by, cx, path.child("by"));
}

template <class V, class T>
bool parse_incident(V v, T& i, Ctx& cx, const Path& path) {
  bool has_id = false;
  return for_each_field(v, cx, path, [&](std::string_view k, auto f, const Path& p) {
           if (is(k, "id")) return has_id = true, get_nonempty(f, i.id, cx, p);
           if (is(k, "title")) return get_opt_string(f, i.title, cx, p);
           if (is(k, "since")) return get_opt_time(f, i.since, cx, p);
           return keep_unknown(f, k, i.extra, cx, p);
         }) &&
         require(has_id, cx, path.child("id"));
}

template <class V, class T>
bool parse_resolution(V v, T& r, Ctx& cx, const Path& path) {
  bool has_reason = false, has_at = false;
  bool ok = for_each_field(v, cx, path, [&](std::string_view k, auto f, const Path& p) {
    if (is(k, "reason")) {
      if (!get_string(f, r.reason, cx, p)) return false;
      if (!is_valid_resolution_reason(r.reason))
        return cx.fail(p, "must be answered, no_reply_needed, spam or duplicate, not \"" + std::string(r.reason) + "\"");
      return has_reason = true;
    }
    if (is(k, "at")) return has_at = true, get_time(f, r.at, cx, p);
    if (is(k, "by")) return get_string(f, r.by, cx, p);
    return keep_unknown(f, k, r.extra, cx, p);
  });
  return ok && require(has_reason, cx, path.child("reason")) && require(has_at, cx, path.child("at"));
}

template <class V, class T>
bool parse_link(V v, T& l, Ctx& cx, const Path& path) {
  bool has_rel = false, has_ref = false;
  bool ok = for_each_field(v, cx, path, [&](std::string_view k, auto f, const Path& p) {
    if (is(k, "rel")) return has_rel = true, get_nonempty(f, l.rel, cx, p);
    if (is(k, "ref")) return has_ref = true, get_nonempty(f, l.ref, cx, p);
    return keep_unknown(f, k, l.extra, cx, p);
  });
  return ok && require(has_rel, cx, path.child("rel")) && require(has_ref, cx, path.child("ref"));
}

template <class V, class T>
bool parse_event(V v, T& ev, Ctx& cx, const Path& path) {
  bool has_at = false, has_by = false, has_what = false;
  bool ok = for_each_field(v, cx, path, [&](std::string_view k, auto f, const Path& p) {
    if (is(k, "at")) return has_at = true, get_time(f, ev.at, cx, p);
    if (is(k, "by")) return has_by = true, get_string(f, ev.by, cx, p);
    if (is(k, "what")) return has_what = true, get_string(f, ev.what, cx, p);
    return keep_unknown(f, k, ev.extra, cx, p);
  });
  return ok && require(has_at, cx, path.child("at")) && require(has_by, cx, path.child("by")) &&
         require(has_what, cx, path.child("what"));
}


}  // namespace

bool valid_channel_name(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '-';
  });
}

namespace {

struct Seen {
  bool v = false, id = false, channel = false, account = false, customer = false, messages = false,
       status = false, events = false;
};

// A reused case's messages and events: a fresh element of the same type.
void reset_element(Message& m) {
  m.id.clear(), m.at.clear(), m.author.clear(), m.text.clear();  // clear() keeps their memory
  m.dir = Dir::in, m.is_public = true, m.is_auto = false, m.redacted = false;
  m.visibility.reset(), m.reply_to.reset(), m.lang.reset(), m.posted_id.reset();
  m.extra.clear();
}
void reset_element(Event& e) {
  e.at.clear(), e.by.clear(), e.what.clear();
  e.extra.clear();
}
void reset_element(MessageView& m) { m = MessageView{}; }
void reset_element(EventView& e) { e = EventView{}; }
// A new member needs its line in reset_element (and in reset_for_reuse
// below for Case): a parse into a reused case must equal a fresh one.
static_assert(sizeof(Message) == 336, "Message changed: reset the new member in reset_element(Message&)");
static_assert(sizeof(Event) == 120, "Event changed: reset the new member in reset_element(Event&)");

// Parses the array `f` into `v` with parse(value, element, path), element
// by element: a kept element is reset and reused (its strings keep their
// memory), more are added, the rest trimmed.
template <class V, class T, class F>
bool parse_reusing_elements(V f, std::vector<T>& v, Ctx& cx, const Path& p, F&& parse) {
  size_t n = 0;
  const bool ok = for_each_element(f, cx, p, [&](auto e, const Path& ep) {
    if (n < v.size()) reset_element(v[n]);
    else v.emplace_back();
    return parse(e, v[n++], ep);
  });
  v.resize(n);
  return ok;
}

template <class V, class C>
bool parse_top_field(std::string_view k, V f, const Path& p, C& c, Seen& seen, Ctx& cx) {
  if (is(k, "v")) {
    int64_t v = 0;
    if (!get_int(f, v, cx, p)) return false;
    if (v != kCaseVersion)
      return cx.fail(p, "unsupported case version " + std::to_string(v) + " (this socq reads version " +
                            std::to_string(kCaseVersion) + ")");
    return seen.v = true;
  }
  if (is(k, "id")) return seen.id = true, get_nonempty(f, c.id, cx, p);
  if (is(k, "rev")) {
    if (!get_int(f, c.rev, cx, p)) return false;
    if (c.rev > kMaxRev) return cx.fail(p, "must be at most " + std::to_string(kMaxRev));
    return c.rev >= 0 || cx.fail(p, "must not be negative");
  }
  if (is(k, "channel")) {
    if (!get_string(f, c.channel, cx, p)) return false;
    if (!valid_channel_name(c.channel)) return cx.fail(p, "must be a lower-case name like \"mastodon\"");
    return seen.channel = true;
  }
  if (is(k, "account")) return seen.account = true, get_nonempty(f, c.account, cx, p);
  if (is(k, "customer")) return seen.customer = true, parse_customer(f, c.customer, cx, p);
  if (is(k, "messages")) {
    seen.messages = true;
    return parse_reusing_elements(f, c.messages, cx, p, [&](auto e, auto& m, const Path& ep) {
      return parse_message(e, m, cx, ep);
    });
  }
  if (is(k, "status")) {
    std::string_view s;
    if (!get_string(f, s, cx, p)) return false;
    auto st = parse_status(s);
    if (!st)
      return cx.fail(p, "unknown status \"" + std::string(s) +
                            "\" (new, open, pending_customer, handed_off, resolved, closed)");
    c.status = *st;
    return seen.status = true;
  }
  if (is(k, "priority")) {
    if (!get_opt_string(f, c.priority, cx, p)) return false;
    return !c.priority || is_valid_priority(*c.priority) ||
           cx.fail(p, "must be p1, p2, p3, p4 or null, not \"" + std::string(*c.priority) + "\"");
  }
  if (is(k, "category")) return get_opt_string(f, c.category, cx, p);
  if (is(k, "tags")) return get_string_array(f, c.tags, cx, p);
  if (is(k, "team")) return get_opt_string(f, c.team, cx, p);
  if (is(k, "owner")) return get_opt_string(f, c.owner, cx, p);
  if (is(k, "sla")) return parse_sla(f, c.sla, cx, p);
  if (is(k, "links")) {
    c.links.clear();
    return for_each_element(f, cx, p, [&](auto e, const Path& ep) {
      c.links.emplace_back();
      return parse_link(e, c.links.back(), cx, ep);
    });
  }
  if (is(k, "handoff"))
    return get_opt_object(f, c.handoff, cx, p,
                          [&](auto v, auto& h, const Path& pp) { return parse_handoff(v, h, cx, pp); });
  if (is(k, "incident"))
    return get_opt_object(f, c.incident, cx, p, [&](auto v, auto& i, const Path& pp) {
      return parse_incident(v, i, cx, pp);
    });
  if (is(k, "resolution"))
    return get_opt_object(f, c.resolution, cx, p, [&](auto v, auto& r, const Path& pp) {
      return parse_resolution(v, r, cx, pp);
    });
  if (is(k, "pii")) return get_string_array(f, c.pii, cx, p);
  if (is(k, "events")) {
    seen.events = true;
    return parse_reusing_elements(f, c.events, cx, p, [&](auto e, auto& ev, const Path& ep) {
      return parse_event(e, ev, cx, ep);
    });
  }
  if (is(k, "updated_at")) return get_time(f, c.updated_at, cx, p);
  return keep_unknown(f, k, c.extra, cx, p);
}

// id is "channel:account:<thread key>" (compared in place, no copy).
template <class C>
bool has_case_id_prefix(const C& c) {
  const std::string_view id = c.id;
  const size_t n = c.channel.size() + c.account.size() + 2;
  return id.size() > n && id.starts_with(c.channel) && id[c.channel.size()] == ':' &&
         id.substr(c.channel.size() + 1).starts_with(c.account) && id[n - 1] == ':';
}

// The index of the first message whose id an earlier message has, or
// size(): pairwise for the usual few messages (no allocation), by sorting
// for many.
template <class M>
size_t first_repeated_id(const std::vector<M>& messages) {
  const size_t n = messages.size();
  if (n <= 32) {
    for (size_t i = 1; i < n; ++i)
      for (size_t j = 0; j < i; ++j)
        if (messages[i].id == messages[j].id) return i;
    return n;
  }
  std::vector<std::pair<std::string_view, size_t>> ids;
  ids.reserve(n);
  for (size_t i = 0; i < n; ++i) ids.emplace_back(messages[i].id, i);
  std::sort(ids.begin(), ids.end());
  size_t first = n;
  for (size_t k = 1; k < n; ++k)
    if (ids[k].first == ids[k - 1].first) first = std::min(first, ids[k].second);
  return first;
}

// Rules that span fields, checked once every field is read.
template <class C>
bool check_case(C& c, const Seen& seen, Ctx& cx) {
  if (!seen.events) c.events.clear();  // a reused case's, kept for their memory
  if (!require(seen.v, cx, "v") || !require(seen.id, cx, "id") || !require(seen.channel, cx, "channel") ||
      !require(seen.account, cx, "account") || !require(seen.customer, cx, "customer") ||
      !require(seen.messages, cx, "messages") || !require(seen.status, cx, "status"))
    return false;
  if (!has_case_id_prefix(c)) {
    const std::string prefix = std::string(c.channel) + ":" + std::string(c.account) + ":";
    return cx.fail("id", "must be \"" + prefix + "<thread key>\", not \"" + std::string(c.id) + "\"");
  }
  if (const size_t i = first_repeated_id(c.messages); i < c.messages.size())
    return cx.fail("messages[" + std::to_string(i) + "].id",
                   "duplicate message id \"" + std::string(c.messages[i].id) + "\"");
  if (c.status == CaseStatus::resolved && !c.resolution)
    return cx.fail("resolution", "required when status is resolved");
  if (c.updated_at.empty()) {
    // Hand-written or imported cases may omit it: the newest known time.
    c.updated_at = newest_message_at(c);
    for (const auto& e : c.events)
      if (parse_rfc3339_utc(e.at) > parse_rfc3339_utc(c.updated_at)) c.updated_at = e.at;
    if (c.updated_at.empty()) return cx.fail("updated_at", "missing (and the case has no message to take it from)");
  }
  return true;
}

}  // namespace

CaseParser::CaseParser() : impl_(std::make_unique<Impl>()) {}
CaseParser::~CaseParser() = default;
size_t CaseParser::padding() { return simdjson::SIMDJSON_PADDING; }

namespace {

// Parses one case into `c` (a Case or a CaseView); "" or the error.
template <class C>
std::string parse_into(od::parser& ondemand, simdjson::dom::parser& dom, const char* data, size_t len,
                       size_t capacity, C& c) {
  Ctx cx{&dom, {}};
  od::document doc;
  if (auto e = ondemand.iterate(simdjson::padded_string_view(data, len, capacity)).get(doc))
    return std::string("invalid JSON (") + simdjson::error_message(e) + ")";
  od::object root;
  if (auto e = doc.get_object().get(root)) {
    return e == simdjson::INCORRECT_TYPE ? "expected a JSON object (one case per line)"
                                         : std::string("invalid JSON (") + simdjson::error_message(e) + ")";
  }
  Seen seen;
  for (auto field_result : root) {
    od::field field;
    if (auto e = std::move(field_result).get(field)) {
      cx.fail(Path{}, e);
      break;
    }
    std::string_view key;
    if (auto e = field_key(field, key)) {
      cx.fail(Path{}, e);
      break;
    }
    if (!parse_top_field(key, field.value(), Path{nullptr, key}, c, seen, cx)) break;
  }
  const char* trailing = nullptr;
  if (cx.err.empty() && !doc.current_location().get(trailing)) cx.fail(Path{}, "unexpected text after the JSON object");
  if (cx.err.empty()) check_case(c, seen, cx);
  return std::move(cx.err);
}

// The fast path: parses one case into `c` with a JsonCursor, or gives up
// (false) and leaves `c` partly filled.
template <class C>
bool parse_fast(const char* data, size_t len, std::string& unescaped, C& c) {
  JsonCursor cursor(data, len, unescaped);
  Ctx cx{nullptr, {}, true};
  Seen seen;
  const bool ok = for_each_field(FastValue{&cursor}, cx, Path{}, [&](std::string_view k, FastValue f, const Path& p) {
    return parse_top_field(k, f, p, c, seen, cx);
  });
  cursor.skip_space();
  return ok && cursor.at_end() && check_case(c, seen, cx);
}

}  // namespace

void CaseParser::use_fast_path(bool on) { impl_->fast = on; }
size_t CaseParser::fast_path_gave_up() const { return impl_->gave_up; }

Result<Case> CaseParser::parse(const char* data, size_t len, size_t capacity) {
  Case c;
  if (impl_->fast && parse_fast(data, len, impl_->unescaped, c)) {
    if (keep_source_) c.source.assign(data, len);
    return c;
  }
  if (impl_->fast) c = Case{}, ++impl_->gave_up;
  if (auto err = parse_into(impl_->ondemand, impl_->dom, data, len, capacity, c); !err.empty())
    return Error{Exit::data, std::move(err)};
  if (keep_source_) c.source.assign(data, len);
  return c;
}

namespace {

// Back to a fresh case for parse_reusing: every member as a new Case has
// it, except that strings keep their memory and messages and events stay
// for parse_reusing_elements to reuse (the parse trims them).
void reset_for_reuse(Case& c) {
  static_assert(sizeof(Case) == 1456, "Case changed: reset the new member in reset_for_reuse");
  c.v = kCaseVersion, c.rev = 0, c.status = CaseStatus::new_, c.number = 0;
  c.id.clear(), c.channel.clear(), c.account.clear(), c.updated_at.clear(), c.source.clear();
  c.customer.id.clear(), c.customer.handle.reset(), c.customer.name.reset(), c.customer.followers.reset();
  c.customer.extra.clear();
  c.priority.reset(), c.category.reset(), c.team.reset(), c.owner.reset();
  c.tags.clear(), c.links.clear(), c.pii.clear(), c.extra.clear();
  c.sla = Sla{};
  c.handoff.reset(), c.incident.reset(), c.resolution.reset();
}

}  // namespace

Status CaseParser::parse_reusing(const char* data, size_t len, size_t capacity, Case& c) {
  reset_for_reuse(c);
  if (impl_->fast) {
    if (parse_fast(data, len, impl_->unescaped, c)) {
      if (keep_source_) c.source.assign(data, len);
      return ok_status();
    }
    reset_for_reuse(c);
    ++impl_->gave_up;
  }
  if (auto err = parse_into(impl_->ondemand, impl_->dom, data, len, capacity, c); !err.empty())
    return Error{Exit::data, std::move(err)};
  if (keep_source_) c.source.assign(data, len);
  return ok_status();
}

Status CaseParser::validate(const char* data, size_t len, size_t capacity) {
  impl_->view.reset();
  if (impl_->fast) {
    if (parse_fast(data, len, impl_->unescaped, impl_->view)) return ok_status();
    impl_->view.reset();
    ++impl_->gave_up;
  }
  if (auto err = parse_into(impl_->ondemand, impl_->dom, data, len, capacity, impl_->view); !err.empty())
    return Error{Exit::data, std::move(err)};
  return ok_status();
}

Result<Case> CaseParser::parse(std::string_view json) {
  impl_->scratch.assign(json);
  impl_->scratch.append(padding(), '\0');
  return parse(impl_->scratch.data(), json.size(), impl_->scratch.size());
}

Status CaseParser::validate(std::string_view json) {
  impl_->scratch.assign(json);
  impl_->scratch.append(padding(), '\0');
  return validate(impl_->scratch.data(), json.size(), impl_->scratch.size());
}

// ---- writing ----

namespace {
bool must_escape(unsigned char ch) { return ch < 0x20 || ch == '"' || ch == '\\'; }

// The mask of bytes in 8 that a JSON string must escape: the high bit of
// each, exact for every byte (no borrow crosses bytes), so bits may be
// masked off for bytes already looked at.
uint64_t escape_bits(uint64_t x) {
  constexpr uint64_t ones = 0x0101010101010101ull, lows = 0x7f7f7f7f7f7f7f7full, highs = 0x8080808080808080ull;
  const auto zero_bytes = [](uint64_t v) { return ~(((v & lows) + lows) | v) & highs; };
  const uint64_t below_space = ~(((x & lows) + ones * 0x60) | x) & highs;
  return zero_bytes(x ^ (ones * '"')) | zero_bytes(x ^ (ones * '\\')) | below_space;
}

// The offset of the first byte at or after i that a JSON string must
// escape, or s.size(). 16 bytes at a time with SSE2, the last (partial)
// block as an overlapping load of the string's final 16 bytes; shorter
// strings 8 bytes at a time the same way. Every load stays inside s.
size_t next_to_escape(std::string_view s, size_t i) {
  const char* d = s.data();
  const size_t n = s.size();
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\'), control = _mm_set1_epi8(0x1f);
  const auto hits = [&](size_t at) {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(d + at));
    const __m128i below_space = _mm_cmpeq_epi8(_mm_max_epu8(x, control), control);  // unsigned x <= 0x1f
    return static_cast<unsigned>(_mm_movemask_epi8(
        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, quote), _mm_cmpeq_epi8(x, backslash)), below_space)));
  };
  if (n >= 16) {
    for (; i + 16 <= n; i += 16)
      if (const unsigned hit = hits(i)) return i + static_cast<size_t>(std::countr_zero(hit));
    if (i == n) return n;
    const size_t last = n - 16;  // i - last bytes of it are already looked at
    const unsigned hit = hits(last) & (~0u << (i - last));
    return hit ? last + static_cast<size_t>(std::countr_zero(hit)) : n;
  }
#endif
  if constexpr (std::endian::native == std::endian::little) {
    uint64_t x;
    for (; i + 8 <= n; i += 8) {
      std::memcpy(&x, d + i, 8);
      if (const uint64_t hit = escape_bits(x)) return i + static_cast<size_t>(std::countr_zero(hit)) / 8;
    }
    if (i < n && n >= 8) {
      const size_t last = n - 8;
      std::memcpy(&x, d + last, 8);
      const uint64_t hit = escape_bits(x) & (~0ull << (8 * (i - last)));
      return hit ? last + static_cast<size_t>(std::countr_zero(hit)) / 8 : n;
    }
  }
  while (i < n && !must_escape(static_cast<unsigned char>(d[i]))) ++i;
  return i;
}
}  // namespace

namespace {
// Where the writer puts its bytes: a string grown ahead and written through
// a pointer, then cut to length when done. std::string's own appends are
// calls that check and grow for each piece (60 pieces and more a case).
class JsonOut {
 public:
  JsonOut(std::string& s, size_t expect) : s_(s), start_(s.size()), pos_(start_) { s_.resize(pos_ + expect); }
  ~JsonOut() { s_.resize(pos_); }
  JsonOut(const JsonOut&) = delete;
  JsonOut& operator=(const JsonOut&) = delete;

  // Room for n more bytes, to be written at once.
  [[gnu::always_inline]] char* room(size_t n) {
    if (n > s_.size() - pos_) [[unlikely]] grow(n);
    char* p = s_.data() + pos_;
    pos_ += n;
    return p;
  }
  void put(char ch) { *room(1) = ch; }
  void put(std::string_view v) {
    if (!v.empty()) std::memcpy(room(v.size()), v.data(), v.size());
  }

 private:
  // Doubles what this writer has made so far, not the whole string: `s`
  // may hold megabytes written before, and resize() zero-fills what it adds.
  [[gnu::noinline]] void grow(size_t n) { s_.resize(pos_ + std::max(pos_ - start_, n + 256)); }
  std::string& s_;
  size_t start_, pos_;
};

void write_json_string(JsonOut& out, std::string_view s) {
  static const char hex[] = "0123456789abcdef";
  size_t i = next_to_escape(s, 0);
  if (i == s.size()) {  // the usual case: nothing to escape
    char* p = out.room(s.size() + 2);
    p[0] = '"';
    if (!s.empty()) std::memcpy(p + 1, s.data(), s.size());
    p[s.size() + 1] = '"';
    return;
  }
  out.put('"');
  size_t start = 0;
  for (; i < s.size(); i = next_to_escape(s, i + 1)) {
    const unsigned char ch = static_cast<unsigned char>(s[i]);
    out.put(s.substr(start, i - start));
    start = i + 1;
    switch (ch) {
      case '"': out.put("\\\""); break;
      case '\\': out.put("\\\\"); break;
      case '\n': out.put("\\n"); break;
      case '\r': out.put("\\r"); break;
      case '\t': out.put("\\t"); break;
      case '\b': out.put("\\b"); break;
      case '\f': out.put("\\f"); break;
      default: {
        char* p = out.room(6);
        std::memcpy(p, "\\u00", 4);
        p[4] = hex[ch >> 4];
        p[5] = hex[ch & 15];
      }
    }
  }
  out.put(s.substr(start));
  out.put('"');
}

}  // namespace

void write_json_string(std::string& out, std::string_view s) {
  JsonOut o(out, s.size() + 2);
  write_json_string(o, s);
}

namespace {

// Writes members of one object; tracks the comma.
class ObjectWriter {
 public:
  explicit ObjectWriter(JsonOut& out) : out_(out) { out_.put('{'); }
  // A member name of the schema (nothing to escape): `,"k":` in one piece.
  ObjectWriter& key(std::string_view k) {
    const size_t comma = first_ ? 0 : 1;
    first_ = false;
    char* p = out_.room(comma + k.size() + 3);
    if (comma) *p++ = ',';
    *p++ = '"';
    std::memcpy(p, k.data(), k.size());
    p[k.size()] = '"';
    p[k.size() + 1] = ':';
    return *this;
  }
  // A member name from the input (an unknown member's), escaped.
  ObjectWriter& any_key(std::string_view k) {
    if (!first_) out_.put(',');
    first_ = false;
    write_json_string(out_, k);
    out_.put(':');
    return *this;
  }
  void str(std::string_view k, std::string_view v) { key(k), write_json_string(out_, v); }
  void opt(std::string_view k, const OptString& v) {
    key(k);
    if (v) write_json_string(out_, *v);
    else out_.put("null");
  }
  void integer(std::string_view k, int64_t v) {
    key(k);
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    out_.put(std::string_view(buf, static_cast<size_t>(r.ptr - buf)));
  }
  void boolean(std::string_view k, bool v) { key(k), out_.put(v ? "true" : "false"); }
  void strings(std::string_view k, const std::vector<std::string>& v) {
    key(k);
    out_.put('[');
    for (size_t i = 0; i < v.size(); ++i) {
      if (i) out_.put(',');
      write_json_string(out_, v[i]);
    }
    out_.put(']');
  }
  void raw(std::string_view k, std::string_view json) { any_key(k), out_.put(json); }
  void extras(const Extras& e) {
    for (const auto& [k, v] : e) raw(k, v);
  }
  void null(std::string_view k) { key(k), out_.put("null"); }
  JsonOut& out() { return out_; }
  ~ObjectWriter() { out_.put('}'); }

 private:
  JsonOut& out_;
  bool first_ = true;
};

template <class T, class F>
void write_array(JsonOut& out, const std::vector<T>& items, F&& write_one) {
  out.put('[');
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out.put(',');
    write_one(out, items[i]);
  }
  out.put(']');
}

void write_customer(JsonOut& out, const Customer& c) {
  ObjectWriter w(out);
  w.str("id", c.id);
  w.opt("handle", c.handle);
  w.opt("name", c.name);
  if (c.followers) w.integer("followers", *c.followers);
  else w.null("followers");
  w.extras(c.extra);
}

void write_message(JsonOut& out, const Message& m) {
  ObjectWriter w(out);
  w.str("id", m.id);
  w.str("dir", to_string(m.dir));
  w.str("at", m.at);
  w.str("author", m.author);
  w.str("text", m.text);
  w.boolean("public", m.is_public);
  if (m.visibility) w.opt("visibility", m.visibility);
  w.opt("reply_to", m.reply_to);
  if (m.lang) w.opt("lang", m.lang);
  if (m.is_auto) w.boolean("auto", true);
  if (m.redacted) w.boolean("redacted", true);
  if (m.posted_id) w.opt("posted_id", m.posted_id);
  w.extras(m.extra);
}

void write_sla(JsonOut& out, const Sla& s) {
  ObjectWriter w(out);
  w.opt("first_response_due", s.first_response_due);
  w.opt("next_response_due", s.next_response_due);
  w.opt("resolution_due", s.resolution_due);
  w.opt("first_response_at", s.first_response_at);
  w.strings("breached", s.breached);
  w.extras(s.extra);
}

void write_handoff(JsonOut& out, const Handoff& h) {
  ObjectWriter w(out);
  w.str("to", h.to);
  w.str("at", h.at);
  w.str("by", h.by);
  w.opt("why", h.why);
  w.opt("ref", h.ref);
  w.opt("owner", h.owner);
  w.opt("follow_up_due", h.follow_up_due);
  w.opt("completed_at", h.completed_at);
  w.extras(h.extra);
}

void write_incident(JsonOut& out, const Incident& i) {
  ObjectWriter w(out);
  w.str("id", i.id);
  w.opt("title", i.title);
  w.opt("since", i.since);
  w.extras(i.extra);
}

void write_resolution(JsonOut& out, const Resolution& r) {
  ObjectWriter w(out);
  w.str("reason", r.reason);
  w.str("at", r.at);
  w.str("by", r.by);
  w.extras(r.extra);
}

void write_link(JsonOut& out, const Link& l) {
  ObjectWriter w(out);
  w.str("rel", l.rel);
  w.str("ref", l.ref);
  w.extras(l.extra);
}

void write_event(JsonOut& out, const Event& e) {
  ObjectWriter w(out);
  w.str("at", e.at);
  w.str("by", e.by);
  w.str("what", e.what);
  w.extras(e.extra);
}

template <class T, class F>
void write_optional(ObjectWriter& w, std::string_view k, const std::optional<T>& v, F&& write_one) {
  w.key(k);
  if (v) write_one(w.out(), *v);
  else w.out().put("null");
}

// Room for a case as written: its texts, and a generous allowance for the
// rest (the writer grows the room if a case needs more).
size_t expected_size(const Case& c) {
  size_t n = 1024 + 256 * c.events.size();
  for (const auto& m : c.messages) n += 256 + m.text.size() + m.text.size() / 8;
  return n;
}

}  // namespace

void write_case_canonical(std::string& s, const Case& c) {
  JsonOut out(s, expected_size(c));
  ObjectWriter w(out);
  w.integer("v", c.v);
  w.str("id", c.id);
  w.integer("rev", c.rev);
  w.str("channel", c.channel);
  w.str("account", c.account);
  w.key("customer"), write_customer(out, c.customer);
  w.key("messages"), write_array(out, c.messages, write_message);
  w.str("status", to_string(c.status));
  w.opt("priority", c.priority);
  w.opt("category", c.category);
  w.strings("tags", c.tags);
  w.opt("team", c.team);
  w.opt("owner", c.owner);
  w.key("sla"), write_sla(out, c.sla);
  w.key("links"), write_array(out, c.links, write_link);
  write_optional(w, "handoff", c.handoff, write_handoff);
  write_optional(w, "incident", c.incident, write_incident);
  write_optional(w, "resolution", c.resolution, write_resolution);
  w.strings("pii", c.pii);
  w.key("events"), write_array(out, c.events, write_event);
  w.str("updated_at", c.updated_at);
  w.extras(c.extra);
}

void write_case(std::string& out, const Case& c) {
  if (!c.source.empty()) out += c.source;
  else write_case_canonical(out, c);
}

std::string case_to_json(const Case& c) {
  std::string s;
  write_case(s, c);
  return s;
}

}  // namespace socq
