// The libcurl HttpClient against a tiny server in the test: User-Agent,
// one connection for many requests, timeouts as errors, masked log lines.
#include <doctest/doctest.h>

#include <httplib.h>

#include <thread>

#include "lib/http_curl.h"

namespace socq {

namespace {

struct TinyServer {
  httplib::Server server;
  std::thread thread;
  int port = 0;
  std::vector<int> remote_ports;
  std::vector<std::string> agents;
  std::mutex m;
  TinyServer() {
    server.Get("/ok", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(m);
      remote_ports.push_back(req.remote_port);
      agents.push_back(req.get_header_value("User-Agent"));
      res.set_header("X-RateLimit-Remaining", "299");
      res.set_content("{\"ok\":true}", "application/json");
    });
    server.Get("/slow", [](const httplib::Request&, httplib::Response& res) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1500));
      res.set_content("late", "text/plain");
    });
    port = server.bind_to_any_port("127.0.0.1");
    thread = std::thread([this] { server.listen_after_bind(); });
    while (!server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ~TinyServer() {
    server.stop();
    thread.join();
  }
  std::string url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port) + path; }
};

}  // namespace

TEST_CASE("http curl: user agent, lower-cased headers, one connection reused") {
  TinyServer s;
  std::vector<std::string> log;
  auto http = make_curl_client(CurlOptions{2000, [&](const std::string& l) { log.push_back(l); }});
  for (int i = 0; i < 3; ++i) {
    auto r = http->send(HttpRequest{"GET", s.url("/ok?access_token=sekrit"), {{"Authorization", "Bearer tok-xyz"}}, "", 2000});
    REQUIRE(r.ok());
    CHECK(r->status == 200);
    CHECK(r->body == "{\"ok\":true}");
    CHECK(r->header("x-ratelimit-remaining") == "299");
  }
  REQUIRE(s.remote_ports.size() == 3);
  CHECK(s.remote_ports[0] == s.remote_ports[1]);  // the same TCP connection
  CHECK(s.remote_ports[1] == s.remote_ports[2]);
  CHECK(s.agents[0] == std::string("socq/") + SOCQ_VERSION);
  REQUIRE(log.size() == 3);
  CHECK(log[0].find("GET http://127.0.0.1:") == 0);
  CHECK(log[0].find("/ok?access_token=*** -> 200 (") != std::string::npos);
  CHECK(log[0].find(" ms)") != std::string::npos);
  for (const auto& l : log) {
    CHECK(l.find("tok-xyz") == std::string::npos);
    CHECK(l.find("sekrit") == std::string::npos);
  }
}

TEST_CASE("http curl: a timeout and a refused connection are retryable errors, a bad URL is not") {
  TinyServer s;
  auto http = make_curl_client(CurlOptions{});
  auto slow = http->send(HttpRequest{"GET", s.url("/slow"), {}, "", 300});
  REQUIRE(!slow.ok());
  CHECK(slow.error().code == Exit::unavailable);
  CHECK(slow.error().message.find("timed out") != std::string::npos);
  const std::string closed = "http://127.0.0.1:1/x";
  auto refused = http->send(HttpRequest{"GET", closed, {}, "", 1000});
  REQUIRE(!refused.ok());
  CHECK(refused.error().code == Exit::unavailable);
  auto bad = http->send(HttpRequest{"GET", "gopher://127.0.0.1/x", {}, "", 1000});
  REQUIRE(!bad.ok());
  CHECK(bad.error().code == Exit::config);
}

}  // namespace socq
