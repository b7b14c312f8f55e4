// Turning posted plain text into what Mastodon stores: HTML content with
// mention and link markup, and the length as Mastodon counts it.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "tests/fakes/harness.h"

namespace socq::fake {

struct Composed {
  std::string html;
  std::vector<json> mentions;  // {id, username, url, acct}
};

// `find_account` maps "user" or "user@domain" to an Account, or null.
Composed compose_html(const std::string& text, const std::function<json(const std::string&)>& find_account);

// Graphemes, each URL counted as `url_chars`, a remote mention as its
// local @user part.
size_t mastodon_length(const std::string& text, size_t url_chars);

}  // namespace socq::fake
