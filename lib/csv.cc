#include "lib/csv.h"

#include <cerrno>
#include <cstring>

namespace socq {

CsvReader::CsvReader(const std::string& path) : input_(path), buf_(1 << 20) {
  error_ = input_.error();
}

CsvReader::~CsvReader() = default;

int CsvReader::peek() {
  if (pos_ == len_) {
    len_ = std::fread(buf_.data(), 1, buf_.size(), input_.get());
    pos_ = 0;
    if (len_ == 0) return EOF;
  }
  return static_cast<unsigned char>(buf_[pos_]);
}

int CsvReader::get() {
  const int c = peek();
  if (c != EOF) {
    ++pos_;
    ++bytes_read_;
    if (c == '\n') ++line_;
  }
  return c;
}

bool CsvReader::next(std::vector<std::string>& fields) {
  if (!input_.get()) return false;
  if (first_) {
    first_ = false;
    if (peek() == 0xEF) {  // a UTF-8 BOM
      get();
      if (get() != 0xBB || get() != 0xBF) {
        error_ = input_.name() + ":1: not UTF-8 text (a broken byte order mark)";
        return false;
      }
    }
  }
  for (;;) {
    fields.clear();
    record_line_ = line_;
    int c = peek();
    if (c == EOF) {
      if (std::ferror(input_.get())) {
        error_ = input_.name() + ": read error: " + std::strerror(errno);
        read_failed_ = true;
      }
      return false;
    }
    std::string field;
    bool quoted = false, end = false;
    while (!end) {
      c = get();
      if (quoted) {
        if (c == EOF) {
          error_ = input_.name() + ":" + std::to_string(record_line_) + ": a quoted field is never closed";
          return false;
        }
        if (c == '"') {
          if (peek() == '"') field.push_back(static_cast<char>(get()));
          else quoted = false;
        } else {
          field.push_back(static_cast<char>(c));
        }
        continue;
      }
      switch (c) {
        case '"':
          if (field.empty()) quoted = true;
          else field.push_back('"');
          break;
        case ',':
          fields.push_back(std::move(field));
          field.clear();
          break;
        case '\r':
          if (peek() == '\n') break;  // CRLF: the LF ends the record
          field.push_back('\r');      // a bare CR inside an unquoted field is data
          break;
        case '\n':
        case EOF:
          fields.push_back(std::move(field));
          end = true;
          break;
        default:
          field.push_back(static_cast<char>(c));
      }
    }
    if (fields.size() == 1 && fields[0].empty()) continue;  // a blank line
    return true;
  }
}

std::string csv_record(const std::vector<std::string>& fields) {
  std::string out;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i) out.push_back(',');
    const std::string& f = fields[i];
    if (f.find_first_of(",\"\r\n") == std::string::npos) {
      out += f;
      continue;
    }
    out.push_back('"');
    for (char c : f) {
      if (c == '"') out.push_back('"');
      out.push_back(c);
    }
    out.push_back('"');
  }
  return out + "\r\n";
}

}  // namespace socq
