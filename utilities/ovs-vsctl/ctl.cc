// Command framework: context helpers, table/column/record lookup, registry.
#include "ctl.h"

#include <cctype>
#include <climits>
#include <cstdarg>
#include <set>

#include "vsctl_cache.h"

namespace grebe::vsctl {

std::optional<std::string> Context::option(const std::string& name) const {
  auto it = cmd.options.find(name);
  return it == cmd.options.end() ? std::nullopt : it->second;
}

bool Context::fail(const char* fmt, ...) {
  va_list args;
  va_start(args, fmt);
  char buf[4096];
  vsnprintf(buf, sizeof buf, fmt, args);
  va_end(args);
  error = buf;
  return false;
}

void Context::invalidate_cache() {
  if (cache) cache->invalidate();
}

namespace {

int lower_underscore(unsigned char c) { return c == '-' ? '_' : tolower(c); }

// How well user input 's' matches 'name' (OVS's score_partial_match).
unsigned score_partial_match(const std::string& name, const std::string& s) {
  if (name == s) return UINT_MAX;
  size_t i = 0;
  for (;; i++) {
    int a = i < name.size() ? lower_underscore(name[i]) : 0;
    int b = i < s.size() ? lower_underscore(s[i]) : 0;
    if (a != b) break;
    if (a == 0) return UINT_MAX - 1;
  }
  return i >= s.size() ? static_cast<unsigned>(i) : 0;
}

std::string join(const std::set<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace

const ovsdb::TableSchema* get_table(const ovsdb::DatabaseSchema& schema, const std::string& name,
                                    std::string* error) {
  const ovsdb::TableSchema* best = nullptr;
  unsigned best_score = 0;
  std::set<std::string> matches;
  for (const auto& [tname, ts] : schema.tables) {
    unsigned score = score_partial_match(tname, name);
    if (score && score >= best_score) {
      if (score > best_score) matches.clear();
      matches.insert(tname);
      best = &ts;
      best_score = score;
    }
  }
  if (!best) {
    *error = "unknown table \"" + name + "\"";
    return nullptr;
  }
  if (matches.size() > 1) {
    *error = "\"" + name + "\" matches multiple table names: " + join(matches);
    return nullptr;
  }
  return best;
}

const ovsdb::ColumnSchema* get_column(const ovsdb::TableSchema& table, const std::string& name,
                                      std::string* error) {
  const ovsdb::ColumnSchema* best = nullptr;
  unsigned best_score = 0;
  std::set<std::string> matches;
  for (const auto& col : table.columns) {
    if (col.index < ovsdb::kNumStdColumns) continue;
    unsigned score = score_partial_match(col.name, name);
    if (score && score >= best_score) {
      if (score > best_score) matches.clear();
      matches.insert(col.name);
      best = &col;
      best_score = score;
    }
  }
  if (!best) {
    *error = table.name + " does not contain a column whose name matches \"" + name + "\"";
    return nullptr;
  }
  if (matches.size() > 1) {
    *error = table.name + " contains more than one column whose name matches \"" + name +
             "\": " + join(matches);
    return nullptr;
  }
  return best;
}

namespace {

// ovs-vsctl's ways to name a record (utilities/ovs-vsctl.c "tables").
struct RowId {
  const char* table;
  const char* name_table;
  const char* name_column;
  const char* uuid_column;  // null: the named row itself
};
constexpr RowId kRowIds[] = {
    {"Bridge", "Bridge", "name", nullptr},
    {"Controller", "Bridge", "name", "controller"},
    {"Interface", "Interface", "name", nullptr},
    {"Mirror", "Mirror", "name", nullptr},
    {"Manager", "Manager", "target", nullptr},
    {"NetFlow", "Bridge", "name", "netflow"},
    {"Port", "Port", "name", nullptr},
    {"QoS", "Port", "name", "qos"},
    {"sFlow", "Bridge", "name", "sflow"},
    {"Flow_Table", "Flow_Table", "name", nullptr},
    {"IPFIX", "Bridge", "name", "ipfix"},
    {"AutoAttach", "Bridge", "name", "auto_attach"},
    {"Flow_Sample_Collector_Set", "Flow_Sample_Collector_Set", "id", nullptr},
};

bool record_id_equals(const ovsdb::Atom& name, const std::string& record_id) {
  if (name.index() == 3) {
    const std::string& s = std::get<3>(name);
    if (s == record_id) return true;
    return record_id.size() >= 4 && Uuid::from_string(s) && s.compare(0, record_id.size(), record_id) == 0;
  }
  if (name.index() == 0) return std::get<0>(name) == strtoll(record_id.c_str(), nullptr, 10);
  return false;
}

// Returns false on "multiple matches".
bool get_row_by_id(Context& ctx, const ovsdb::TableSchema& table, const RowId& id,
                   const std::string& record_id, std::optional<Uuid>* out) {
  const ovsdb::TableSchema* nt = ctx.txn.schema().find_table(id.name_table);
  const ovsdb::ColumnSchema* nc = nt ? nt->find_column(id.name_column) : nullptr;
  if (!nc) return true;
  if (nc->type.key.type == ovsdb::AtomicType::kInteger &&
      (record_id.empty() || record_id.find_first_not_of("0123456789") != std::string::npos)) {
    return true;
  }
  std::optional<Uuid> referrer;
  for (const Uuid& uuid : ctx.txn.rows(nt->name)) {
    const Datum* d = ctx.txn.get(nt->name, uuid, nc->name);
    if (!d || d->size() != 1 || !record_id_equals(d->keys[0], record_id)) continue;
    if (referrer) {
      ctx.error = "multiple rows in " + nt->name + " match \"" + record_id + "\"";
      return false;
    }
    referrer = uuid;
  }
  if (!referrer) return true;
  if (!id.uuid_column) {
    *out = referrer;
    return true;
  }
  ctx.txn.verify(nt->name, *referrer, id.uuid_column);
  std::vector<Uuid> refs = datum_uuids(ctx.txn.get(nt->name, *referrer, id.uuid_column));
  if (refs.size() == 1 && ctx.txn.exists(table.name, refs[0])) *out = refs[0];
  return true;
}

bool is_partial_uuid(const std::string& s) {
  if (s.size() < 4 || s.size() > 36) return false;
  for (size_t i = 0; i < s.size(); i++) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !isxdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return true;
}

}  // namespace

bool get_row(Context& ctx, const ovsdb::TableSchema& table, const std::string& record_id,
             bool must_exist, std::optional<Uuid>* row) {
  row->reset();
  if (auto uuid = Uuid::from_string(record_id); uuid && ctx.txn.exists(table.name, *uuid)) {
    *row = *uuid;
  }
  if (!*row && record_id == ".") {
    std::vector<Uuid> rows = ctx.txn.rows(table.name);
    if (rows.size() == 1) *row = rows[0];
  }
  if (!*row) {
    for (const RowId& id : kRowIds) {
      if (table.name != id.table) continue;
      if (!get_row_by_id(ctx, table, id, record_id, row)) return false;
      if (*row) break;
    }
  }
  if (!*row && is_partial_uuid(record_id)) {
    for (const Uuid& uuid : ctx.txn.rows(table.name)) {
      if (uuid.to_string().compare(0, record_id.size(), record_id) != 0) continue;
      if (*row) {
        ctx.error = table.name + " contains 2 or more rows whose UUIDs begin with " + record_id +
                    ": at least " + (*row)->to_string() + " and " + uuid.to_string();
        return false;
      }
      *row = uuid;
    }
  }
  if (must_exist && !*row) {
    ctx.error = "no row \"" + record_id + "\" in table " + table.name;
    return false;
  }
  return true;
}

namespace {
std::map<std::string, const CommandSyntax*>& registry() {
  static std::map<std::string, const CommandSyntax*> commands;
  return commands;
}
}  // namespace

const std::map<std::string, const CommandSyntax*>& all_commands() { return registry(); }

void register_commands(const std::vector<CommandSyntax>& commands) {
  // The syntax objects live for the whole program.
  auto* stored = new std::vector<CommandSyntax>(commands);
  for (const CommandSyntax& c : *stored) registry()[c.name] = &c;
}

Datum uuid_set(std::vector<Uuid> uuids) {
  Datum d;
  for (const Uuid& u : uuids) d.keys.push_back(u);
  ovsdb::Type t(ovsdb::BaseType(ovsdb::AtomicType::kUuid), 0, UINT_MAX);
  d.sort_unique(t);
  return d;
}

std::vector<Uuid> datum_uuids(const Datum* d) {
  std::vector<Uuid> out;
  if (!d) return out;
  for (const auto& a : d->keys) {
    if (a.index() == 4) out.push_back(std::get<4>(a));
  }
  return out;
}

std::string datum_string(const Datum* d) {
  if (!d || d->empty() || d->keys[0].index() != 3) return "";
  return std::get<3>(d->keys[0]);
}

std::optional<int64_t> datum_int(const Datum* d) {
  if (!d || d->empty() || d->keys[0].index() != 0) return std::nullopt;
  return std::get<0>(d->keys[0]);
}

std::string datum_text(const Datum* d, const ovsdb::Type& type) {
  return d ? d->to_string(type) : Datum().to_string(type);
}

}  // namespace grebe::vsctl
