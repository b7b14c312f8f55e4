#include "lib/handoff/smtp.h"

#include <curl/curl.h>

#include <cstring>

#include <fmt/format.h>
#include "lib/curl_dl.h"

namespace socq::handoff {
namespace {

struct Upload {
  const std::string* data;
  size_t pos = 0;
};

size_t read_chunk(char* buf, size_t size, size_t n, void* userp) {
  auto* u = static_cast<Upload*>(userp);
  const size_t room = size * n;
  const size_t left = u->data->size() - u->pos;
  const size_t len = left < room ? left : room;
  std::memcpy(buf, u->data->data() + u->pos, len);
  u->pos += len;
  return len;
}

struct CurlList {
  curl_slist* list = nullptr;
  ~CurlList() { curl_slist_free_all(list); }
};

Error smtp_error(CURLcode rc, long response, const std::string& url, const char* detail) {
  const std::string why = fmt::format("e-mail via {}: {}{}{}", url, curl_easy_strerror(rc), *detail ? ": " : "", detail);
  if (rc == CURLE_LOGIN_DENIED) return Error{Exit::no_perm, why + " (check smtp.user and the password source)"};
  if (rc == CURLE_USE_SSL_FAILED)
    return Error{Exit::no_perm, why + " (the relay offers no STARTTLS; plain SMTP only with tls = \"none\" for a local relay)"};
  if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE)
    return Error{Exit::no_perm, why + " (the relay's certificate is not trusted; smtp.ca_file names a private CA)"};
  if (rc == CURLE_URL_MALFORMAT || rc == CURLE_UNSUPPORTED_PROTOCOL) return Error{Exit::config, why};
  if (response >= 500 && response < 600) return Error{Exit::data, why + fmt::format(" (the relay answered {})", response)};
  return Error{Exit::unavailable, why};
}

}  // namespace

std::string bare_address(const std::string& mailbox) {
  const auto lt = mailbox.rfind('<');
  const auto gt = mailbox.rfind('>');
  if (lt != std::string::npos && gt != std::string::npos && gt > lt) return mailbox.substr(lt + 1, gt - lt - 1);
  return mailbox;
}

bool is_valid_address(const std::string& addr) {
  const auto at = addr.find('@');
  if (at == std::string::npos || at == 0 || at + 1 >= addr.size() || addr.find('@', at + 1) != std::string::npos) return false;
  for (unsigned char ch : addr)
    if (ch <= 0x20 || ch == 0x7f || ch == '<' || ch == '>' || ch == ',' || ch == ';' || ch == '"' || ch == '\\') return false;
  return addr.find('.', at) != std::string::npos || addr.substr(at + 1) == "localhost";
}

Status send_mail(const SmtpConfig& smtp, const std::string& password, const MailEnvelope& env, const std::string& message) {
  if (auto loaded = load_libcurl(); !loaded) return loaded.error();  // 69, naming the package
  CURL* curl = curl_easy_init();
  if (!curl) return Error{Exit::internal, "libcurl: cannot start a session"};
  char errbuf[CURL_ERROR_SIZE] = "";
  Upload up{&message};
  CurlList rcpt;
  for (const auto& r : env.rcpt) rcpt.list = curl_slist_append(rcpt.list, ("<" + r + ">").c_str());
  curl_easy_setopt(curl, CURLOPT_URL, smtp.url.c_str());
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_USE_SSL, static_cast<long>(smtp.tls == "none" ? CURLUSESSL_NONE : CURLUSESSL_ALL));
  if (!smtp.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, smtp.ca_file.c_str());
  if (!smtp.user.empty()) curl_easy_setopt(curl, CURLOPT_USERNAME, smtp.user.c_str());
  if (!password.empty()) curl_easy_setopt(curl, CURLOPT_PASSWORD, password.c_str());
  curl_easy_setopt(curl, CURLOPT_MAIL_FROM, ("<" + env.from + ">").c_str());
  curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt.list);
  curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_chunk);
  curl_easy_setopt(curl, CURLOPT_READDATA, &up);
  curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(message.size()));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(smtp.timeout_ms));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(smtp.timeout_ms));
  const CURLcode rc = curl_easy_perform(curl);
  long response = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response);
  curl_easy_cleanup(curl);
  if (rc != CURLE_OK) return smtp_error(rc, response, smtp.url, errbuf);
  return ok_status();
}

}  // namespace socq::handoff
