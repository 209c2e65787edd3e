// ovsdb-client dump: every table (or one table, or some of its columns),
// columns and rows sorted so output is reproducible, as OVS sorts them.
#include <algorithm>

#include "client.h"
#include "grebe/ovsdb/datum.h"

namespace grebe::ovsdb_client {
namespace {

// OVS's ovsdb_datum_compare_3way(): size first, then keys, then values.
int compare_datums(const ovsdb::Datum& a, const ovsdb::Datum& b) {
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  for (size_t i = 0; i < a.size(); i++) {
    if (int c = ovsdb::atom_compare(a.keys[i], b.keys[i])) return c;
  }
  for (size_t i = 0; i < a.values.size() && i < b.values.size(); i++) {
    if (int c = ovsdb::atom_compare(a.values[i], b.values[i])) return c;
  }
  return 0;
}

using Row = std::vector<ovsdb::Datum>;

// UUID columns hold random values, so they only break ties.
bool row_less(const Row& a, const Row& b, const std::vector<const ovsdb::ColumnSchema*>& cols) {
  for (int pass = 0; pass < 2; pass++) {
    for (size_t x = 0; x < cols.size(); x++) {
      bool is_uuid = cols[x]->type.key.type == ovsdb::AtomicType::kUuid;
      if (is_uuid != (pass == 1)) continue;
      if (int c = compare_datums(a[x], b[x])) return c < 0;
    }
  }
  return false;
}

void dump_table(const std::string& table_name, std::vector<const ovsdb::ColumnSchema*> cols,
                const OJson& rows) {
  cols.erase(std::remove_if(cols.begin(), cols.end(),
                            [](auto* c) { return c->name == "_version"; }),
             cols.end());
  std::sort(cols.begin(), cols.end(), [](auto* a, auto* b) { return a->name < b->name; });
  std::vector<Row> data;
  for (size_t y = 0; y < rows.size(); y++) {
    if (!rows[y].is_object()) {
      fatal(0, "row " + std::to_string(y) + " in table " + table_name +
                   " response is not a JSON object: " + to_ovs_string(rows[y], false));
    }
    Row row;
    for (const auto* col : cols) {
      if (!rows[y].contains(col->name)) {
        fatal(0, "row " + std::to_string(y) + " in table " + table_name + " response lacks " +
                     col->name + " column");
      }
      auto datum = ovsdb::Datum::from_json_transient(col->type, to_model_json(rows[y][col->name]));
      if (!datum.ok()) fatal(0, datum.error().to_string());
      row.push_back(std::move(*datum));
    }
    data.push_back(std::move(row));
  }
  std::stable_sort(data.begin(), data.end(),
                   [&](const Row& a, const Row& b) { return row_less(a, b, cols); });
  Table t;
  t.set_caption(table_name + " table");
  for (const auto* col : cols) t.add_column(col->name);
  for (const Row& row : data) {
    t.add_row();
    for (size_t x = 0; x < cols.size(); x++) {
      Cell& cell = t.add_cell();
      cell.json = OJson::parse(row[x].to_json(cols[x]->type).dump());
      cell.type = &cols[x]->type;
    }
  }
  t.print(options().style);
}

}  // namespace

void do_dump(Rpc* rpc, const std::string& database, const Args& args) {
  ClientSchema cs = fetch_schema(*rpc, database);
  std::vector<std::string> tables;
  std::vector<const ovsdb::ColumnSchema*> custom;
  if (!args.empty()) {
    const ovsdb::TableSchema* ts = cs.schema.find_table(args[0]);
    if (!ts) fatal(0, "No table \"" + args[0] + "\" found.");
    tables.push_back(args[0]);
    for (size_t i = 1; i < args.size(); i++) {
      const ovsdb::ColumnSchema* col = ts->find_column(args[i]);
      if (!col) fatal(0, "Table \"" + args[0] + "\" has no column " + args[i] + ".");
      custom.push_back(col);
    }
  } else {
    tables = cs.tables;
    std::sort(tables.begin(), tables.end());
  }

  auto columns_of = [&](const std::string& name) {
    std::vector<const ovsdb::ColumnSchema*> cols;
    if (args.size() > 1) return custom;
    for (const auto& c : cs.columns.at(name)) cols.push_back(cs.table(name).find_column(c));
    return cols;
  };

  OJson txn = OJson::array({database});
  for (const auto& name : tables) {
    OJson jcolumns = OJson::array();
    for (const auto* col : columns_of(name)) {
      if (col->name != "_version") jcolumns.push_back(col->name);
    }
    txn.push_back(OJson{{"op", "select"}, {"table", name}, {"where", OJson::array()},
                        {"columns", jcolumns}});
  }
  OJson reply = transact_or_die(*rpc, "transact", txn);
  const OJson& result = reply["result"];
  if (!result.is_array() || result.size() != tables.size()) {
    fatal(0, "reply is not array of " + std::to_string(tables.size()) +
                 " elements: " + to_ovs_string(result, false));
  }
  for (size_t i = 0; i < tables.size(); i++) {
    const OJson& op = result[i];
    if (!op.is_object() || !op.contains("rows") || !op["rows"].is_array()) {
      fatal(0, tables[i] + " table reply is not an object with a \"rows\" member array: " +
                   to_ovs_string(op, false));
    }
    dump_table(tables[i], columns_of(tables[i]), op["rows"]);
  }
}

}  // namespace grebe::ovsdb_client
