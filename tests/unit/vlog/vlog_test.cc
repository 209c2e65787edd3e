#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "grebe/util/clock.h"
#include "grebe/util/dirs.h"
#include "grebe/util/vlog.h"

VLOG_DEFINE_THIS_MODULE(test_vlog);
static grebe::vlog::Module other_module("test_other");

namespace grebe::vlog {
namespace {

// 2026-11-21T10:00:00.123Z
constexpr long long kWall = 1795255200123LL;

class VlogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int d = 0; d < kNumDests; d++) set_pattern(static_cast<Dest>(d), defaults_[d]);
    set_levels(nullptr, Dest::kConsole, Level::kInfo, true);
    set_levels(nullptr, Dest::kConsole, Level::kOff, false);  // keep test output clean
    set_levels(nullptr, Dest::kSyslog, Level::kOff, false);
  }
  static inline const std::string defaults_[kNumDests] = {
      pattern(Dest::kConsole), pattern(Dest::kSyslog), pattern(Dest::kFile)};
};

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST_F(VlogTest, DefaultPatternsAreOvs) {
  EXPECT_EQ(pattern(Dest::kConsole), "%D{%Y-%m-%dT%H:%M:%SZ}|%05N|%c%T|%p|%m");
  EXPECT_EQ(pattern(Dest::kSyslog), "ovs|%05N|%c%T|%p|%m");
  EXPECT_EQ(pattern(Dest::kFile), "%D{%Y-%m-%dT%H:%M:%S.###Z}|%05N|%c%T|%p|%m");
  EXPECT_EQ(format_message(Dest::kFile, vlog_this_module_, Level::kWarn, 42, kWall, "hi"),
            "2026-11-21T10:00:00.123Z|00042|test_vlog|WARN|hi");
  EXPECT_EQ(format_message(Dest::kConsole, vlog_this_module_, Level::kInfo, 7, kWall, "x"),
            "2026-11-21T10:00:00Z|00007|test_vlog|INFO|x");
  EXPECT_EQ(format_message(Dest::kSyslog, vlog_this_module_, Level::kDbg, 1, kWall, "y\n\n"),
            "ovs|00001|test_vlog|DBG|y");
}

TEST_F(VlogTest, PatternConversionsAndWidths) {
  const Module& m = vlog_this_module_;
  auto fmt = [&](std::string_view p) { return format_pattern(p, m, Level::kErr, 5, kWall, "msg"); };
  EXPECT_EQ(fmt("%c"), "test_vlog");
  EXPECT_EQ(fmt("[%12c]"), "[   test_vlog]");
  EXPECT_EQ(fmt("[%-12c]"), "[test_vlog   ]");
  EXPECT_EQ(fmt("%08N"), "00000005");
  EXPECT_EQ(fmt("%-05N|"), "50000|");
  EXPECT_EQ(fmt("%p %m%n"), "ERR msg\n");
  EXPECT_EQ(fmt("100%%"), "100%");
  EXPECT_EQ(fmt("%H"), "H");  // unknown conversions copy the character
  EXPECT_EQ(fmt("%P"), std::to_string(getpid()));
  EXPECT_EQ(fmt("%D{%H:%M:%S.##}"), "10:00:00.12");
  EXPECT_EQ(fmt("%D{%S.######}"), "00.123000");
  EXPECT_EQ(fmt("%D"), "2026-11-21 10:00:00.123");
  EXPECT_EQ(fmt("%t%T"), "main");
  set_subprogram_name("handler1");
  EXPECT_EQ(fmt("%t%T"), "handler1(handler1)");
  set_subprogram_name("");
  set_program_name("/usr/sbin/ovs-vswitchd");
  EXPECT_EQ(fmt("%A"), "ovs-vswitchd");
  EXPECT_EQ(fmt("%B"), "131");  // local0 (128) + LOG_ERR (3)
  char host[256];
  ASSERT_EQ(gethostname(host, sizeof host), 0);
  EXPECT_EQ(fmt("%E"), host);
  EXPECT_FALSE(fmt("%r").empty());
  EXPECT_EQ(fmt("%c{ignored}!"), "test_vlog!");
  EXPECT_EQ(fmt("trailing %"), "trailing ");
  EXPECT_EQ(fmt("%99999999999999999999c").size(), 1024u);  // widths are bounded
}

TEST_F(VlogTest, SetLevelsFromStringMatchesOvs) {
  Module& m = vlog_this_module_;
  ASSERT_TRUE(set_levels_from_string("test_vlog:file:warn").ok());
  EXPECT_EQ(m.level(Dest::kFile), Level::kWarn);
  EXPECT_EQ(m.level(Dest::kConsole), Level::kOff);
  EXPECT_EQ(other_module.level(Dest::kFile), Level::kInfo);

  ASSERT_TRUE(set_levels_from_string("ANY:SYSLOG:EMER").ok());
  EXPECT_EQ(m.level(Dest::kSyslog), Level::kEmer);
  EXPECT_EQ(other_module.level(Dest::kSyslog), Level::kEmer);

  ASSERT_TRUE(set_levels_from_string("TEST_OTHER").ok());  // module only: all dests dbg
  EXPECT_EQ(other_module.level(Dest::kConsole), Level::kDbg);
  EXPECT_EQ(other_module.level(Dest::kFile), Level::kDbg);
  EXPECT_EQ(m.level(Dest::kFile), Level::kWarn);

  ASSERT_TRUE(set_levels_from_string("").ok());
  EXPECT_EQ(m.level(Dest::kConsole), Level::kDbg);

  ASSERT_TRUE(set_levels_from_string("console,off").ok());
  EXPECT_EQ(m.level(Dest::kConsole), Level::kOff);

  auto err = [](std::string_view spec) {
    Status s = set_levels_from_string(spec);
    return s.ok() ? std::string("ok") : s.error().message();
  };
  EXPECT_EQ(err("nosuch"), "no destination, level, or module \"nosuch\"");
  EXPECT_EQ(err("console:file"), "cannot specify multiple destinations");
  EXPECT_EQ(err("dbg:info"), "cannot specify multiple levels");
  EXPECT_EQ(err("test_vlog:test_other"), "cannot specify multiple modules");
  EXPECT_EQ(err("PATTERN"), "missing destination");
  EXPECT_EQ(err("PATTERN:foo:%m"), "unknown destination \"foo\"");
  EXPECT_EQ(err("FACILITY:bogus"), "invalid facility");
  EXPECT_EQ(err("FACILITY"), "invalid facility");
  EXPECT_EQ(err("FACILITY:local3"), "ok");
  EXPECT_EQ(format_pattern("%B", m, Level::kWarn, 1, kWall, ""), std::to_string((19 << 3) + 4));
  EXPECT_TRUE(set_syslog_facility("local0"));

  Status v = set_verbosity("console:nope");
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().message(), "processing \"console:nope\": no destination, level, or module \"nope\"");
  ASSERT_TRUE(set_verbosity(nullptr).ok());
  EXPECT_EQ(m.level(Dest::kSyslog), Level::kDbg);
}

TEST_F(VlogTest, PatternSpecKeepsTheRestVerbatim) {
  ASSERT_TRUE(set_levels_from_string("PATTERN:console:%D{%H} %c: %m").ok());
  EXPECT_EQ(pattern(Dest::kConsole), "%D{%H} %c: %m");
  ASSERT_TRUE(set_levels_from_string("pattern:ANY:<%p>").ok());
  EXPECT_EQ(pattern(Dest::kFile), "<%p>");
  EXPECT_EQ(pattern(Dest::kSyslog), "<%p>");
}

TEST_F(VlogTest, ListLevelsLayout) {
  set_levels(&other_module, Dest::kConsole, Level::kOff, false);
  set_levels(&other_module, Dest::kSyslog, Level::kErr, false);
  set_levels(&other_module, Dest::kFile, Level::kDbg, false);
  other_module.set_honor_rate_limits(false);
  std::string list = list_levels();
  EXPECT_EQ(list.rfind("                 console    syslog    file\n"
                       "                 -------    ------    ------\n", 0), 0u);
  EXPECT_NE(list.find("test_other         OFF        ERR        DBG    (rate limiting disabled)\n"),
            std::string::npos) << list;
  EXPECT_NE(list.find("vlog               OFF        OFF       INFO\n"), std::string::npos) << list;
  set_all_rate_limits(true);
  EXPECT_EQ(list_levels().find("rate limiting"), std::string::npos);
}

TEST_F(VlogTest, ListPatternsLayout) {
  EXPECT_EQ(list_patterns(),
            "         prefix                            format\n"
            "         ------                            ------\n"
            "SYSLOG   <%B> %D{%h %e %T} %E %A:          ovs|%05N|%c%T|%p|%m\n"
            "CONSOLE  none                              %D{%Y-%m-%dT%H:%M:%SZ}|%05N|%c%T|%p|%m\n"
            "FILE     none                              %D{%Y-%m-%dT%H:%M:%S.###Z}|%05N|%c%T|%p|%m\n");
}

TEST_F(VlogTest, LogFileAppendsReopensAndCloses) {
  char dir[] = "/tmp/vlogtestXXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  std::string path = std::string(dir) + "/a.log";
  ASSERT_TRUE(set_log_file(path).ok());
  EXPECT_EQ(log_file_name(), path);
  VLOG_WARN("first %d", 1);
  VLOG_DBG("not logged at info");
  std::string text = read_file(path);
  EXPECT_NE(text.find("|vlog|INFO|opened log file " + path + "\n"), std::string::npos) << text;
  EXPECT_NE(text.find("|test_vlog|WARN|first 1\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("not logged"), std::string::npos);

  // Log rotation: rename, then reopen writes to a fresh file by name.
  std::string rotated = path + ".1";
  ASSERT_EQ(rename(path.c_str(), rotated.c_str()), 0);
  ASSERT_TRUE(reopen_log_file().ok());
  VLOG_WARN("second");
  EXPECT_NE(read_file(rotated).find("closing log file"), std::string::npos);
  EXPECT_NE(read_file(path).find("|test_vlog|WARN|second"), std::string::npos);

  close_log_file();
  EXPECT_FALSE(log_file_is_open());
  VLOG_WARN("while closed");
  EXPECT_EQ(read_file(path).find("while closed"), std::string::npos);
  ASSERT_TRUE(reopen_log_file().ok());
  VLOG_WARN("after reopen");
  EXPECT_NE(read_file(path).find("after reopen"), std::string::npos);

  Status bad = set_log_file(std::string(dir) + "/no/such/dir.log");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), ENOENT);
  EXPECT_EQ(log_file_name(), path);  // the old file stays in use
  close_log_file();
  std::system(("rm -rf " + std::string(dir)).c_str());
}

TEST_F(VlogTest, RateLimitHonoredUnlessDisabled) {
  char dir[] = "/tmp/vlogtestXXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  std::string path = std::string(dir) + "/rl.log";
  ASSERT_TRUE(set_log_file(path).ok());
  FakeClock clock;
  set_clock(&clock);
  RateLimit rl(1, 2);
  for (int i = 0; i < 5; i++) VLOG_WARN_RL(&rl, "limited %d", i);
  clock.advance(61000);  // one token back after a minute
  VLOG_WARN_RL(&rl, "limited %d", 5);
  vlog_this_module_.set_honor_rate_limits(false);
  RateLimit rl2(1, 1);
  for (int i = 0; i < 3; i++) VLOG_WARN_RL(&rl2, "unlimited %d", i);
  vlog_this_module_.set_honor_rate_limits(true);
  set_clock(nullptr);
  std::string text = read_file(path);
  EXPECT_NE(text.find("|WARN|limited 1"), std::string::npos);
  EXPECT_EQ(text.find("|WARN|limited 2"), std::string::npos);
  EXPECT_NE(text.find("unlimited 2"), std::string::npos);
  EXPECT_NE(text.find("|test_vlog|WARN|Dropped 3 log messages in last 61 seconds (most recently, "
                      "61 seconds ago) due to excessive rate\n"),
            std::string::npos) << text;
  EXPECT_NE(text.find("|WARN|limited 5"), std::string::npos);
  close_log_file();
  std::system(("rm -rf " + std::string(dir)).c_str());
}

TEST_F(VlogTest, SyslogTargetParsing) {
  EXPECT_FALSE(set_syslog_target("nonsense").ok());
  EXPECT_FALSE(set_syslog_target("host.example:514").ok());  // numeric only, as OVS
  EXPECT_TRUE(set_syslog_target("127.0.0.1:51414").ok());
}

}  // namespace
}  // namespace grebe::vlog
