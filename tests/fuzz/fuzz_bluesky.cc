// The Bluesky response parsers a server's bytes reach: listNotifications and
// getPosts pages, AT Protocol datetimes, JWT payloads (the session cache);
// and the facet finders on the same bytes as post text. Any input gives a
// value or an error, never a crash; spans stay inside the text; a post's
// text (with its link facets spliced in) stays valid UTF-8.
#include <cstdlib>
#include <string>
#include <string_view>

#include <utf8proc.h>

#include "lib/channels/bluesky.h"
#include "lib/channels/bluesky_session.h"
#include "lib/channels/facets.h"

namespace {
// Whether s is UTF-8 as a stored case must be (utf8proc decodes every character).
bool valid_utf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    utf8proc_int32_t cp = -1;
    const auto n = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(s.data() + i), static_cast<utf8proc_ssize_t>(s.size() - i), &cp);
    if (n <= 0) return false;
    i += static_cast<size_t>(n);
  }
  return true;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  if (auto page = socq::parse_bluesky_notifications(in)) {
    for (const auto& p : page->posts)
      if (p.uri.rfind("at://", 0) != 0 || p.author_did.empty() || !socq::atproto_time_ms(p.indexed_at) || !valid_utf8(p.text))
        std::abort();  // link facets are spliced into the text: never a cut character
  }
  (void)socq::parse_bluesky_posts(in);
  (void)socq::atproto_time_ms(in);
  (void)socq::jwt_expiry_s(std::string(in));
  for (const auto& m : socq::find_mentions(in))
    if (m.end > size || m.begin >= m.end || in[m.begin] != '@' || in.substr(m.begin + 1, m.end - m.begin - 1) != m.value) std::abort();
  for (const auto& l : socq::find_links(in))
    if (l.end > size || l.begin >= l.end || in.substr(l.begin, l.end - l.begin) != l.value) std::abort();
  if (socq::grapheme_count(in) > static_cast<int64_t>(size)) std::abort();
  return 0;
}
