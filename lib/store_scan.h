// Every case of a SQLite store in storage (rowid) order, for passes over the
// whole store such as reports: one sequential read in one read transaction,
// no sort and no index lookup per row (Store::list's queue order costs both).
#pragma once
#include <functional>
#include <string>

#include "lib/case.h"
#include "lib/result.h"

namespace socq {

// `path` must be a store open_sqlite_store() has accepted (checked first).
Status scan_sqlite_store(const std::string& path, const std::function<Status(Case&&)>& on_case);

}  // namespace socq
