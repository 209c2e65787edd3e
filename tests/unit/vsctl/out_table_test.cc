// OutTable: the exact text of OVS's table formats (lib/table.c).
#include "out_table.h"

#include <gtest/gtest.h>

namespace grebe::vsctl {
namespace {

using ovsdb::AtomicType;
using ovsdb::BaseType;
using ovsdb::Datum;
using ovsdb::Type;

OutTable sample() {
  Type name(BaseType(AtomicType::kString), 1, 1);
  Type tag(BaseType(AtomicType::kInteger), 0, 1);
  Type trunks(BaseType(AtomicType::kInteger), 0, 4096);
  OutTable t;
  t.add_column("name");
  t.add_column("tag");
  t.add_column("trunks");
  Datum tr;
  tr.keys = {int64_t(1), int64_t(2)};
  t.add_row({{Datum::scalar(std::string("p1")).to_json(name), name},
             {Datum::scalar(int64_t(5)).to_json(tag), tag},
             {tr.to_json(trunks), trunks}});
  t.add_row({{Datum::scalar(std::string("a b")).to_json(name), name},
             {Datum().to_json(tag), tag},
             {Datum().to_json(trunks), trunks}});
  return t;
}

std::string format(const OutTable& t, TableStyle s) {
  bool first = true;
  return t.format(s, &first);
}

TEST(OutTable, List) {
  TableStyle s;
  EXPECT_EQ(format(sample(), s),
            "name                : p1\n"
            "tag                 : 5\n"
            "trunks              : [1, 2]\n"
            "\n"
            "name                : \"a b\"\n"
            "tag                 : []\n"
            "trunks              : []\n");
  s.cell = TableStyle::Cell::kBare;
  s.headings = false;
  EXPECT_EQ(format(sample(), s), "p1\n5\n1 2\n\na b\n\n\n");
}

TEST(OutTable, Table) {
  TableStyle s;
  s.format = TableStyle::Format::kTable;
  // Columns padded to the widest cell; trailing spaces trimmed.
  EXPECT_EQ(format(sample(), s),
            "name  tag trunks\n"
            "----- --- ------\n"
            "p1    5   [1, 2]\n"
            "\"a b\" []  []\n");
}

TEST(OutTable, CsvHtmlJson) {
  TableStyle s;
  s.format = TableStyle::Format::kCsv;
  EXPECT_EQ(format(sample(), s), "name,tag,trunks\np1,5,\"[1, 2]\"\n\"\"\"a b\"\"\",[],[]\n");
  s.format = TableStyle::Format::kHtml;
  std::string html = format(sample(), s);
  EXPECT_EQ(html.substr(0, 39), "<table border=1>\n  <tr>\n    <th>name</t");
  EXPECT_NE(html.find("<td>&quot;a b&quot;</td>"), std::string::npos);
  s.format = TableStyle::Format::kJson;
  EXPECT_EQ(format(sample(), s),
            "{\"data\":[[\"p1\",5,[\"set\",[1,2]]],[\"a b\",[\"set\",[]],[\"set\",[]]]],"
            "\"headings\":[\"name\",\"tag\",\"trunks\"]}\n");
}

TEST(OutTable, BlankLineBetweenTables) {
  TableStyle s;
  bool first = true;
  std::string a = sample().format(s, &first);
  std::string b = sample().format(s, &first);
  EXPECT_EQ(b, "\n" + a);
}

}  // namespace
}  // namespace grebe::vsctl
