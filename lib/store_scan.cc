#include "lib/store_scan.h"

#include <sqlite3.h>

#include <cstring>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "lib/case_json.h"
#include "lib/store_codec.h"

namespace socq {
namespace {

struct Db {
  sqlite3* db = nullptr;
  sqlite3_stmt* st = nullptr;
  ~Db() {
    if (st) sqlite3_finalize(st);
    if (db) {
      sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
      sqlite3_close(db);
    }
  }
};

Error scan_error(sqlite3* db, const std::string& path) {
  const int rc = db ? sqlite3_errcode(db) : SQLITE_CANTOPEN;
  const Exit code = rc == SQLITE_BUSY || rc == SQLITE_LOCKED ? Exit::temp_fail : Exit::io;
  return Error{code, path + ": reading cases: " + (db ? sqlite3_errmsg(db) : "cannot open")};
}

// A dictionary the store's compressed cases name (lib/store_codec.h).
Result<std::optional<std::string>> dictionary(sqlite3* db, const std::string& path, uint32_t id) {
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db, "SELECT dict FROM dictionaries WHERE id = ?", -1, &st, nullptr) != SQLITE_OK)
    return scan_error(db, path);
  sqlite3_bind_int64(st, 1, id);
  const int rc = sqlite3_step(st);
  std::optional<std::string> dict;
  if (rc == SQLITE_ROW)
    dict.emplace(static_cast<const char*>(sqlite3_column_blob(st, 0)), static_cast<size_t>(sqlite3_column_bytes(st, 0)));
  sqlite3_finalize(st);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return scan_error(db, path);
  return dict;
}

// Opens the store read-only in one read transaction (a consistent snapshot
// while writers go on, under WAL) and prepares the scan.
Status open_scan(Db& d, const std::string& path) {
  // No per-call mutex: one thread uses the connection at a time (the scan
  // on two threads serialises its uses itself).
  if (sqlite3_open_v2(path.c_str(), &d.db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK)
    return scan_error(d.db, path);
  sqlite3_busy_timeout(d.db, 5000);
  if (sqlite3_exec(d.db, "PRAGMA mmap_size = 1073741824; BEGIN", nullptr, nullptr, nullptr) != SQLITE_OK)
    return scan_error(d.db, path);
  if (sqlite3_prepare_v2(d.db, "SELECT id, json, number FROM cases", -1, &d.st, nullptr) != SQLITE_OK)
    return scan_error(d.db, path);
  return ok_status();
}

}  // namespace

Status scan_sqlite_store(const std::string& path, const std::function<Status(Case&&)>& on_case) {
  Db d;
  if (auto st = open_scan(d, path); !st) return st;
  CaseCodec codec([&](uint32_t id) -> Result<std::optional<std::string>> { return dictionary(d.db, path, id); });
  CaseParser parser;
  Case scratch;  // parsed into again and again, keeping its strings' memory
  std::string buf;
  auto damaged = [&](const Error& why) {
    const auto* id = reinterpret_cast<const char*>(sqlite3_column_text(d.st, 0));
    return Error{Exit::data, path + ": stored case " + (id ? id : "?") + " is damaged: " + why.message};
  };
  for (;;) {
    const int rc = sqlite3_step(d.st);
    if (rc == SQLITE_DONE) return ok_status();
    if (rc != SQLITE_ROW) return scan_error(d.db, path);
    const bool blob = sqlite3_column_type(d.st, 1) == SQLITE_BLOB;
    const auto* bytes = sqlite3_column_blob(d.st, 1);
    const auto len = static_cast<size_t>(sqlite3_column_bytes(d.st, 1));
    // The parser reads past the end: decompressed into a padded buffer, or
    // a padded copy.
    auto json = codec.text(bytes, len, blob, CaseParser::padding());
    if (!json) return damaged(json.error());
    const char* text = json->data();
    if (!blob) {
      if (buf.size() < len + CaseParser::padding()) buf.resize(len + CaseParser::padding());
      if (len) std::memcpy(buf.data(), bytes, len);
      text = buf.data();
    }
    if (auto st = parser.parse_reusing(text, json->size(), json->size() + CaseParser::padding(), scratch); !st)
      return damaged(st.error());
    scratch.number = sqlite3_column_int64(d.st, 2);
    if (auto s = on_case(std::move(scratch)); !s) return s;
  }
}

// ---- the same scan on two threads ----

namespace {
constexpr size_t kLaneBytes = 2 << 20;  // stored bytes a thread takes per round

// One thread's share of a round of rows: their stored bytes back to back
// (with the parser's padding after the last), decoded and parsed there.
struct ScanLane {
  struct Row {
    size_t at, len, id_at, id_len;
    bool blob;
    int64_t number;
  };
  explicit ScanLane(CaseCodec::Loader load) : codec(std::move(load)) { parser.keep_source(false); }
  CaseCodec codec;
  CaseParser parser;
  Case scratch;  // parsed into again and again, keeping its strings' memory
  std::string bytes;
  std::vector<Row> rows;
  std::optional<Error> error;

  void add(sqlite3_stmt* st) {
    const auto* id = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
    const auto id_len = static_cast<size_t>(sqlite3_column_bytes(st, 0));
    const auto* data = static_cast<const char*>(sqlite3_column_blob(st, 1));
    const auto len = static_cast<size_t>(sqlite3_column_bytes(st, 1));
    Row r{bytes.size(), len, bytes.size() + len, id_len, sqlite3_column_type(st, 1) == SQLITE_BLOB,
          sqlite3_column_int64(st, 2)};
    if (len) bytes.append(data, len);
    if (id_len) bytes.append(id, id_len);
    rows.push_back(r);
  }
  // Decodes, parses and hands on every row; stops at the first error.
  void run(const std::string& path, const std::function<Status(Case&&)>& on_case) {
    bytes.append(CaseParser::padding(), '\0');
    for (const Row& r : rows) {
      const std::string_view id(bytes.data() + r.id_at, r.id_len);
      auto damaged = [&](const Error& why) {
        return Error{Exit::data, path + ": stored case " + std::string(id) + " is damaged: " + why.message};
      };
      auto json = codec.text(bytes.data() + r.at, r.len, r.blob, CaseParser::padding());
      if (!json) return void(error = damaged(json.error()));
      // A TEXT row is read in place: the bytes after it (the next row, or
      // the padding) stay readable.
      const char* text = r.blob ? json->data() : bytes.data() + r.at;
      if (auto st = parser.parse_reusing(text, json->size(), json->size() + CaseParser::padding(), scratch); !st)
        return void(error = damaged(st.error()));
      scratch.number = r.number;
      if (auto st = on_case(std::move(scratch)); !st) return void(error = st.error());
    }
  }
  void clear() {
    bytes.clear(), rows.clear();
    error.reset();
  }
};
}  // namespace

Status scan_sqlite_store_two(const std::string& path, const std::function<Status(Case&&)>& first,
                             const std::function<Status(Case&&)>& second) {
  Db d;
  if (auto st = open_scan(d, path); !st) return st;
  // Dictionaries are read on whichever thread first needs one, one at a time.
  std::mutex db_mutex;
  const CaseCodec::Loader load = [&](uint32_t id) -> Result<std::optional<std::string>> {
    std::lock_guard<std::mutex> lock(db_mutex);
    return dictionary(d.db, path, id);
  };
  // Two rounds of two lanes: this thread reads the next round's rows while
  // two threads decode and parse the last one's, so SQLite's share runs
  // beside the parsing instead of between rounds.
  ScanLane rounds[2][2] = {{ScanLane(load), ScanLane(load)}, {ScanLane(load), ScanLane(load)}};
  bool done = false;
  const auto fill = [&](ScanLane (&lanes)[2]) -> Status {
    std::lock_guard<std::mutex> lock(db_mutex);
    for (ScanLane& lane : lanes) {
      lane.clear();
      while (!done && lane.bytes.size() < kLaneBytes) {
        const int rc = sqlite3_step(d.st);
        if (rc == SQLITE_DONE) done = true;
        else if (rc != SQLITE_ROW) return scan_error(d.db, path);
        else lane.add(d.st);
      }
    }
    return ok_status();
  };
  if (auto st = fill(rounds[0]); !st) return st;
  for (int cur = 0; !rounds[cur][0].rows.empty() || !rounds[cur][1].rows.empty(); cur ^= 1) {
    ScanLane (&lanes)[2] = rounds[cur];
    std::thread one([&] { lanes[0].run(path, first); });
    std::thread two([&] { lanes[1].run(path, second); });
    Status next = ok_status();
    if (done) rounds[cur ^ 1][0].clear(), rounds[cur ^ 1][1].clear();
    else next = fill(rounds[cur ^ 1]);
    one.join();
    two.join();
    for (const ScanLane& lane : lanes)
      if (lane.error) return *lane.error;
    if (!next) return next;
  }
  return ok_status();
}

}  // namespace socq
