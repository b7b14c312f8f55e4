#include "lib/handoff/transcript.h"

#include <cctype>
#include <ctime>

#include <fmt/format.h>

#include "lib/timefmt.h"

namespace socq::handoff {
namespace {

// Customer text without control characters (newlines and tabs kept).
std::string clean_text(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (unsigned char ch : s)
    if (ch >= 0x20 || ch == '\n' || ch == '\t') out += static_cast<char>(ch == 0x7f ? ' ' : ch);
  return out;
}

// One header line's value: no CR, LF or other control characters.
std::string header_safe(const std::string& s) {
  std::string out;
  for (unsigned char ch : s) out += ch < 0x20 || ch == 0x7f ? ' ' : static_cast<char>(ch);
  return out;
}

bool is_ascii(const std::string& s) {
  for (unsigned char ch : s)
    if (ch >= 0x80) return false;
  return true;
}

std::string base64(const std::string& in) {
  static const char* const k = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) |
                       static_cast<unsigned char>(in[i + 2]);
    out += {k[v >> 18], k[(v >> 12) & 63], k[(v >> 6) & 63], k[v & 63]};
  }
  if (i + 1 == in.size()) {
    const unsigned v = static_cast<unsigned char>(in[i]) << 16;
    out += {k[v >> 18], k[(v >> 12) & 63], '=', '='};
  } else if (i + 2 == in.size()) {
    const unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8);
    out += {k[v >> 18], k[(v >> 12) & 63], k[(v >> 6) & 63], '='};
  }
  return out;
}

// base64 in lines of 76 characters, CRLF ended.
std::string base64_lines(const std::string& in) {
  const std::string b = base64(in);
  std::string out;
  for (size_t i = 0; i < b.size(); i += 76) out += b.substr(i, 76) + "\r\n";
  return out;
}

// RFC 2047 for a non-ASCII header value.
std::string encoded_word(const std::string& s) {
  const std::string v = header_safe(s);
  return is_ascii(v) ? v : "=?UTF-8?B?" + base64(v) + "?=";
}

std::string url_escape(const std::string& s) {
  std::string out;
  for (unsigned char ch : s) {
    if (std::isalnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == '~' || ch == ':' || ch == '@') out += static_cast<char>(ch);
    else out += fmt::format("%{:02X}", ch);
  }
  return out;
}

const char* who_of(const Message& m) { return m.dir == Dir::in ? "customer" : "us"; }

}  // namespace

std::string html_escape(const std::string& s) {
  std::string out;
  for (char ch : s) {
    switch (ch) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += ch;
    }
  }
  return out;
}

std::string case_link(const std::string& case_url, const std::string& case_id) {
  if (case_url.empty()) return {};
  std::string out = case_url;
  const auto at = out.find("{id}");
  if (at != std::string::npos) out.replace(at, 4, url_escape(case_id));
  return out;
}

std::string message_id_for(const std::string& key, const std::string& from) {
  // The sender's domain when it has one; socq.invalid otherwise.
  std::string domain = "socq.invalid";
  const auto at = from.rfind('@');
  if (at != std::string::npos) {
    std::string d = from.substr(at + 1);
    while (!d.empty() && (d.back() == '>' || d.back() == ' ')) d.pop_back();
    if (!d.empty() && d.find_first_of("<>\"\r\n ") == std::string::npos) domain = d;
  }
  return "<" + key + "@" + domain + ">";
}

std::string rfc5322_date(const std::string& rfc3339) {
  static const char* const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char* const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const auto ms = parse_rfc3339_utc(rfc3339);
  if (!ms) return rfc3339;
  const std::time_t t = *ms / 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  return fmt::format("{}, {:02d} {} {} {:02d}:{:02d}:{:02d} +0000", days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon],
                     tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

std::string customer_at(const Case& c) {
  if (!c.customer.handle || c.customer.handle->empty()) return c.customer.id;
  return (*c.customer.handle)[0] == '@' ? *c.customer.handle : "@" + *c.customer.handle;
}

std::string transcript_subject(const Case& c) {
  std::string s = "Case " + c.id;
  if (c.customer.handle) s += " (" + customer_at(c) + ")";
  return header_safe(s);
}

std::string transcript_text(const Case& c, const std::string& case_url, const std::string& why) {
  std::string out = "Case: " + c.id + "\n";
  out += "Customer: " + clean_text(customer_at(c));
  if (c.customer.name) out += " (" + clean_text(*c.customer.name) + ")";
  out += "\nChannel: " + c.channel + " (" + c.account + ")\n";
  if (const auto link = case_link(case_url, c.id); !link.empty()) out += "Link: " + link + "\n";
  if (!why.empty()) out += "Why: " + clean_text(why) + "\n";
  for (const auto& m : c.messages)
    out += fmt::format("\n[{}] {}{} ({}):\n{}\n", m.at, who_of(m), m.is_public ? "" : ", private", clean_text(m.author),
                       clean_text(m.text));
  return out;
}

std::string transcript_html(const Case& c, const std::string& case_url, const std::string& why) {
  std::string out = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" + html_escape(transcript_subject(c)) +
                    "</title></head><body>\n";
  out += "<p>Case <b>" + html_escape(c.id) + "</b>";
  out += "<br>Customer: " + html_escape(clean_text(customer_at(c)));
  if (c.customer.name) out += " (" + html_escape(clean_text(*c.customer.name)) + ")";
  out += "<br>Channel: " + html_escape(c.channel + " (" + c.account + ")");
  if (const auto link = case_link(case_url, c.id); !link.empty())
    out += "<br>Link: <a href=\"" + html_escape(link) + "\">" + html_escape(link) + "</a>";
  if (!why.empty()) out += "<br>Why: " + html_escape(clean_text(why));
  out += "</p>\n";
  for (const auto& m : c.messages) {
    out += fmt::format("<div class=\"{}\"><p><small>{} &mdash; {}{} ({})</small></p><p>", m.dir == Dir::in ? "in" : "out",
                       html_escape(m.at), who_of(m), m.is_public ? "" : ", private", html_escape(clean_text(m.author)));
    std::string text = html_escape(clean_text(m.text));
    for (size_t p = 0; (p = text.find('\n', p)) != std::string::npos; p += 5) text.replace(p, 1, "<br>\n");
    out += text + "</p></div>\n";
  }
  return out + "</body></html>\n";
}

std::string build_mail(const MailHeaders& h, const std::string& text, const std::string& html) {
  // The boundary cannot occur in base64 parts ('=' and '_' pairs never do).
  std::string boundary = "=_socq_" + base64(h.message_id).substr(0, 24);
  for (auto& ch : boundary)
    if (ch == '/' || ch == '+') ch = '_';
  std::string m;
  m += "From: " + header_safe(h.from) + "\r\n";
  m += "To: " + header_safe(h.to) + "\r\n";
  m += "Date: " + header_safe(h.date) + "\r\n";
  m += "Message-ID: " + header_safe(h.message_id) + "\r\n";
  m += "Subject: " + encoded_word(h.subject) + "\r\n";
  m += "MIME-Version: 1.0\r\n";
  m += "Auto-Submitted: auto-generated\r\n";
  m += "Content-Type: multipart/alternative; boundary=\"" + boundary + "\"\r\n\r\n";
  m += "--" + boundary + "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n";
  m += base64_lines(text);
  m += "--" + boundary + "\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n";
  m += base64_lines(html);
  m += "--" + boundary + "--\r\n";
  return m;
}

}  // namespace socq::handoff
