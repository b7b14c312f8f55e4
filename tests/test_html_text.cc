// Mastodon status HTML to plain text.
#include <doctest/doctest.h>

#include "lib/channels/html_text.h"

namespace socq {

TEST_CASE("html_text: paragraphs and line breaks") {
  CHECK(html_to_text("<p>one</p><p>two</p>") == "one\n\ntwo");
  CHECK(html_to_text("<p>a<br>b<br />c<br/>d</p>") == "a\nb\nc\nd");
  CHECK(html_to_text("plain") == "plain");
  CHECK(html_to_text("") == "");
}

TEST_CASE("html_text: entities, numeric ones included") {
  CHECK(html_to_text("<p>Tom &amp; Jerry &lt;3 &quot;yes&quot; it&#39;s &gt; &apos;</p>") == "Tom & Jerry <3 \"yes\" it's > '");
  CHECK(decode_entities("&#x1F686; &#128646; &eacute;") == "\xF0\x9F\x9A\x86 \xF0\x9F\x9A\x86 &eacute;");  // unknown kept
  CHECK(decode_entities("a & b &; &#;") == "a & b &; &#;");
  CHECK(decode_entities("&#0; &#xD800;") == "\xEF\xBF\xBD \xEF\xBF\xBD");  // never NUL or a lone surrogate
  CHECK(html_to_text("<p>caf\xC3\xA9 \xF0\x9F\x98\x80</p>") == "caf\xC3\xA9 \xF0\x9F\x98\x80");
}

TEST_CASE("html_text: mentions and links to their visible text") {
  const std::string mention =
      "<p><span class=\"h-card\" translate=\"no\"><a href=\"https://transit.social/@northrail\" class=\"u-url mention\">"
      "@<span>northrail</span></a></span> where is my train?</p>";
  CHECK(html_to_text(mention) == "@northrail where is my train?");
  const std::string link =
      "<p>see <a href=\"https://example.org/a/very/long/path\" rel=\"nofollow noopener\" target=\"_blank\">"
      "<span class=\"invisible\">https://</span><span class=\"ellipsis\">example.org/a/very</span>"
      "<span class=\"invisible\">/long/path</span></a> now</p>";
  CHECK(html_to_text(link) == "see https://example.org/a/very/long/path now");  // the whole link, as posted
  CHECK(html_to_text("<p><a href=\"https://t.social/tags/delay\" class=\"mention hashtag\" rel=\"tag\">#<span>delay</span></a></p>") ==
        "#delay");
}

TEST_CASE("html_text: broken markup does not leak tags") {
  CHECK(html_to_text("<p>ok</p><p>tail <a href=") == "ok\n\ntail");
  CHECK(html_to_text("<p><span class='invisible'>x</span>y</span>z</p>") == "xyz");
}

}  // namespace socq
