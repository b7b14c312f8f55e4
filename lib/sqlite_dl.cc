#include "lib/sqlite_dl.h"

#include <dlfcn.h>
#include <sqlite3.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace socq {
namespace {

constexpr const char* kLibsqlite = "libsqlite3.so.0";

void* g_sqlite = nullptr;  // constant-initialised: no start-up cost

Status open_libsqlite() {
  g_sqlite = dlopen(kLibsqlite, RTLD_NOW | RTLD_LOCAL);
  if (g_sqlite) return ok_status();
  const char* why = dlerror();
  return Error{Exit::unavailable, std::string("SQLite is not installed (") + (why ? why : kLibsqlite) +
                                      "): install the package libsqlite3-0 to use a store"};
}

const Status& load_status() {
  static const Status status = open_libsqlite();
  return status;
}

bool loaded() { return load_status().ok(); }

}  // namespace

Status load_libsqlite() { return load_status(); }

// The address of `name` in the loaded library. Only reached with a database
// handle, so the library is there; a function an old libsqlite3 lacks ends
// the program with a clear message rather than a crash.
void* sqlite_symbol(const char* name) {
  void* fn = loaded() ? dlsym(g_sqlite, name) : nullptr;
  if (fn) return fn;
  std::fprintf(stderr, "socq: %s lacks %s: install a newer libsqlite3-0\n", kLibsqlite, name);
  std::exit(as_int(Exit::unavailable));
}

}  // namespace socq

// Each forwarder looks its function up once (a function-local static).
#define SOCQ_SQLITE_FN(name)                                                                   \
  ([] {                                                                                        \
    static const auto fn = reinterpret_cast<decltype(&::name)>(socq::sqlite_symbol(#name));  \
    return fn;                                                                                 \
  }())

// The names in parentheses keep any function-like macro out.
extern "C" {

// Opening is where a missing library shows: an error code and message, as
// for any file SQLite cannot open.
int(sqlite3_open_v2)(const char* a0, sqlite3** a1, int a2, const char* a3) {
  if (!socq::loaded()) {
    *a1 = nullptr;
    return SQLITE_CANTOPEN;
  }
  return SOCQ_SQLITE_FN(sqlite3_open_v2)(a0, a1, a2, a3);
}
int(sqlite3_open)(const char* a0, sqlite3** a1) {
  if (!socq::loaded()) {
    *a1 = nullptr;
    return SQLITE_CANTOPEN;
  }
  return SOCQ_SQLITE_FN(sqlite3_open)(a0, a1);
}
const char*(sqlite3_errmsg)(sqlite3* a0) {
  if (!socq::loaded()) return socq::load_status().error().message.c_str();
  return SOCQ_SQLITE_FN(sqlite3_errmsg)(a0);
}
const char*(sqlite3_errstr)(int a0) {
  if (!socq::loaded()) return socq::load_status().error().message.c_str();
  return SOCQ_SQLITE_FN(sqlite3_errstr)(a0);
}
int(sqlite3_close)(sqlite3* a0) { return a0 ? SOCQ_SQLITE_FN(sqlite3_close)(a0) : SQLITE_OK; }
int(sqlite3_close_v2)(sqlite3* a0) { return a0 ? SOCQ_SQLITE_FN(sqlite3_close_v2)(a0) : SQLITE_OK; }

// The rest, one a line, as <sqlite3.h> declares them.
int(sqlite3_exec)(sqlite3* a0, const char * a1, int (*a2)(void*,int,char**,char**), void * a3, char ** a4) { return SOCQ_SQLITE_FN(sqlite3_exec)(a0, a1, a2, a3, a4); }
int(sqlite3_prepare_v2)(sqlite3 * a0, const char * a1, int a2, sqlite3_stmt ** a3, const char ** a4) { return SOCQ_SQLITE_FN(sqlite3_prepare_v2)(a0, a1, a2, a3, a4); }
int(sqlite3_prepare_v3)(sqlite3 * a0, const char * a1, int a2, unsigned int a3, sqlite3_stmt ** a4, const char ** a5) { return SOCQ_SQLITE_FN(sqlite3_prepare_v3)(a0, a1, a2, a3, a4, a5); }
int(sqlite3_step)(sqlite3_stmt* a0) { return SOCQ_SQLITE_FN(sqlite3_step)(a0); }
int(sqlite3_reset)(sqlite3_stmt * a0) { return SOCQ_SQLITE_FN(sqlite3_reset)(a0); }
int(sqlite3_finalize)(sqlite3_stmt * a0) { return SOCQ_SQLITE_FN(sqlite3_finalize)(a0); }
int(sqlite3_clear_bindings)(sqlite3_stmt* a0) { return SOCQ_SQLITE_FN(sqlite3_clear_bindings)(a0); }
int(sqlite3_bind_null)(sqlite3_stmt* a0, int a1) { return SOCQ_SQLITE_FN(sqlite3_bind_null)(a0, a1); }
int(sqlite3_bind_int)(sqlite3_stmt* a0, int a1, int a2) { return SOCQ_SQLITE_FN(sqlite3_bind_int)(a0, a1, a2); }
int(sqlite3_bind_int64)(sqlite3_stmt* a0, int a1, sqlite3_int64 a2) { return SOCQ_SQLITE_FN(sqlite3_bind_int64)(a0, a1, a2); }
int(sqlite3_bind_double)(sqlite3_stmt* a0, int a1, double a2) { return SOCQ_SQLITE_FN(sqlite3_bind_double)(a0, a1, a2); }
int(sqlite3_bind_text)(sqlite3_stmt* a0, int a1, const char* a2, int a3, void(*a4)(void*)) { return SOCQ_SQLITE_FN(sqlite3_bind_text)(a0, a1, a2, a3, a4); }
int(sqlite3_bind_text64)(sqlite3_stmt* a0, int a1, const char* a2, sqlite3_uint64 a3, void(*a4)(void*), unsigned char a5) { return SOCQ_SQLITE_FN(sqlite3_bind_text64)(a0, a1, a2, a3, a4, a5); }
int(sqlite3_bind_blob)(sqlite3_stmt* a0, int a1, const void* a2, int a3, void(*a4)(void*)) { return SOCQ_SQLITE_FN(sqlite3_bind_blob)(a0, a1, a2, a3, a4); }
int(sqlite3_bind_blob64)(sqlite3_stmt* a0, int a1, const void* a2, sqlite3_uint64 a3, void(*a4)(void*)) { return SOCQ_SQLITE_FN(sqlite3_bind_blob64)(a0, a1, a2, a3, a4); }
int(sqlite3_bind_zeroblob)(sqlite3_stmt* a0, int a1, int a2) { return SOCQ_SQLITE_FN(sqlite3_bind_zeroblob)(a0, a1, a2); }
int(sqlite3_bind_parameter_count)(sqlite3_stmt* a0) { return SOCQ_SQLITE_FN(sqlite3_bind_parameter_count)(a0); }
int(sqlite3_bind_parameter_index)(sqlite3_stmt* a0, const char * a1) { return SOCQ_SQLITE_FN(sqlite3_bind_parameter_index)(a0, a1); }
int(sqlite3_column_count)(sqlite3_stmt * a0) { return SOCQ_SQLITE_FN(sqlite3_column_count)(a0); }
int(sqlite3_column_type)(sqlite3_stmt* a0, int a1) { return SOCQ_SQLITE_FN(sqlite3_column_type)(a0, a1); }
const char *(sqlite3_column_name)(sqlite3_stmt* a0, int a1) { return SOCQ_SQLITE_FN(sqlite3_column_name)(a0, a1); }
int(sqlite3_column_int)(sqlite3_stmt* a0, int a1) { return SOCQ_SQLITE_FN(sqlite3_column_int)(a0, a1); }
sqlite3_int64(sqlite3_column_int64)(sqlite3_stmt* a0, int a1) { return SOCQ_SQLITE_FN(sqlite3_column_int64)(a0, a1); }
double(sqlite3_column_double)(sqlite3_stmt* a0, int a1) { return SOCQ_SQLITE_FN(sqlite3_column_double)(a0, a1); }
const unsigned char *(sqlite3_column_text)(sqlite3_stmt* a0, int a1) { return SOCQ_SQLITE_FN(sqlite3_column_text)(a0, a1); }
const void *(sqlite3_column_blob)(sqlite3_stmt* a0, int a1) { return SOCQ_SQLITE_FN(sqlite3_column_blob)(a0, a1); }
int(sqlite3_column_bytes)(sqlite3_stmt* a0, int a1) { return SOCQ_SQLITE_FN(sqlite3_column_bytes)(a0, a1); }
int(sqlite3_data_count)(sqlite3_stmt * a0) { return SOCQ_SQLITE_FN(sqlite3_data_count)(a0); }
int(sqlite3_changes)(sqlite3* a0) { return SOCQ_SQLITE_FN(sqlite3_changes)(a0); }
sqlite3_int64(sqlite3_changes64)(sqlite3* a0) { return SOCQ_SQLITE_FN(sqlite3_changes64)(a0); }
int(sqlite3_total_changes)(sqlite3* a0) { return SOCQ_SQLITE_FN(sqlite3_total_changes)(a0); }
sqlite3_int64(sqlite3_last_insert_rowid)(sqlite3* a0) { return SOCQ_SQLITE_FN(sqlite3_last_insert_rowid)(a0); }
int(sqlite3_errcode)(sqlite3 * a0) { return SOCQ_SQLITE_FN(sqlite3_errcode)(a0); }
int(sqlite3_extended_errcode)(sqlite3 * a0) { return SOCQ_SQLITE_FN(sqlite3_extended_errcode)(a0); }
int(sqlite3_extended_result_codes)(sqlite3* a0, int a1) { return SOCQ_SQLITE_FN(sqlite3_extended_result_codes)(a0, a1); }
int(sqlite3_busy_timeout)(sqlite3* a0, int a1) { return SOCQ_SQLITE_FN(sqlite3_busy_timeout)(a0, a1); }
int(sqlite3_busy_handler)(sqlite3* a0, int(*a1)(void*,int), void* a2) { return SOCQ_SQLITE_FN(sqlite3_busy_handler)(a0, a1, a2); }
void(sqlite3_interrupt)(sqlite3* a0) { SOCQ_SQLITE_FN(sqlite3_interrupt)(a0); }
int(sqlite3_get_autocommit)(sqlite3* a0) { return SOCQ_SQLITE_FN(sqlite3_get_autocommit)(a0); }
int(sqlite3_txn_state)(sqlite3* a0, const char * a1) { return SOCQ_SQLITE_FN(sqlite3_txn_state)(a0, a1); }
int(sqlite3_db_readonly)(sqlite3 * a0, const char * a1) { return SOCQ_SQLITE_FN(sqlite3_db_readonly)(a0, a1); }
sqlite3_filename(sqlite3_db_filename)(sqlite3 * a0, const char * a1) { return SOCQ_SQLITE_FN(sqlite3_db_filename)(a0, a1); }
sqlite3 *(sqlite3_db_handle)(sqlite3_stmt* a0) { return SOCQ_SQLITE_FN(sqlite3_db_handle)(a0); }
const char *(sqlite3_sql)(sqlite3_stmt * a0) { return SOCQ_SQLITE_FN(sqlite3_sql)(a0); }
char *(sqlite3_expanded_sql)(sqlite3_stmt * a0) { return SOCQ_SQLITE_FN(sqlite3_expanded_sql)(a0); }
int(sqlite3_stmt_readonly)(sqlite3_stmt * a0) { return SOCQ_SQLITE_FN(sqlite3_stmt_readonly)(a0); }
int(sqlite3_stmt_busy)(sqlite3_stmt* a0) { return SOCQ_SQLITE_FN(sqlite3_stmt_busy)(a0); }
int(sqlite3_wal_checkpoint_v2)(sqlite3 * a0, const char * a1, int a2, int * a3, int * a4) { return SOCQ_SQLITE_FN(sqlite3_wal_checkpoint_v2)(a0, a1, a2, a3, a4); }
int(sqlite3_wal_autocheckpoint)(sqlite3 * a0, int a1) { return SOCQ_SQLITE_FN(sqlite3_wal_autocheckpoint)(a0, a1); }
int(sqlite3_sleep)(int a0) { return SOCQ_SQLITE_FN(sqlite3_sleep)(a0); }
const char *(sqlite3_libversion)(void) { return SOCQ_SQLITE_FN(sqlite3_libversion)(); }
int(sqlite3_libversion_number)(void) { return SOCQ_SQLITE_FN(sqlite3_libversion_number)(); }
void(sqlite3_free)(void* a0) { SOCQ_SQLITE_FN(sqlite3_free)(a0); }
void *(sqlite3_malloc)(int a0) { return SOCQ_SQLITE_FN(sqlite3_malloc)(a0); }
void *(sqlite3_malloc64)(sqlite3_uint64 a0) { return SOCQ_SQLITE_FN(sqlite3_malloc64)(a0); }
int(sqlite3_limit)(sqlite3* a0, int a1, int a2) { return SOCQ_SQLITE_FN(sqlite3_limit)(a0, a1, a2); }
sqlite3_backup *(sqlite3_backup_init)(sqlite3 * a0, const char * a1, sqlite3 * a2, const char * a3) { return SOCQ_SQLITE_FN(sqlite3_backup_init)(a0, a1, a2, a3); }
int(sqlite3_backup_step)(sqlite3_backup * a0, int a1) { return SOCQ_SQLITE_FN(sqlite3_backup_step)(a0, a1); }
int(sqlite3_backup_finish)(sqlite3_backup * a0) { return SOCQ_SQLITE_FN(sqlite3_backup_finish)(a0); }
int(sqlite3_backup_remaining)(sqlite3_backup * a0) { return SOCQ_SQLITE_FN(sqlite3_backup_remaining)(a0); }
int(sqlite3_backup_pagecount)(sqlite3_backup * a0) { return SOCQ_SQLITE_FN(sqlite3_backup_pagecount)(a0); }
int(sqlite3_blob_open)(sqlite3* a0, const char * a1, const char * a2, const char * a3, sqlite3_int64 a4, int a5, sqlite3_blob ** a6) { return SOCQ_SQLITE_FN(sqlite3_blob_open)(a0, a1, a2, a3, a4, a5, a6); }
int(sqlite3_blob_close)(sqlite3_blob * a0) { return SOCQ_SQLITE_FN(sqlite3_blob_close)(a0); }
int(sqlite3_blob_bytes)(sqlite3_blob * a0) { return SOCQ_SQLITE_FN(sqlite3_blob_bytes)(a0); }
int(sqlite3_blob_read)(sqlite3_blob * a0, void * a1, int a2, int a3) { return SOCQ_SQLITE_FN(sqlite3_blob_read)(a0, a1, a2, a3); }
int(sqlite3_blob_write)(sqlite3_blob * a0, const void * a1, int a2, int a3) { return SOCQ_SQLITE_FN(sqlite3_blob_write)(a0, a1, a2, a3); }
int(sqlite3_file_control)(sqlite3* a0, const char * a1, int a2, void* a3) { return SOCQ_SQLITE_FN(sqlite3_file_control)(a0, a1, a2, a3); }
int(sqlite3_threadsafe)(void) { return SOCQ_SQLITE_FN(sqlite3_threadsafe)(); }
int(sqlite3_complete)(const char * a0) { return SOCQ_SQLITE_FN(sqlite3_complete)(a0); }

}  // extern "C"
