// The case transcript a handoff sends out: plain text (webhook bodies, the
// e-mail's text/plain part) and an RFC 5322 e-mail with a
// multipart/alternative body (text/plain and text/html, customer text
// HTML-escaped). Everything from the customer is untrusted: control
// characters are dropped, header values cannot break a header line.
#pragma once
#include <string>

#include "lib/case.h"

namespace socq::handoff {

struct MailHeaders {
  std::string from, to;
  std::string date;        // RFC 5322 date, from the handoff time
  std::string message_id;  // "<socq-...@socq.invalid>" from the outbox key
  std::string subject;
};

// The customer's handle with one leading '@' ("@ann@example.org"), or their id.
std::string customer_at(const Case& c);
// "Case mastodon:northrail@transit.social:123 (@rider@rail.example)".
std::string transcript_subject(const Case& c);
// The case id, customer, link, why, then every message oldest first.
std::string transcript_text(const Case& c, const std::string& case_url, const std::string& why);
std::string transcript_html(const Case& c, const std::string& case_url, const std::string& why);

// The link back: case_url with {id} replaced (URL-escaped id); "" if no case_url.
std::string case_link(const std::string& case_url, const std::string& case_id);
// A stable Message-ID for an outbox key: retries send the same one.
std::string message_id_for(const std::string& key, const std::string& from);
// RFC 3339 -> "Tue, 24 Nov 2026 16:40:00 +0000".
std::string rfc5322_date(const std::string& rfc3339);
std::string html_escape(const std::string& s);

// The whole message, CRLF line ends, ready for SMTP DATA. `boundary` is
// derived from the Message-ID so the bytes are the same on every retry.
std::string build_mail(const MailHeaders& h, const std::string& text, const std::string& html);

}  // namespace socq::handoff
