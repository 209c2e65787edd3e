// OVSDB's text syntax for atoms and data, as ovs-vsctl and ovn-nbctl accept
// them on the command line (OVS's ovsdb_atom_from_string() and
// ovsdb_datum_from_string()):
//   integer "42" (or a range "1-5" inside integer sets), real, boolean
//   ("true"/"yes"/"on"/"1", ...), string (bare, or a JSON-quoted "..."),
//   uuid (RFC 4122, or "@name" resolved through a SymbolTable);
//   data: atoms separated by commas/spaces, maps as key=value, optionally
//   in [] (sets) or {} (maps).
// Errors are the exact messages OVS prints.  Pure functions, thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "grebe/ovsdb/datum.h"

namespace grebe::ovsdb_idl {

// Parses one token's worth of text (already unescaped) as an atom of 'base',
// checking constraints.  'symtab' enables "@name" UUIDs.
Result<ovsdb::Atom> atom_from_text(const ovsdb::BaseType& base, const std::string& s,
                                   ovsdb::SymbolTable* symtab);
// Parses a whole datum of 'type'.
Result<ovsdb::Datum> datum_from_text(const ovsdb::Type& type, const std::string& s,
                                     ovsdb::SymbolTable* symtab);
// Splits off one token at 's' (up to an unquoted, unescaped delimiter of
// ":=, []{}!<>"), advancing 'pos'.
Result<std::string> parse_token(std::string_view s, size_t* pos);
bool is_token_delim(char c);
// Bare output (ovsdb_datum_to_bare): elements separated by spaces/newlines,
// strings unquoted, maps as key=value.
std::string datum_to_bare(const ovsdb::Datum& datum, const ovsdb::Type& type);
std::string atom_to_bare(const ovsdb::Atom& atom);

}  // namespace grebe::ovsdb_idl
