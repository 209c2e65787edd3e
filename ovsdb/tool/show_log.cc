// ovsdb-tool show-log: a human-readable dump of a standalone database log.
#include <cstdio>
#include <ctime>
#include <map>

#include "grebe/ovsdb/datum.h"
#include "grebe/ovsdb/schema.h"
#include "ovsdb/storage/log.h"
#include "ovsdb/tool/tool.h"

namespace grebe::ovsdb::tool {

namespace {

void print_date(long long t) {
  // Old OVS versions wrote seconds rather than milliseconds.
  if (t < INT32_MAX) t *= 1000;
  time_t secs = time_t(t / 1000);
  struct tm tm;
  gmtime_r(&secs, &tm);
  char buf[64];
  strftime(buf, sizeof buf, " %Y-%m-%d %H:%M:%S", &tm);
  printf("%s.%03lld", buf, t % 1000);
}

std::string value_string(const TableSchema* ts, const std::string& column, const Json& value) {
  const ColumnSchema* c = ts ? ts->find_column(column) : nullptr;
  if (c) {
    auto d = Datum::from_json(c->type, value, nullptr);
    if (d.ok()) return d->to_string(c->type);
  }
  return json_to_string(value);
}

void print_row(const std::string& table, const TableSchema* ts, const std::string& row_uuid,
               const Json& columns, bool diff, int verbosity,
               std::map<std::string, std::string>& names) {
  auto old_it = names.find(row_uuid);
  std::string new_name;
  if (columns.is_object()) {
    auto n = columns.find("name");
    if (n != columns.end()) new_name = json_to_string(*n);
  }
  printf("  table %s", table.c_str());
  std::string short_uuid = row_uuid.substr(0, 8);
  if (old_it == names.end()) {
    if (!new_name.empty()) {
      printf(" insert row %s (%s):\n", new_name.c_str(), short_uuid.c_str());
    } else {
      printf(" insert row %s:\n", short_uuid.c_str());
    }
  } else {
    printf(" row %s (%s)%s:\n", old_it->second.c_str(), short_uuid.c_str(), diff ? " diff" : "");
  }
  if (columns.is_object()) {
    if (verbosity > 1) {
      for (auto it = columns.begin(); it != columns.end(); ++it) {
        printf("    %s=%s\n", it.key().c_str(), value_string(ts, it.key(), it.value()).c_str());
      }
    }
    if (!new_name.empty()) {
      names[row_uuid] = new_name;
    } else if (old_it == names.end()) {
      names[row_uuid] = short_uuid;
    }
  } else if (columns.is_null()) {
    printf("    delete row\n");
    names.erase(row_uuid);
  }
}

void print_change_record(const Json& json, const DatabaseSchema* schema, int verbosity,
                         std::map<std::string, std::string>& names) {
  if (!json.is_object()) return;
  auto date = json.find("_date");
  if (date != json.end()) {
    if (auto t = json_integer(*date)) print_date(*t);
  }
  auto comment = json.find("_comment");
  if (comment != json.end() && comment->is_string()) {
    printf(" \"%s\"", comment->get_ref<const std::string&>().c_str());
  }
  if (verbosity <= 0) return;
  auto is_diff = json.find("_is_diff");
  bool diff = is_diff != json.end() && is_diff->is_boolean() && is_diff->get<bool>();
  int i = 0;
  for (auto t = json.begin(); t != json.end(); ++t) {
    if (t.key()[0] == '_' || !t.value().is_object()) continue;
    if (i++ == 0) putchar('\n');
    const TableSchema* ts = schema ? schema->find_table(t.key()) : nullptr;
    for (auto r = t.value().begin(); r != t.value().end(); ++r) {
      print_row(t.key(), ts, r.key(), r.value(), diff, verbosity, names);
    }
  }
}

}  // namespace

void show_log(const std::string& file, int verbosity) {
  auto log = Log::open(file, std::string(kOvsdbMagic) + "|" + kRaftMagic, Log::Mode::kReadOnly);
  check_result(log);
  if ((*log)->magic() != kOvsdbMagic) fatal(file + ": clustered databases are not supported");
  std::map<std::string, std::string> names;
  std::optional<DatabaseSchema> schema;
  for (unsigned i = 0;; i++) {
    auto rec = (*log)->read();
    fflush(stdout);
    check_result(rec);
    if (!*rec) break;
    printf("record %u:", i);
    if (i == 0) {
      auto s = DatabaseSchema::from_json(**rec);
      check_result(s);
      schema = std::move(*s);
      printf(" \"%s\" schema, version=\"%s\", cksum=\"%s\"\n", schema->name.c_str(),
             schema->version.c_str(), schema->cksum.c_str());
    } else {
      print_change_record(**rec, schema ? &*schema : nullptr, verbosity, names);
    }
    putchar('\n');
  }
}

}  // namespace grebe::ovsdb::tool
