#include "lib/triage/away_store.h"

#include <charconv>

#include "lib/timefmt.h"

namespace socq {

Status add_store_away(TriageEnv& env, Store& store) {
  auto marks = store.away_marks();
  if (!marks) return marks.error();
  for (auto& m : *marks) env.away.push_back(AwayAgent{std::move(m.name), std::move(m.from), std::move(m.until), "store"});
  return ok_status();
}

namespace {

// "8h", "7d", "30m" -> milliseconds; nullopt when not such a duration.
std::optional<int64_t> duration_ms(const std::string& s) {
  if (s.size() < 2) return std::nullopt;
  int64_t n = 0;
  const char* end = s.data() + s.size() - 1;
  auto [p, ec] = std::from_chars(s.data(), end, n);
  if (ec != std::errc() || p != end || n < 0) return std::nullopt;
  const int64_t unit = s.back() == 'm' ? 60000 : s.back() == 'h' ? 3600000 : s.back() == 'd' ? 86400000 : 0;
  if (!unit || n > (kMaxTimeMs - kMinTimeMs) / unit) return std::nullopt;
  return n * unit;
}

}  // namespace

Result<std::string> parse_away_time(const std::string& text, int64_t now_ms, const std::string& flag) {
  std::optional<int64_t> ms;
  now_ms -= now_ms % 1000;  // whole seconds: times people read and type back
  if (text == "now") ms = now_ms;
  else if (auto d = duration_ms(text)) ms = now_ms + *d;
  else if (text.size() == 10) ms = parse_rfc3339_utc(text + "T00:00:00Z");
  else ms = parse_rfc3339_utc(text);
  if (!ms || !time_in_range(*ms))
    return Error{Exit::usage, flag + " wants an RFC 3339 UTC time (2026-12-24T09:00:00Z), a date (2026-12-24), now, "
                                     "or a duration from now (8h, 7d), not \"" + text + "\""};
  return format_rfc3339_utc(*ms);
}

}  // namespace socq
