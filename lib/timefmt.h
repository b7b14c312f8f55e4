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
// YYYY-MM-DDTHH:MM:SSZ, or with .mmm when ms is not whole seconds.
std::string format_rfc3339_utc(int64_t epoch_ms);

}  // namespace socq
