// Helpers shared by unit tests.
#pragma once
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace socq::test {

// A fresh directory removed at scope exit.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "socq-test-XXXXXX").string();
    path = mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::string file(const std::string& name) const { return (path / name).string(); }
};

inline void write_file(const std::string& path, const std::string& content) {
  std::ofstream(path, std::ios::binary) << content;
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A small valid case; `extra` is spliced in before the closing brace.
inline std::string case_json(const std::string& thread = "100", const std::string& extra = "",
                             const std::string& messages = "") {
  const std::string msgs = messages.empty()
                               ? R"([{"id":")" + thread + R"(","dir":"in","at":"2026-11-20T07:41:09Z","author":"@ann","text":"Train cancelled","public":true,"reply_to":null}])"
                               : messages;
  return R"({"v":1,"id":"mastodon:transit@example.social:)" + thread +
         R"(","rev":1,"channel":"mastodon","account":"transit@example.social","customer":{"id":"10987","handle":"@ann"},"messages":)" +
         msgs + R"(,"status":"open","updated_at":"2026-11-20T07:45:00Z")" + extra + "}";
}

}  // namespace socq::test
