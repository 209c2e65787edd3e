// The process-wide command table behind every unixctl Server.
#include <cstdio>
#include <map>
#include <mutex>

#include "registry.h"

namespace grebe::unixctl {

namespace {
struct Table {
  std::mutex mutex;
  std::map<std::string, Command, std::less<>> commands;
};
Table& table() {
  static Table* t = new Table;  // commands may be looked up during exit
  return *t;
}
}  // namespace

void register_command(std::string_view name, std::optional<std::string> usage, int min_args,
                      int max_args, Handler handler) {
  Table& t = table();
  std::lock_guard lock(t.mutex);
  if (t.commands.count(name)) return;
  t.commands.emplace(std::string(name),
                     Command{std::move(usage), min_args, max_args, std::move(handler)});
}

std::optional<Command> find_command(std::string_view name) {
  Table& t = table();
  std::lock_guard lock(t.mutex);
  auto it = t.commands.find(name);
  if (it == t.commands.end()) return std::nullopt;
  return it->second;
}

std::string list_commands_text() {
  Table& t = table();
  std::lock_guard lock(t.mutex);
  std::string out = "The available commands are:\n";
  for (const auto& [name, cmd] : t.commands) {
    if (!cmd.usage) continue;
    char buf[512];
    std::snprintf(buf, sizeof buf, "  %-23s %s\n", name.c_str(), cmd.usage->c_str());
    out += buf;
  }
  return out;
}

}  // namespace grebe::unixctl
