// Sending one e-mail over SMTP with libcurl. TLS is required
// (CURLUSESSL_ALL: STARTTLS on smtp://, implicit TLS on smtps://) unless the
// config says tls = "none" for a relay on this machine. The password
// reaches libcurl only; no log or error holds it.
#pragma once
#include <string>
#include <vector>

#include "lib/handoff/config.h"
#include "lib/result.h"

namespace socq::handoff {

struct MailEnvelope {
  std::string from;                 // bare address for MAIL FROM
  std::vector<std::string> rcpt;    // bare addresses for RCPT TO
};

// "Support <support@example.com>" -> "support@example.com"; a bare address as is.
std::string bare_address(const std::string& mailbox);
// A plausible single address (local@domain, no spaces or angle brackets).
bool is_valid_address(const std::string& addr);

// Sends `message` (CRLF lines). Errors: Exit::unavailable (connection,
// timeout, 4xx: try again later), Exit::no_perm (authentication refused,
// TLS refused), Exit::data (5xx: the relay refused the mail for good),
// Exit::config (a bad url).
Status send_mail(const SmtpConfig& smtp, const std::string& password, const MailEnvelope& env, const std::string& message);

}  // namespace socq::handoff
