// RFC 3339 timestamps as socq stores them: UTC, `Z`, optional fraction.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace socq {

// Milliseconds since the Unix epoch, or nullopt if `s` is not
// YYYY-MM-DDTHH:MM:SS[.fraction]Z with valid ranges.
std::optional<int64_t> parse_rfc3339_utc(std::string_view s);
// Any RFC 3339 time as platforms send it: `Z` or `z`, or an offset
// (+hh:mm, -hh:mm; "1994-11-05T08:15:30-05:00"), as milliseconds since the
// epoch in UTC. For what a server says; stored cases hold only `Z` times.
std::optional<int64_t> parse_rfc3339_any(std::string_view s);
// YYYY-MM-DDTHH:MM:SSZ, or with .mmm when ms is not whole seconds.
// Only times in [kMinTimeMs, kMaxTimeMs] format to text that
// parse_rfc3339_utc reads back (four-digit years): check with time_in_range.
std::string format_rfc3339_utc(int64_t epoch_ms);

inline constexpr int64_t kMinTimeMs = -62167219200000;  // 0000-01-01T00:00:00Z
inline constexpr int64_t kMaxTimeMs = 253402300799999;  // 9999-12-31T23:59:59.999Z
inline constexpr bool time_in_range(int64_t epoch_ms) { return epoch_ms >= kMinTimeMs && epoch_ms <= kMaxTimeMs; }

// Whole seconds (or ms) since the epoch from decimal digits, or nullopt when
// not all digits or outside the years 0000-9999 (no overflow on any input).
std::optional<int64_t> parse_epoch_ms(std::string_view digits, bool in_seconds);

}  // namespace socq
