// "show": an indented overview of the configuration (OVS's cmd_show with
// ovs-vsctl's show table).
#include <set>

#include "vsctl_util.h"

namespace grebe::vsctl {

namespace {

struct ShowTable {
  const char* table;
  const char* name_column;  // null: print the UUID
  std::vector<const char*> columns;
};

const std::vector<ShowTable>& show_tables() {
  static const std::vector<ShowTable> tables = {
      {"Open_vSwitch", nullptr, {"manager_options", "bridges", "ovs_version"}},
      {"Bridge", "name", {"controller", "fail_mode", "datapath_type", "ports"}},
      {"Port", "name", {"tag", "trunks", "interfaces"}},
      {"Interface", "name", {"type", "options", "error", "bfd_status"}},
      {"Controller", "target", {"is_connected"}},
      {"Manager", "target", {"is_connected"}},
  };
  return tables;
}

const ShowTable* find_show(const std::string& table) {
  for (const auto& s : show_tables()) {
    if (table == s.table) return &s;
  }
  return nullptr;
}

void show_row(Context& ctx, const ovsdb::TableSchema& ts, const Uuid& row, int level,
              std::set<std::string>& shown);

// A map column whose values reference a shown table: "column:" then
// "key=<name>" lines.
void show_ref_map(Context& ctx, const ovsdb::ColumnSchema& col, const Datum& d,
                  const ShowTable& ref, int level) {
  std::string& out = ctx.output();
  out.append((level + 1) * 4, ' ');
  out += col.name + ":\n";
  const ovsdb::TableSchema* rts = ctx.txn.schema().find_table(ref.table);
  for (size_t j = 0; j < d.size(); j++) {
    out.append((level + 2) * 4, ' ');
    out += ovsdb::atom_to_string(d.keys[j]) + "=";
    const Uuid& target = std::get<Uuid>(d.values[j]);
    if (ctx.txn.exists(ref.table, target)) {
      const ovsdb::ColumnSchema* nc = rts->find_column(ref.name_column);
      out += datum_text(ctx.txn.get(ref.table, target, ref.name_column), nc->type);
    } else {
      out += "\"<null>\"";
    }
    out += '\n';
  }
}

void show_column(Context& ctx, const ovsdb::TableSchema& ts, const Uuid& row,
                 const ovsdb::ColumnSchema& col, int level, std::set<std::string>& shown) {
  const Datum* d = ctx.txn.get(ts.name, row, col.name);
  if (!d) return;
  if (col.type.key.is_ref()) {
    if (const ShowTable* ref = find_show(col.type.key.ref_table)) {
      const ovsdb::TableSchema* rts = ctx.txn.schema().find_table(ref->table);
      for (const Uuid& u : datum_uuids(d)) {
        if (ctx.txn.exists(ref->table, u)) show_row(ctx, *rts, u, level + 1, shown);
      }
      return;
    }
  } else if (col.type.is_map() && col.type.value.is_ref()) {
    const ShowTable* ref = find_show(col.type.value.ref_table);
    if (ref && ref->name_column) {
      show_ref_map(ctx, col, *d, *ref, level);
      return;
    }
  }
  if (!d->is_default(col.type)) {
    std::string& out = ctx.output();
    out.append((level + 1) * 4, ' ');
    out += col.name + ": " + d->to_string(col.type) + "\n";
  }
}

void show_row(Context& ctx, const ovsdb::TableSchema& ts, const Uuid& row, int level,
              std::set<std::string>& shown) {
  const ShowTable* show = find_show(ts.name);
  std::string& out = ctx.output();
  out.append(level * 4, ' ');
  if (show && show->name_column) {
    const ovsdb::ColumnSchema* nc = ts.find_column(show->name_column);
    out += ts.name + " " + datum_text(ctx.txn.get(ts.name, row, nc->name), nc->type);
  } else {
    out += row.to_string();
  }
  out += '\n';
  if (!show || shown.count(ts.name)) return;
  shown.insert(ts.name);
  for (const char* name : show->columns) {
    const ovsdb::ColumnSchema* col = ts.find_column(name);
    if (col) show_column(ctx, ts, row, *col, level, shown);
  }
  shown.erase(ts.name);
}

void cmd_show(Context& ctx) {
  const ovsdb::TableSchema* ts = ctx.txn.schema().find_table("Open_vSwitch");
  if (!ts) return;
  std::set<std::string> shown;
  for (const Uuid& row : ctx.txn.rows("Open_vSwitch")) {
    // The Open_vSwitch row vsctl inserts for an empty database is not shown.
    if (ctx.txn.is_new("Open_vSwitch", row)) continue;
    show_row(ctx, *ts, row, 0, shown);
  }
}

}  // namespace

void register_show_command() {
  register_commands({{"show", 0, 0, "", cmd_show, nullptr, "", Mode::kRO}});
}

}  // namespace grebe::vsctl
