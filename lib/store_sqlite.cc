// The embedded store: one SQLite database (DESIGN.md "The store").
#include <sqlite3.h>

#include <array>
#include <filesystem>
#include <optional>
#include <thread>

#include "lib/case_json.h"
#include "lib/store.h"
#include "lib/store_codec.h"

namespace socq {
namespace {

constexpr int kApplicationId = 0x736f6371;  // "socq": marks the file as ours
constexpr int kSchemaVersion = 6;

// Migrations, in order: entry i takes the schema from version i to i + 1.
constexpr std::array<const char*, 6> kMigrations{
    R"sql(
CREATE TABLE cases (
  id TEXT PRIMARY KEY,
  rev INTEGER NOT NULL,
  channel TEXT NOT NULL,
  account TEXT NOT NULL,
  status TEXT NOT NULL,
  team TEXT,
  owner TEXT,
  priority TEXT,
  next_due_ms INTEGER,
  updated_at TEXT NOT NULL,
  json TEXT NOT NULL
);
CREATE INDEX cases_status_due ON cases(status, next_due_ms, updated_at);
CREATE INDEX cases_due ON cases(next_due_ms, updated_at);
CREATE INDEX cases_owner_status ON cases(owner, status);
CREATE INDEX cases_channel_account ON cases(channel, account);
CREATE TABLE messages (
  channel TEXT NOT NULL,
  message_id TEXT NOT NULL,
  case_id TEXT NOT NULL,
  PRIMARY KEY (channel, message_id)
) WITHOUT ROWID;
CREATE TABLE cursors (
  channel TEXT NOT NULL,
  account TEXT NOT NULL,
  cursor TEXT NOT NULL,
  updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),
  PRIMARY KEY (channel, account)
) WITHOUT ROWID;
CREATE TABLE outbox (
  idempotency_key TEXT PRIMARY KEY,
  case_id TEXT NOT NULL REFERENCES cases(id),
  kind TEXT NOT NULL,
  payload TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending','sent','failed')),
  created_at TEXT NOT NULL,
  sent_at TEXT,
  result TEXT
);
)sql",
    // 2: incremental triage. The rev triage last saw; the partial index
    // holds only cases changed since, so `socq triage` every minute reads
    // what changed, not the store.
    R"sql(
ALTER TABLE cases ADD COLUMN triaged_rev INTEGER;
CREATE INDEX cases_untriaged ON cases(id) WHERE triaged_rev IS NULL OR triaged_rev < rev;
)sql",
    // 3: short case numbers a person can type (#42), in order of creation,
    // never reused: case_numbers holds the last one given. Existing cases
    // are numbered in rowid (insertion) order. An insert that names no
    // number gets the next one from the trigger, so every write path numbers.
    R"sql(
ALTER TABLE cases ADD COLUMN number INTEGER;
CREATE TABLE case_numbers (last INTEGER NOT NULL);
UPDATE cases SET number = r.n FROM (SELECT rowid AS rid, row_number() OVER (ORDER BY rowid) AS n FROM cases) AS r
  WHERE cases.rowid = r.rid;
INSERT INTO case_numbers SELECT count(*) FROM cases;
CREATE UNIQUE INDEX cases_number ON cases(number);
CREATE TRIGGER cases_numbered AFTER INSERT ON cases WHEN NEW.number IS NOT NULL BEGIN
  UPDATE case_numbers SET last = NEW.number WHERE last < NEW.number;
END;
CREATE TRIGGER cases_unnumbered AFTER INSERT ON cases WHEN NEW.number IS NULL BEGIN
  UPDATE case_numbers SET last = last + 1;
  UPDATE cases SET number = (SELECT last FROM case_numbers) WHERE rowid = NEW.rowid;
END;
CREATE TABLE away (
  name TEXT NOT NULL,
  from_at TEXT NOT NULL,
  until_at TEXT NOT NULL,
  PRIMARY KEY (name, from_at)
) WITHOUT ROWID;
)sql",
    // 4: the outbox as reply and handoff use it (lib/outbox.h): drafts
    // awaiting approval, who wrote and approved a post, which process is
    // sending it, and at most one exclusive row in flight per case and lane.
    // SQLite cannot widen a CHECK, so the table is rebuilt.
    R"sql(
CREATE TABLE outbox_new (
  idempotency_key TEXT PRIMARY KEY,
  case_id TEXT NOT NULL REFERENCES cases(id),
  kind TEXT NOT NULL,
  payload TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('draft','pending','sent','failed','discarded')),
  created_at TEXT NOT NULL,
  sent_at TEXT,
  result TEXT,
  updated_at TEXT,
  author TEXT,
  approver TEXT,
  claimed_by TEXT,
  lane TEXT
);
INSERT INTO outbox_new(idempotency_key, case_id, kind, payload, state, created_at, sent_at, result, updated_at)
  SELECT idempotency_key, case_id, kind, payload, state, created_at, sent_at, result, created_at FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE UNIQUE INDEX outbox_in_flight ON outbox(case_id, lane) WHERE state = 'pending' AND lane IS NOT NULL;
CREATE INDEX outbox_case ON outbox(case_id, state);
CREATE INDEX outbox_state_kind ON outbox(state, kind, created_at);
)sql",
    // 5: what the queue order reads of a case beyond the columns above
    // (lib/triage/queue.h: when its due clock started, when its handoff
    // stalls), so a whole-store list orders cases without parsing them.
    // Rows written before (queue_keys = 0) are parsed when listed.
    R"sql(
ALTER TABLE cases ADD COLUMN clock_start_ms INTEGER;
ALTER TABLE cases ADD COLUMN stalls_after_ms INTEGER;
ALTER TABLE cases ADD COLUMN queue_keys INTEGER NOT NULL DEFAULT 0;
)sql",
    // 6: cases' JSON compressed with a zstd dictionary trained on the
    // store's first cases (lib/store_codec.h): `json` holds TEXT or a BLOB.
    R"sql(
CREATE TABLE dictionaries (id INTEGER PRIMARY KEY, dict BLOB NOT NULL);
)sql",
};

class Db {
 public:
  ~Db() {
    if (db_) sqlite3_close_v2(db_);
  }
  sqlite3* db_ = nullptr;
  std::string path_;
  int busy_timeout_ms_ = 5000;
};

Error sql_error(sqlite3* db, const std::string& path, const std::string& what) {
  const int code = sqlite3_errcode(db);
  const std::string msg = path + ": " + what + ": " + sqlite3_errmsg(db);
  if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
    return Error{Exit::temp_fail, path + ": store is locked by another process (" + what +
                                      ": gave up after the busy timeout); retry later"};
  if (code == SQLITE_NOTADB) return Error{Exit::config, path + ": not a socq store (not an SQLite database); left untouched"};
  if (code == SQLITE_READONLY || code == SQLITE_CANTOPEN || code == SQLITE_PERM)
    return Error{Exit::io, msg};
  return Error{Exit::io, msg};
}

// A prepared statement, finalized on scope exit.
class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) : db_(db) { rc_ = sqlite3_prepare_v2(db, sql, -1, &st_, nullptr); }
  ~Stmt() { sqlite3_finalize(st_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  bool ok() const { return rc_ == SQLITE_OK; }
  Stmt& bind(int i, const std::string& s) {
    sqlite3_bind_text(st_, i, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& bind(int i, const OptString& s) {
    if (s) bind(i, *s);
    else sqlite3_bind_null(st_, i);
    return *this;
  }
  Stmt& bind_blob(int i, std::string_view b) {
    sqlite3_bind_blob(st_, i, b.data(), static_cast<int>(b.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& bind(int i, int64_t v) {
    sqlite3_bind_int64(st_, i, v);
    return *this;
  }
  Stmt& bind(int i, std::optional<int64_t> v) {
    if (v) bind(i, *v);
    else sqlite3_bind_null(st_, i);
    return *this;
  }
  // SQLITE_ROW, SQLITE_DONE, or an error code.
  int step() { return sqlite3_step(st_); }
  void reset() {
    sqlite3_reset(st_);
    sqlite3_clear_bindings(st_);
  }
  std::string_view text(int col) {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(st_, col));
    return p ? std::string_view(p, static_cast<size_t>(sqlite3_column_bytes(st_, col))) : std::string_view{};
  }
  int64_t integer(int col) { return sqlite3_column_int64(st_, col); }
  bool is_null(int col) { return sqlite3_column_type(st_, col) == SQLITE_NULL; }
  // A column's bytes as stored, and whether they are a BLOB.
  std::string_view bytes(int col, bool& is_blob) {
    is_blob = sqlite3_column_type(st_, col) == SQLITE_BLOB;
    const auto* p = static_cast<const char*>(is_blob ? sqlite3_column_blob(st_, col) : sqlite3_column_text(st_, col));
    return p ? std::string_view(p, static_cast<size_t>(sqlite3_column_bytes(st_, col))) : std::string_view{};
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* st_ = nullptr;
  int rc_;
};

bool exec(sqlite3* db, const char* sql) { return sqlite3_exec(db, sql, nullptr, nullptr, nullptr) == SQLITE_OK; }

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(std::unique_ptr<Db> db)
      : db_(std::move(db)), codec_([this](uint32_t id) { return dictionary(id); }) {}

  sqlite3* raw() { return db_->db_; }
  const std::string& path() const { return db_->path_; }
  Error error(const std::string& what) { return sql_error(raw(), path(), what); }

  Result<std::optional<Case>> get(const std::string& id) override {
    const auto number = parse_case_number(id);
    Stmt st(raw(), number ? "SELECT json, number, id FROM cases WHERE number = ?"
                          : "SELECT json, number, id FROM cases WHERE id = ?");
    if (!st.ok()) return error("reading case");
    if (number) st.bind(1, *number);
    else st.bind(1, id);
    const int rc = st.step();
    if (rc == SQLITE_DONE) return std::optional<Case>{};
    if (rc != SQLITE_ROW) return error("reading case " + id);
    auto c = parse_stored(st, 0, 2);
    if (!c) return c.error();
    c->number = st.integer(1);
    return std::optional<Case>{std::move(c).value()};
  }

  // The filter as an SQL condition on cases, with its arguments.
  static std::string filter_sql(const CaseFilter& f, std::vector<std::string>& args) {
    std::string where = "1=1";
    auto add = [&](const OptString& v, const char* col) {
      if (!v) return;
      where += std::string(" AND ") + col + " = ?";
      args.push_back(*v);
    };
    add(f.status, "status");
    add(f.channel, "channel");
    add(f.account, "account");
    add(f.owner, "owner");
    add(f.team, "team");
    if (f.due_by_ms) where += " AND next_due_ms IS NOT NULL AND next_due_ms <= " + std::to_string(*f.due_by_ms);
    if (f.unowned) where += " AND owner IS NULL";
    return where;
  }

  Status list(const CaseFilter& f, const std::function<Status(Case&&)>& on_case) override {
    std::vector<std::string> args;
    const std::string where = filter_sql(f, args);
    // The queue order: soonest due first, then cases with no clock, newest
    // first. Two index-ordered halves, each cut to the limit, so a queue
    // query reads a few rows, not the store. Only the keys are sorted; the
    // JSON is read by rowid afterwards, so a whole-store list never makes
    // SQLite sort (and spill to a temporary file) every case's text.
    const std::string due_sql = "SELECT rowid FROM cases WHERE " + where +
                                " AND next_due_ms IS NOT NULL ORDER BY next_due_ms, updated_at DESC, id LIMIT ?";
    const std::string undue_sql =
        "SELECT rowid FROM cases WHERE " + where + " AND next_due_ms IS NULL ORDER BY updated_at DESC, id LIMIT ?";
    // One snapshot for the keys and the rows they name.
    const bool own_txn = sqlite3_get_autocommit(raw()) != 0;
    if (own_txn && !exec(raw(), "BEGIN")) return error("listing cases");
    auto st = list_rows({due_sql, undue_sql}, args, f.limit, on_case);
    if (own_txn) exec(raw(), "COMMIT");
    return st;
  }

  Status list_rows(const std::vector<std::string>& halves, const std::vector<std::string>& args, size_t limit,
                   const std::function<Status(Case&&)>& on_case) {
    std::vector<int64_t> rowids;
    for (const auto& sql : halves) {
      const size_t want = limit ? limit - std::min(limit, rowids.size()) : 0;
      if (limit && !want) break;
      Stmt keys(raw(), sql.c_str());
      if (!keys.ok()) return error("listing cases");
      for (size_t i = 0; i < args.size(); ++i) keys.bind(static_cast<int>(i + 1), args[i]);
      keys.bind(static_cast<int>(args.size() + 1), limit ? static_cast<int64_t>(want) : int64_t{-1});
      for (int rc; (rc = keys.step()) != SQLITE_DONE;) {
        if (rc != SQLITE_ROW) return error("listing cases");
        rowids.push_back(keys.integer(0));
      }
    }
    Stmt row(raw(), "SELECT id, json, number FROM cases WHERE rowid = ?");
    if (!row.ok()) return error("listing cases");
    for (const int64_t rowid : rowids) {
      row.reset();
      row.bind(1, rowid);
      const int rc = row.step();
      if (rc == SQLITE_DONE) continue;  // cannot happen inside the snapshot
      if (rc != SQLITE_ROW) return error("listing cases");
      auto c = parse_stored(row, 1, 0);
      if (!c) return c.error();
      c->number = row.integer(2);
      if (auto s = on_case(std::move(c).value()); !s) return s;
    }
    return ok_status();
  }

  // One sequential pass over the matching rows for their keys (list
  // order's and the columns `group` reads), sorted here; then each case's
  // text by rowid, copied straight from the store to `on_json`. (Reading
  // the keys in index order cost a random table lookup a row on top of the
  // one for the text.) A row written before schema 5 (queue_keys = 0) has
  // its columns derived from its parsed case.
  Status list_json(const CaseFilter& f, const std::function<int(const CaseColumns&)>& group,
                   const std::function<Status(std::string_view, int64_t)>& on_json) override {
    std::vector<std::string> args;
    const std::string sql = "SELECT rowid, next_due_ms, updated_at, id, status, owner, clock_start_ms, stalls_after_ms, "
                            "queue_keys FROM cases WHERE " + filter_sql(f, args);
    const bool own_txn = sqlite3_get_autocommit(raw()) != 0;
    if (own_txn && !exec(raw(), "BEGIN")) return error("listing cases");
    auto st = list_json_in_txn(sql, args, f.limit, group, on_json);
    if (own_txn) exec(raw(), "COMMIT");
    return st;
  }

  // A listed row's place: its group, then list order (list_order_before);
  // updated_at and id live in one arena.
  struct ListKey {
    int group;
    bool has_due;
    int64_t due_ms, rowid;
    size_t at, at_len, id_len;  // updated_at at arena[at], the id right after it
  };

  Status list_json_in_txn(const std::string& sql, const std::vector<std::string>& args, size_t limit,
                          const std::function<int(const CaseColumns&)>& group,
                          const std::function<Status(std::string_view, int64_t)>& on_json) {
    std::vector<ListKey> keys;
    std::string arena;
    Stmt row(raw(), "SELECT json, number, id FROM cases WHERE rowid = ?");
    if (!row.ok()) return error("listing cases");
    auto read_row = [&](int64_t rowid) {
      row.reset();
      row.bind(1, rowid);
      return row.step();
    };
    {
      Stmt st(raw(), sql.c_str());
      if (!st.ok()) return error("listing cases");
      for (size_t i = 0; i < args.size(); ++i) st.bind(static_cast<int>(i + 1), args[i]);
      CaseColumns col;
      for (int rc; (rc = st.step()) != SQLITE_DONE;) {
        if (rc != SQLITE_ROW) return error("listing cases");
        const int64_t rowid = st.integer(0);
        if (st.integer(8) == 0) {  // written before schema 5
          if (read_row(rowid) != SQLITE_ROW) return error("listing cases");
          auto c = parse_stored(row, 0, 2);
          if (!c) return c.error();
          col = columns_of(*c);
        } else {
          col.status = st.text(4);
          col.owner = opt_text(st, 5);
          col.next_due_ms = opt_integer(st, 1);
          col.clock_start_ms = opt_integer(st, 6);
          col.stalls_after_ms = opt_integer(st, 7);
        }
        const auto at = st.text(2), id = st.text(3);
        const auto due = opt_integer(st, 1);
        keys.push_back(ListKey{group(col), due.has_value(), due.value_or(0), rowid, arena.size(), at.size(), id.size()});
        arena.append(at).append(id);
      }
    }
    const std::string_view text(arena);
    auto at_of = [&](const ListKey& k) { return text.substr(k.at, k.at_len); };
    auto id_of = [&](const ListKey& k) { return text.substr(k.at + k.at_len, k.id_len); };
    std::sort(keys.begin(), keys.end(), [&](const ListKey& a, const ListKey& b) {
      if (a.group != b.group) return a.group < b.group;
      if (a.has_due != b.has_due) return a.has_due;
      if (a.due_ms != b.due_ms) return a.due_ms < b.due_ms;
      if (const int c = at_of(a).compare(at_of(b)); c != 0) return c > 0;  // newest updated first
      return id_of(a) < id_of(b);
    });
    if (limit && keys.size() > limit) keys.resize(limit);
    return copy_out(keys, read_row, row, on_json);
  }

  // Listed rows' stored bytes, as read from SQLite, a batch at a time.
  struct ListBatch {
    struct Row {
      size_t at, len, id_at, id_len;
      bool blob;
      int64_t number;
    };
    std::string bytes;
    std::vector<Row> rows;
  };
  static constexpr size_t kListBatchBytes = 1 << 20;

  // The rows of `keys`, in order, to on_json: this thread reads a batch
  // from SQLite while another decompresses the one before and hands it on
  // (the two cost about the same per case).
  template <class ReadRow>
  Status copy_out(const std::vector<ListKey>& keys, ReadRow& read_row, Stmt& row,
                  const std::function<Status(std::string_view, int64_t)>& on_json) {
    CaseCodec codec([this](uint32_t id) { return dictionary(id); });  // its dictionaries are loaded on this thread
    ListBatch batches[2];
    Status emitted = ok_status();
    std::thread worker;
    struct Joiner {
      std::thread& t;
      ~Joiner() {
        if (t.joinable()) t.join();
      }
    } joiner{worker};
    auto hand_over = [&](ListBatch& b) -> Status {
      if (worker.joinable()) worker.join();
      if (!emitted) return emitted;
      // A row whose dictionary cannot be had is reported after the rows
      // before it have gone out, as a one-thread read would.
      std::optional<Error> damaged;
      for (size_t i = 0; i < b.rows.size() && !damaged; ++i)
        if (b.rows[i].blob)
          if (auto st = codec.preload(b.bytes.data() + b.rows[i].at, b.rows[i].len); !st) {
            damaged = damaged_row(b, b.rows[i], st.error());
            b.rows.resize(i);
          }
      worker = std::thread([&, batch = &b] {
        try {
          emitted = emit_batch(codec, *batch, on_json);
        } catch (const std::exception& e) {  // exit 70 as on the main thread, not std::terminate
          emitted = Error{Exit::internal, std::string("internal error (please report): ") + e.what()};
        }
      });
      if (!damaged) return ok_status();
      worker.join();
      if (!emitted) return emitted;
      return *damaged;
    };
    int cur = 0;
    for (const ListKey& k : keys) {
      const int rc = read_row(k.rowid);
      if (rc == SQLITE_DONE) continue;  // cannot happen inside the snapshot
      if (rc != SQLITE_ROW) return error("listing cases");
      ListBatch& b = batches[cur];
      bool blob = false;
      const auto bytes = row.bytes(0, blob);
      const auto id = row.text(2);
      b.rows.push_back({b.bytes.size(), bytes.size(), b.bytes.size() + bytes.size(), id.size(), blob, row.integer(1)});
      b.bytes.append(bytes).append(id);
      if (b.bytes.size() < kListBatchBytes) continue;
      if (auto st = hand_over(b); !st) return st;
      cur ^= 1;
      batches[cur].bytes.clear(), batches[cur].rows.clear();  // its worker was joined by hand_over
    }
    if (auto st = hand_over(batches[cur]); !st) return st;
    worker.join();
    return emitted;
  }

  Status emit_batch(CaseCodec& codec, const ListBatch& b, const std::function<Status(std::string_view, int64_t)>& on_json) {
    for (const auto& r : b.rows) {
      auto json = codec.text(b.bytes.data() + r.at, r.len, r.blob);
      if (!json) return damaged_row(b, r, json.error());
      if (auto st = on_json(*json, r.number); !st) return st;
    }
    return ok_status();
  }
  Error damaged_row(const ListBatch& b, const ListBatch::Row& r, const Error& why) const {
    return Error{Exit::data, path() + ": stored case " + b.bytes.substr(r.id_at, r.id_len) + " is damaged: " + why.message};
  }

  Result<std::unique_ptr<MergeBatch>> begin_merge(const std::string& now, const std::string& by) override;

  Status update(Case& c) override {
    if (!exec(raw(), "BEGIN IMMEDIATE")) return error("starting a write");
    const int64_t read_rev = c.rev;
    c.rev = next_rev(read_rev);
    c.touched();
    Stmt st(raw(), kUpdateSql);
    if (!st.ok()) return rollback_with(error("updating case"), c, read_rev);
    bind_case(st, c);
    st.bind(12, read_rev);
    if (st.step() != SQLITE_DONE) return rollback_with(error("updating case " + c.id), c, read_rev);
    if (sqlite3_changes(raw()) == 0) {
      auto theirs = get(c.id);
      c.rev = read_rev;
      exec(raw(), "ROLLBACK");
      if (!theirs) return theirs.error();
      if (!theirs->has_value()) return Error{Exit::data, "no case " + c.id + " in " + path()};
      return conflict_error(c, **theirs);
    }
    if (!index_posted(c)) return rollback_with(error("indexing case " + c.id + "'s messages"), c, read_rev);
    if (!exec(raw(), "COMMIT")) return rollback_with(error("committing"), c, read_rev);
    return ok_status();
  }

  // Indexes the messages socq posted (a reply, a handoff DM: they carry
  // posted_id) under the case, inside the caller's transaction, so a later
  // fetch that brings one back finds its case, as merged messages are found.
  bool index_posted(const Case& c) {
    Stmt st(raw(), "INSERT OR IGNORE INTO messages(channel, message_id, case_id) VALUES (?, ?, ?)");
    if (!st.ok()) return false;
    for (const auto& m : c.messages) {
      if (!m.posted_id) continue;
      st.reset();
      st.bind(1, c.channel).bind(2, m.id).bind(3, c.id);
      if (st.step() != SQLITE_DONE) return false;
    }
    return true;
  }

  Result<std::optional<std::string>> cursor(const std::string& channel, const std::string& account) override {
    Stmt st(raw(), "SELECT cursor FROM cursors WHERE channel = ? AND account = ?");
    if (!st.ok()) return error("reading cursor");
    st.bind(1, channel).bind(2, account);
    const int rc = st.step();
    if (rc == SQLITE_DONE) return std::optional<std::string>{};
    if (rc != SQLITE_ROW) return error("reading cursor");
    return std::optional<std::string>{std::string(st.text(0))};
  }

  Status set_cursor(const std::string& channel, const std::string& account, const std::string& cursor) override {
    Stmt st(raw(),
            "INSERT INTO cursors(channel, account, cursor) VALUES (?, ?, ?) "
            "ON CONFLICT(channel, account) DO UPDATE SET cursor = excluded.cursor, "
            "updated_at = strftime('%Y-%m-%dT%H:%M:%SZ','now')");
    if (!st.ok()) return error("writing cursor");
    st.bind(1, channel).bind(2, account).bind(3, cursor);
    if (st.step() != SQLITE_DONE) return error("writing cursor");
    return ok_status();
  }

  static constexpr const char* kOutboxColumns =
      "idempotency_key, case_id, kind, payload, state, created_at, updated_at, sent_at, result, author, approver, "
      "claimed_by, lane";

  static OptString opt_text(Stmt& st, int col) {
    const auto t = st.text(col);
    return t.empty() ? OptString{} : OptString{std::string(t)};
  }
  static std::optional<int64_t> opt_integer(Stmt& st, int col) {
    return st.is_null(col) ? std::optional<int64_t>{} : std::optional<int64_t>{st.integer(col)};
  }

  static OutboxRow outbox_row_of(Stmt& st) {
    OutboxRow r;
    r.key = st.text(0), r.case_id = st.text(1), r.kind = st.text(2), r.payload = st.text(3), r.state = st.text(4);
    r.created_at = st.text(5), r.updated_at = st.text(6);
    r.sent_at = opt_text(st, 7), r.result = opt_text(st, 8), r.author = opt_text(st, 9), r.approver = opt_text(st, 10);
    r.claimed_by = opt_text(st, 11);
    r.exclusive = !st.text(12).empty();
    return r;
  }

  // The case's rev now differs from `rev`: the conflict saying what changed.
  Result<bool> case_at_rev(const std::string& id, int64_t rev, Error* conflict) {
    auto theirs = get(id);
    if (!theirs) return theirs.error();
    if (!theirs->has_value()) return Error{Exit::data, "no case " + id + " in " + path()};
    if ((*theirs)->rev == rev) return true;
    if (conflict) {
      Case mine = **theirs;
      mine.rev = rev;
      *conflict = conflict_error(mine, **theirs);
    }
    return false;
  }

  Status outbox_add(const OutboxRow& row, std::optional<int64_t> expect_rev) override {
    if (!exec(raw(), "BEGIN IMMEDIATE")) return error("starting a write");
    if (expect_rev) {
      Error conflict;
      auto same = case_at_rev(row.case_id, *expect_rev, &conflict);
      if (!same) return abandon(same.error());
      if (!*same) return abandon(conflict);
    }
    if (row.exclusive && row.state == "pending") {
      Stmt busy(raw(), (std::string("SELECT ") + kOutboxColumns +
                        " FROM outbox WHERE case_id = ? AND lane = ? AND state = 'pending'").c_str());
      if (!busy.ok()) return abandon(error("reading the outbox"));
      busy.bind(1, row.case_id).bind(2, row.kind);
      const int rc = busy.step();
      if (rc == SQLITE_ROW) return abandon(Error{Exit::conflict, outbox_busy_message(outbox_row_of(busy))});
      if (rc != SQLITE_DONE) return abandon(error("reading the outbox"));
    }
    Stmt ins(raw(), (std::string("INSERT INTO outbox(") + kOutboxColumns +
                     ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)").c_str());
    if (!ins.ok()) return abandon(error("writing the outbox"));
    bind_outbox(ins, row);
    ins.bind(13, row.exclusive ? OptString{row.kind} : OptString{});
    if (ins.step() != SQLITE_DONE) {
      const int code = sqlite3_extended_errcode(raw());
      if (code == SQLITE_CONSTRAINT_FOREIGNKEY) return abandon(Error{Exit::data, "no case " + row.case_id + " in " + path()});
      if (code == SQLITE_CONSTRAINT_PRIMARYKEY) return abandon(Error{Exit::conflict, "outbox: key " + row.key + " is already recorded"});
      return abandon(error("writing the outbox"));
    }
    if (!exec(raw(), "COMMIT")) return abandon(error("committing"));
    return ok_status();
  }

  static void bind_outbox(Stmt& st, const OutboxRow& r) {
    st.bind(1, r.key).bind(2, r.case_id).bind(3, r.kind).bind(4, r.payload).bind(5, r.state).bind(6, r.created_at);
    st.bind(7, r.updated_at.empty() ? r.created_at : r.updated_at).bind(8, r.sent_at).bind(9, r.result);
    st.bind(10, r.author).bind(11, r.approver).bind(12, r.claimed_by);
  }

  Result<std::optional<OutboxRow>> outbox_get(const std::string& key) override {
    Stmt st(raw(), (std::string("SELECT ") + kOutboxColumns + " FROM outbox WHERE idempotency_key = ?").c_str());
    if (!st.ok()) return error("reading the outbox");
    st.bind(1, key);
    const int rc = st.step();
    if (rc == SQLITE_DONE) return std::optional<OutboxRow>{};
    if (rc != SQLITE_ROW) return error("reading the outbox");
    return std::optional<OutboxRow>{outbox_row_of(st)};
  }

  Status outbox_list(const OutboxFilter& f, const std::function<Status(OutboxRow&&)>& on_row) override {
    std::string sql = std::string("SELECT ") + kOutboxColumns + " FROM outbox WHERE 1=1";
    std::vector<std::string> args;
    auto add = [&](const OptString& v, const char* cond) {
      if (!v) return;
      sql += cond;
      args.push_back(*v);
    };
    add(f.case_id, " AND case_id = ?");
    add(f.kind, " AND kind = ?");
    add(f.state, " AND state = ?");
    add(f.since, " AND created_at >= ?");
    sql += " ORDER BY created_at, rowid";
    Stmt st(raw(), sql.c_str());
    if (!st.ok()) return error("reading the outbox");
    for (size_t i = 0; i < args.size(); ++i) st.bind(static_cast<int>(i + 1), args[i]);
    for (;;) {
      const int rc = st.step();
      if (rc == SQLITE_DONE) return ok_status();
      if (rc != SQLITE_ROW) return error("reading the outbox");
      if (auto s = on_row(outbox_row_of(st)); !s) return s;
    }
  }

  Result<OutboxUpdated> outbox_update(const OutboxRow& row, const OutboxExpect& expect, Case* c) override {
    if (!exec(raw(), "BEGIN IMMEDIATE")) return error("starting a write");
    auto now = outbox_get(row.key);
    if (!now) return abandon(now.error());
    if (!now->has_value() || (*now)->state != expect.state || (expect.check_claim && (*now)->claimed_by != expect.claimed_by)) {
      exec(raw(), "ROLLBACK");
      return OutboxUpdated::row_moved;
    }
    if (c) {
      auto same = case_at_rev(c->id, c->rev, nullptr);
      if (!same) return abandon(same.error());
      if (!*same) {
        exec(raw(), "ROLLBACK");
        return OutboxUpdated::case_changed;
      }
    }
    Stmt up(raw(),
            "UPDATE outbox SET case_id = ?2, kind = ?3, payload = ?4, state = ?5, created_at = ?6, updated_at = ?7, "
            "sent_at = ?8, result = ?9, author = ?10, approver = ?11, claimed_by = ?12 WHERE idempotency_key = ?1");
    if (!up.ok()) return abandon(error("writing the outbox"));
    bind_outbox(up, row);
    if (up.step() != SQLITE_DONE) {
      if (sqlite3_extended_errcode(raw()) == SQLITE_CONSTRAINT_UNIQUE) {
        exec(raw(), "ROLLBACK");
        return OutboxUpdated::row_moved;  // another exclusive row went in flight first
      }
      return abandon(error("writing the outbox"));
    }
    if (c) {
      const int64_t read_rev = c->rev;
      c->rev = next_rev(read_rev);
      c->touched();
      Stmt st(raw(), kUpdateSql);
      if (!st.ok()) return rollback_with(error("updating case"), *c, read_rev).error();
      bind_case(st, *c);
      st.bind(12, read_rev);
      if (st.step() != SQLITE_DONE) return rollback_with(error("updating case " + c->id), *c, read_rev).error();
      if (!index_posted(*c)) return rollback_with(error("indexing case " + c->id + "'s messages"), *c, read_rev).error();
      if (!exec(raw(), "COMMIT")) return rollback_with(error("committing"), *c, read_rev).error();
      return OutboxUpdated::done;
    }
    if (!exec(raw(), "COMMIT")) return abandon(error("committing"));
    return OutboxUpdated::done;
  }

  Result<std::vector<std::string>> untriaged() override {
    // The WHERE repeats the partial index's, so SQLite reads only that index.
    Stmt st(raw(), "SELECT id FROM cases WHERE triaged_rev IS NULL OR triaged_rev < rev ORDER BY id");
    if (!st.ok()) return error("listing untriaged cases");
    std::vector<std::string> ids;
    for (int rc; (rc = st.step()) != SQLITE_DONE;) {
      if (rc != SQLITE_ROW) return error("listing untriaged cases");
      ids.emplace_back(st.text(0));
    }
    return ids;
  }

  Result<std::vector<std::string>> save_triaged(std::vector<Case>& batch) override {
    if (!exec(raw(), "BEGIN IMMEDIATE")) return error("starting a write");
    Stmt update(raw(), kUpdateSql);
    Stmt mark(raw(), "UPDATE cases SET triaged_rev = rev WHERE id = ? AND rev = ?");
    if (!update.ok() || !mark.ok()) return abandon(error("saving triaged cases"));
    std::vector<std::string> conflicts;
    for (auto& c : batch) {
      const int64_t read_rev = c.rev;
      if (c.source.empty()) {  // touched: store it, rev-checked
        update.reset();
        c.rev = next_rev(read_rev);
        bind_case(update, c);
        update.bind(12, read_rev);
        if (update.step() != SQLITE_DONE) return abandon(error("saving triaged case " + c.id));
        if (sqlite3_changes(raw()) == 0) {
          c.rev = read_rev;
          conflicts.push_back(c.id);
          continue;
        }
      }
      mark.reset();
      mark.bind(1, c.id).bind(2, c.rev);
      if (mark.step() != SQLITE_DONE) return abandon(error("recording triage of " + c.id));
      if (sqlite3_changes(raw()) == 0) conflicts.push_back(c.id);
    }
    if (!exec(raw(), "COMMIT")) return abandon(error("committing"));
    return conflicts;
  }

  Result<std::vector<AwayMark>> away_marks() override {
    Stmt st(raw(), "SELECT name, from_at, until_at FROM away ORDER BY name, from_at");
    if (!st.ok()) return error("reading away agents");
    std::vector<AwayMark> marks;
    for (int rc; (rc = st.step()) != SQLITE_DONE;) {
      if (rc != SQLITE_ROW) return error("reading away agents");
      marks.push_back(AwayMark{std::string(st.text(0)), std::string(st.text(1)), std::string(st.text(2))});
    }
    return marks;
  }

  Status set_away(const AwayMark& m) override {
    Stmt st(raw(), "INSERT INTO away(name, from_at, until_at) VALUES (?, ?, ?) "
                   "ON CONFLICT(name, from_at) DO UPDATE SET until_at = excluded.until_at");
    if (!st.ok()) return error("marking " + m.name + " away");
    st.bind(1, m.name).bind(2, m.from).bind(3, m.until);
    if (st.step() != SQLITE_DONE) return error("marking " + m.name + " away");
    return ok_status();
  }

  Result<size_t> clear_away(const std::string& name) override {
    Stmt st(raw(), "DELETE FROM away WHERE name = ?");
    if (!st.ok()) return error("clearing away marks of " + name);
    st.bind(1, name);
    if (st.step() != SQLITE_DONE) return error("clearing away marks of " + name);
    return static_cast<size_t>(sqlite3_changes(raw()));
  }

  // Columns 1-11 in the order of columns_of; the only place cases are bound.
  // The JSON goes in compressed once the store has a dictionary; until
  // then it is text, and a batch may be sampling it to train one.
  void bind_case(Stmt& st, const Case& c) {
    const CaseColumns col = columns_of(c);
    st.bind(1, col.id).bind(2, col.rev).bind(3, col.channel).bind(4, col.account).bind(5, col.status);
    st.bind(6, col.team).bind(7, col.owner).bind(8, col.priority).bind(9, col.next_due_ms).bind(10, col.updated_at);
    json_.clear();
    write_case(json_, c);
    if (const auto frame = codec_.compresses() ? codec_.compress(json_) : std::string_view{}; !frame.empty()) {
      st.bind_blob(11, frame);
    } else {
      st.bind(11, json_);
      if (samples_) samples_->push_back(json_);
    }
    st.bind(13, col.clock_start_ms).bind(14, col.stalls_after_ms);
  }

  // Dictionaries: the store's one for writing (none until a first import
  // of enough cases trains it), any by id for reading.
  Result<std::optional<std::string>> dictionary(uint32_t id) {
    Stmt st(raw(), "SELECT dict FROM dictionaries WHERE id = ?");
    if (!st.ok()) return error("reading the store's dictionary");
    st.bind(1, static_cast<int64_t>(id));
    const int rc = st.step();
    if (rc == SQLITE_DONE) return std::optional<std::string>{};
    if (rc != SQLITE_ROW) return error("reading the store's dictionary");
    bool blob = false;
    return std::optional<std::string>{std::string(st.bytes(0, blob))};
  }
  Status load_dictionary() {
    if (codec_.compresses()) return ok_status();
    Stmt st(raw(), "SELECT id, dict FROM dictionaries ORDER BY id LIMIT 1");
    if (!st.ok()) return error("reading the store's dictionary");
    const int rc = st.step();
    if (rc == SQLITE_DONE) return ok_status();
    if (rc != SQLITE_ROW) return error("reading the store's dictionary");
    bool blob = false;
    codec_.use_dictionary(static_cast<uint32_t>(st.integer(0)), std::string(st.bytes(1, blob)));
    return ok_status();
  }
  // Inside a write transaction: trains the store's dictionary from the
  // sampled cases and keeps it (rolled back with the transaction: then
  // forget_dictionary()).
  Status train_dictionary(const std::vector<std::string>& samples) {
    auto dict = CaseCodec::train(samples);
    if (!dict) return ok_status();  // too little to learn from: the cases stay text
    Stmt st(raw(), "INSERT OR IGNORE INTO dictionaries(id, dict) VALUES (?, ?)");
    if (!st.ok()) return error("storing the store's dictionary");
    st.bind(1, static_cast<int64_t>(dict->first)).bind_blob(2, dict->second);
    if (st.step() != SQLITE_DONE) return error("storing the store's dictionary");
    codec_.use_dictionary(dict->first, dict->second);
    return ok_status();
  }
  void forget_dictionary() { codec_.drop_dictionary(); }
  bool compresses() const { return codec_.compresses(); }
  // While set, bind_case adds each text case to it.
  void sample_into(std::vector<std::string>* samples) { samples_ = samples; }

  static constexpr const char* kStoreSql =
      "UPDATE cases SET rev = ?2, channel = ?3, account = ?4, status = ?5, team = ?6, owner = ?7, "
      "priority = ?8, next_due_ms = ?9, updated_at = ?10, json = ?11, clock_start_ms = ?13, stalls_after_ms = ?14, "
      "queue_keys = 1 WHERE id = ?1";
  static constexpr const char* kInsertSql =
      "INSERT INTO cases(id, rev, channel, account, status, team, owner, priority, next_due_ms, updated_at, json, number, "
      "clock_start_ms, stalls_after_ms, queue_keys) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, 1)";
  static constexpr const char* kUpdateSql =
      "UPDATE cases SET rev = ?2, channel = ?3, account = ?4, status = ?5, team = ?6, owner = ?7, "
      "priority = ?8, next_due_ms = ?9, updated_at = ?10, json = ?11, clock_start_ms = ?13, stalls_after_ms = ?14, "
      "queue_keys = 1 WHERE id = ?1 AND rev = ?12";

  // A row's JSON text (column `col`), decompressed if need be; the case id
  // (column `id_col`) names a damaged one.
  Result<std::string_view> stored_json(Stmt& st, int col, int id_col) {
    bool blob = false;
    const auto bytes = st.bytes(col, blob);
    auto json = codec_.text(bytes.data(), bytes.size(), blob);
    if (!json) return damaged(st, id_col, json.error());
    return json;
  }
  Result<Case> parse_stored(Stmt& st, int col, int id_col) {
    auto json = stored_json(st, col, id_col);
    if (!json) return json.error();
    auto c = parser_.parse(*json);
    if (!c) return damaged(st, id_col, c.error());
    return c;
  }
  Error damaged(Stmt& st, int id_col, const Error& why) {
    return Error{Exit::data, path() + ": stored case " + std::string(st.text(id_col)) + " is damaged: " + why.message};
  }

 private:
  Error abandon(Error e) {
    exec(raw(), "ROLLBACK");
    return e;
  }
  Status rollback_with(Error e, Case& c, int64_t read_rev) {
    c.rev = read_rev;
    exec(raw(), "ROLLBACK");
    return e;
  }
  std::unique_ptr<Db> db_;
  CaseParser parser_;
  CaseCodec codec_;
  std::string json_;
  std::vector<std::string>* samples_ = nullptr;
};

Status ensure_wal(sqlite3* db, const std::string& path, int busy_timeout_ms);

// Keys a batch has written, as 64-bit hashes in an open-addressed table: "not
// here" is certain, "here" may be a collision and is checked in the store.
class KeyFilter {
 public:
  bool may_hold(std::string_view key) const {
    if (slots_.empty()) return false;
    for (size_t i = hash_of(key) & mask();; i = (i + 1) & mask()) {
      if (slots_[i] == 0) return false;
      if (slots_[i] == hash_of(key)) return true;
    }
  }
  void insert(std::string_view key) {
    if ((used_ + 1) * 2 > slots_.size()) grow();
    place(hash_of(key));
  }

 private:
  static uint64_t hash_of(std::string_view key) { return std::hash<std::string_view>{}(key) | 1; }  // never 0 (empty)
  size_t mask() const { return slots_.size() - 1; }
  void place(uint64_t h) {
    size_t i = h & mask();
    while (slots_[i] != 0 && slots_[i] != h) i = (i + 1) & mask();
    if (slots_[i] == 0) slots_[i] = h, ++used_;
  }
  void grow() {
    std::vector<uint64_t> old(std::max<size_t>(1024, slots_.size() * 2), 0);
    old.swap(slots_);
    used_ = 0;
    for (const uint64_t h : old)
      if (h) place(h);
  }
  std::vector<uint64_t> slots_;
  size_t used_ = 0;
};

// A first import into a store that holds no case yet: written through a
// rollback journal instead of the WAL (a new page has no old content to
// journal, so each page is written once, not to the WAL and again at the
// checkpoint), with the secondary indexes of cases dropped and rebuilt
// from sorted keys at commit. One transaction all the same: a crash or an
// error leaves the empty store as it was. Needs the store to itself (the
// switch from WAL fails while another process has it open: then the
// ordinary path runs).
class FirstLoad {
 public:
  FirstLoad(sqlite3* db, std::string path, int busy_timeout_ms)
      : db_(db), path_(std::move(path)), busy_timeout_ms_(busy_timeout_ms) {}
  ~FirstLoad() {
    if (journal_switched_) (void)ensure_wal(db_, path_, busy_timeout_ms_);  // else the next open switches it
  }
  // Before BEGIN: leaves WAL if the store is empty and not open elsewhere.
  void prepare() {
    if (!holds_nothing()) return;
    Stmt st(db_, "PRAGMA journal_mode = DELETE");
    journal_switched_ = st.ok() && st.step() == SQLITE_ROW && st.text(0) == "delete";
  }
  // Inside the write transaction: drops the indexes to rebuild at commit.
  bool start() {
    active_ = journal_switched_ && holds_nothing();
    if (!active_) return true;
    {
      Stmt st(db_, "SELECT type, name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'cases' AND sql IS NOT NULL");
      if (!st.ok()) return false;
      for (int rc; (rc = st.step()) != SQLITE_DONE;) {
        if (rc != SQLITE_ROW) return false;
        drops_.push_back("DROP " + std::string(st.text(0)) + " \"" + std::string(st.text(1)) + "\"");
        creates_.emplace_back(st.text(2));
      }
    }
    for (const auto& drop : drops_)
      if (!exec(db_, drop.c_str())) return false;
    return true;
  }
  bool active() const { return active_; }
  bool finish() {
    for (const auto& sql : creates_)
      if (!exec(db_, sql.c_str())) return false;
    return true;
  }

 private:
  bool holds_nothing() {
    Stmt st(db_, "SELECT NOT EXISTS (SELECT 1 FROM cases) AND NOT EXISTS (SELECT 1 FROM messages)");
    return st.ok() && st.step() == SQLITE_ROW && st.integer(0) == 1;
  }
  sqlite3* db_;
  std::string path_;
  int busy_timeout_ms_;
  bool journal_switched_ = false, active_ = false;
  std::vector<std::string> drops_, creates_;
};

// Short numbers for the cases a batch creates. The numbering triggers of
// `cases` are for other writers: a statement whose trigger exists keeps a
// statement journal, a copy of every page it touches (5 GB of writes for
// 100k new cases with 4 KB pages, 16 GB with 16 KB). So the batch, which
// holds the write lock, drops them before its first new case, numbers from
// case_numbers itself, and restores both at commit (a rollback restores
// them too). A batch that creates nothing changes no schema.
class CaseNumbers {
 public:
  explicit CaseNumbers(sqlite3* db) : db_(db) {}
  Result<int64_t> next() {
    if (!started_ && !start()) return Error{Exit::io, "numbering cases"};
    return ++last_;
  }
  bool finish() {
    if (!started_) return true;
    Stmt numbers(db_, "UPDATE case_numbers SET last = ?1 WHERE last < ?1");
    if (!numbers.ok()) return false;
    numbers.bind(1, last_);
    if (numbers.step() != SQLITE_DONE) return false;
    for (const auto& sql : triggers_)
      if (!exec(db_, sql.c_str())) return false;
    return true;
  }

 private:
  bool start() {
    started_ = true;
    std::vector<std::string> names;
    {
      Stmt st(db_, "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'cases'");
      if (!st.ok()) return false;
      for (int rc; (rc = st.step()) != SQLITE_DONE;) {
        if (rc != SQLITE_ROW) return false;
        names.emplace_back(st.text(0));
        triggers_.emplace_back(st.text(1));
      }
    }
    for (const auto& name : names)
      if (!exec(db_, ("DROP TRIGGER \"" + name + "\"").c_str())) return false;
    Stmt last(db_, "SELECT last FROM case_numbers");
    if (!last.ok() || last.step() != SQLITE_ROW) return false;
    last_ = last.integer(0);
    return true;
  }
  sqlite3* db_;
  bool started_ = false;
  int64_t last_ = 0;
  std::vector<std::string> triggers_;
};

class SqliteBatch final : public MergeBatch, private MergeView {
 public:
  SqliteBatch(SqliteStore& store, std::string now, std::string by, std::unique_ptr<FirstLoad> first)
      : first_(std::move(first)),
        store_(store),
        store_case_(store.raw(), SqliteStore::kStoreSql),
        insert_(store.raw(), SqliteStore::kInsertSql),
        exists_(store.raw(), "SELECT 1 FROM cases WHERE id = ?"),
        index_message_(store.raw(), "INSERT OR IGNORE INTO messages(channel, message_id, case_id) VALUES (?, ?, ?)"),
        find_message_(store.raw(), "SELECT case_id FROM messages WHERE channel = ? AND message_id = ?"),
        numbers_(store.raw()),
        now_(std::move(now)),
        by_(std::move(by)) {}
  ~SqliteBatch() override {
    store_.sample_into(nullptr);
    if (done_) return;
    exec(store_.raw(), "ROLLBACK");
    if (trained_) store_.forget_dictionary();  // its row is gone with the transaction
  }
  // A store without a dictionary yet: the batch samples the cases it writes
  // and trains one once it has enough (the cases before it stay text).
  void sample_if_untrained() {
    if (!store_.compresses()) store_.sample_into(&samples_);
  }
  bool prepared() const {
    return store_case_.ok() && insert_.ok() && exists_.ok() && index_message_.ok() && find_message_.ok();
  }

  Status add(Case&& incoming) override {
    const bool first = first_ && first_->active();
    for (const auto& m : incoming.messages) {
      auto holder = case_of_message(incoming.channel, m.id);
      if (!holder) return holder.error();
      stats_.new_messages += !holder->has_value();
    }
    auto plan = plan_merge(std::move(incoming), *this, now_, by_);
    if (!plan) return plan.error();
    stats_.count(plan->outcome);
    for (const auto& c : plan->writes) {
      if (auto st = put(c, first); !st) return st;
      for (const auto& m : c.messages) {
        index_message_.reset();
        index_message_.bind(1, c.channel).bind(2, m.id).bind(3, c.id);
        if (index_message_.step() != SQLITE_DONE) return store_.error("indexing messages of " + c.id);
        if (first) written_messages_.insert(message_key(c.channel, m.id));
      }
    }
    if (samples_.size() >= CaseCodec::kSamples && !trained_) {
      store_.sample_into(nullptr);
      trained_ = true;
      if (auto st = store_.train_dictionary(samples_); !st) return st;
      samples_ = {};
    }
    return ok_status();
  }

  Status set_cursor(const std::string& channel, const std::string& account, const std::string& cursor) override {
    return store_.set_cursor(channel, account, cursor);  // same connection: inside this transaction
  }

  Result<MergeStats> commit() override {
    store_.sample_into(nullptr);
    if (!numbers_.finish()) return store_.error("numbering cases");
    if (first_ && first_->active() && !first_->finish()) return store_.error("indexing cases");
    if (!exec(store_.raw(), "COMMIT")) return store_.error("committing");
    done_ = true;
    return stats_;
  }

 private:
  // An update for a stored case; a plain insert, numbered by the batch, for
  // a new one (not an upsert: an INSERT on a table with insert triggers
  // keeps a statement journal). In a first load an id the batch never
  // wrote is new.
  Status put(const Case& c, bool first) {
    bool exists = false;
    if (!first || written_ids_.may_hold(c.id)) {
      exists_.reset();
      exists_.bind(1, c.id);
      const int rc = exists_.step();
      if (rc != SQLITE_ROW && rc != SQLITE_DONE) return store_.error("writing case " + c.id);
      exists = rc == SQLITE_ROW;
    }
    Stmt& st = exists ? store_case_ : insert_;
    st.reset();
    store_.bind_case(st, c);
    if (!exists) {
      auto number = numbers_.next();
      if (!number) return store_.error("numbering case " + c.id);
      st.bind(12, *number);
    }
    if (st.step() != SQLITE_DONE) return store_.error("writing case " + c.id);
    if (first) written_ids_.insert(c.id);
    return ok_status();
  }

  // In a first load, a key this batch never wrote is not in the store.
  const std::string& message_key(std::string_view channel, std::string_view id) {
    key_.assign(channel);
    key_ += '\0';
    key_ += id;
    return key_;
  }
  Result<std::optional<Case>> get(const std::string& id) override {
    if (first_ && first_->active() && !written_ids_.may_hold(id)) return std::optional<Case>{};
    return store_.get(id);
  }
  Result<std::optional<std::string>> case_of_message(const std::string& channel, const std::string& id) override {
    if (first_ && first_->active() && !written_messages_.may_hold(message_key(channel, id)))
      return std::optional<std::string>{};
    find_message_.reset();
    find_message_.bind(1, channel).bind(2, id);
    const int rc = find_message_.step();
    if (rc == SQLITE_DONE) return std::optional<std::string>{};
    if (rc != SQLITE_ROW) return store_.error("finding message " + id);
    return std::optional<std::string>{std::string(find_message_.text(0))};
  }

  std::unique_ptr<FirstLoad> first_;  // destroyed last: after the rollback, back to WAL
  SqliteStore& store_;
  Stmt store_case_, insert_, exists_, index_message_, find_message_;
  CaseNumbers numbers_;
  KeyFilter written_ids_, written_messages_;
  std::string key_;
  std::string now_, by_;
  MergeStats stats_;
  bool done_ = false;
  std::vector<std::string> samples_;
  bool trained_ = false;
};

Result<std::unique_ptr<MergeBatch>> SqliteStore::begin_merge(const std::string& now, const std::string& by) {
  auto first = std::make_unique<FirstLoad>(raw(), path(), db_->busy_timeout_ms_);
  first->prepare();
  if (!exec(raw(), "BEGIN IMMEDIATE")) return error("starting a write");
  if (!first->start()) {
    Error e = error("preparing a write");
    exec(raw(), "ROLLBACK");
    return e;
  }
  auto batch = std::make_unique<SqliteBatch>(*this, now, by, std::move(first));
  if (!batch->prepared()) return error("preparing a write");
  if (auto st = load_dictionary(); !st) return st.error();
  batch->sample_if_untrained();
  return std::unique_ptr<MergeBatch>(std::move(batch));
}

Result<int64_t> pragma_int(sqlite3* db, const std::string& path, const char* sql) {
  Stmt st(db, sql);
  if (!st.ok()) return sql_error(db, path, "reading the store header");
  if (st.step() != SQLITE_ROW) return sql_error(db, path, "reading the store header");
  return st.integer(0);
}

Status check_header(sqlite3* db, const std::string& path, int64_t& version);

// Refuses files that are not ours before anything writes to them.
Status check_ownership(sqlite3* db, const std::string& path, int64_t& version) {
  // One read transaction: a consistent view while another process may be
  // creating the store right now.
  if (!exec(db, "BEGIN")) return sql_error(db, path, "reading the store header");
  auto st = check_header(db, path, version);
  exec(db, "COMMIT");
  return st;
}

Status check_header(sqlite3* db, const std::string& path, int64_t& version) {
  auto app_id = pragma_int(db, path, "PRAGMA application_id");
  if (!app_id) return app_id.error();
  auto user_version = pragma_int(db, path, "PRAGMA user_version");
  if (!user_version) return user_version.error();
  auto tables = pragma_int(db, path, "SELECT count(*) FROM sqlite_master");
  if (!tables) return tables.error();
  version = *user_version;
  if (*app_id == 0 && *tables == 0) return ok_status();  // a new, empty database
  if (*app_id != kApplicationId)
    return Error{Exit::config, path + ": not a socq store (an SQLite database of another program); left untouched"};
  if (*user_version > kSchemaVersion)
    return Error{Exit::config, path + ": store schema version " + std::to_string(*user_version) +
                                   " is newer than this socq understands (" + std::to_string(kSchemaVersion) +
                                   "); upgrade socq. The store was left untouched"};
  return ok_status();
}

// WAL lets readers work beside one writer. Switching a new database to it
// needs an exclusive lock, for which SQLite's busy handler does not wait:
// two processes opening a new store at once retry here instead.
Status ensure_wal(sqlite3* db, const std::string& path, int busy_timeout_ms) {
  for (int waited = 0;; waited += 10) {
    Stmt st(db, "PRAGMA journal_mode = WAL");
    if (st.ok() && st.step() == SQLITE_ROW && st.text(0) == "wal") return ok_status();
    const int code = sqlite3_errcode(db);
    if ((code != SQLITE_BUSY && code != SQLITE_LOCKED) || waited >= busy_timeout_ms)
      return sql_error(db, path, "switching the store to WAL");
    sqlite3_sleep(10);
  }
}

Status migrate(sqlite3* db, const std::string& path, int64_t from) {
  for (int64_t v = from; v < kSchemaVersion; ++v) {
    if (!exec(db, "BEGIN IMMEDIATE")) return sql_error(db, path, "migrating");
    // Another process may have migrated while we waited for the lock.
    auto now_version = pragma_int(db, path, "PRAGMA user_version");
    if (!now_version || *now_version > v) {
      exec(db, "ROLLBACK");
      if (!now_version) return now_version.error();
      v = *now_version - 1;
      continue;
    }
    const std::string header = "PRAGMA application_id = " + std::to_string(kApplicationId) +
                               "; PRAGMA user_version = " + std::to_string(v + 1) + ";";
    if (!exec(db, kMigrations[static_cast<size_t>(v)]) || !exec(db, header.c_str())) {
      Error e = sql_error(db, path, "migrating to schema " + std::to_string(v + 1));
      exec(db, "ROLLBACK");
      return e;
    }
    if (!exec(db, "COMMIT")) return sql_error(db, path, "migrating");
  }
  return ok_status();
}

}  // namespace

Result<std::unique_ptr<Store>> open_sqlite_store(const std::string& path, int busy_timeout_ms) {
  std::error_code ec;
  // SQLite would open a device or FIFO and leave "<path>-journal" beside it
  // (/dev/full-journal as root): only regular files may be stores.
  if (std::filesystem::exists(path, ec) && !std::filesystem::is_regular_file(path, ec))
    return Error{Exit::config, path + ": not a regular file, so not a socq store; left untouched"};
  const auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty() && !std::filesystem::exists(parent, ec)) std::filesystem::create_directories(parent, ec);
  auto db = std::make_unique<Db>();
  db->path_ = path;
  db->busy_timeout_ms_ = busy_timeout_ms;
  // One thread at a time uses a store (fetch's StoreWriter serves it from
  // one): no per-call connection mutex (about 4% of a whole-store list).
  if (sqlite3_open_v2(path.c_str(), &db->db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr) !=
      SQLITE_OK)
    return Error{Exit::io, path + ": cannot open store: " + (db->db_ ? sqlite3_errmsg(db->db_) : "out of memory")};
  sqlite3_busy_timeout(db->db_, busy_timeout_ms);
  int64_t version = 0;
  if (auto st = check_ownership(db->db_, path, version); !st) return st.error();
  // A new store gets 16 KB pages (before WAL fixes the size): a case is about
  // 1 KB, and 4 KB pages left a fifth of the table unused between rows.
  if (version == 0 && !exec(db->db_, "PRAGMA page_size = 16384")) return sql_error(db->db_, path, "setting up the store");
  if (auto st = ensure_wal(db->db_, path, busy_timeout_ms); !st) return st.error();
  // A 64 MB page cache: large imports spill less (the default is 2 MB).
  // Reads through a memory map: a whole-store list copies no pages (2 GB:
  // Debian's SQLite caps the map there).
  if (!exec(db->db_, "PRAGMA foreign_keys = ON") || !exec(db->db_, "PRAGMA synchronous = NORMAL") ||
      !exec(db->db_, "PRAGMA cache_size = -65536") || !exec(db->db_, "PRAGMA mmap_size = 2147418112"))
    return sql_error(db->db_, path, "setting up the store");
  if (auto st = migrate(db->db_, path, version); !st) return st.error();
  auto store = std::make_unique<SqliteStore>(std::move(db));
  if (auto st = store->load_dictionary(); !st) return st.error();  // edits compress too
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace socq
