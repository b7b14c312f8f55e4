// Mastodon status HTML to the plain text a person wrote: tags dropped,
// entities decoded, <br> and paragraph breaks as line breaks, mention and
// link markup reduced to their text; a link keeps the scheme and tail that
// Mastodon hides in <span class="invisible"> for display.
#pragma once
#include <string>
#include <string_view>

namespace socq {

std::string html_to_text(std::string_view html);
// "&amp;" "&#39;" "&#x1F600;" ... decoded to UTF-8; unknown entities kept.
std::string decode_entities(std::string_view s);

}  // namespace socq
