#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "grebe/daemon/daemon.h"
#include "grebe/daemon/options.h"
#include "grebe/util/dirs.h"
#include "grebe/util/vlog.h"

namespace grebe::daemon {
namespace {

class TempDir {
 public:
  TempDir() {
    char t[] = "/tmp/daemontestXXXXXX";
    path_ = mkdtemp(t);
  }
  ~TempDir() { std::system(("rm -rf " + path_).c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string slurp(const std::string& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Runs `fn` in a forked child and returns its wait status.
template <typename F>
int in_child(F fn) {
  pid_t pid = fork();
  if (pid == 0) {
    fn();
    _exit(0);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return status;
}

Result<Options> parse(std::vector<std::string> args, std::vector<std::string>* rest = nullptr) {
  std::vector<char*> argv;
  static std::vector<std::string> keep;
  keep = std::move(args);
  keep.insert(keep.begin(), "testd");
  for (auto& a : keep) argv.push_back(a.data());
  argv.push_back(nullptr);
  return parse_command_line(static_cast<int>(keep.size()), argv.data(), "usage\n", rest);
}

TEST(DaemonOptions, ParsesOvsSpellings) {
  TempDir dir;
  setenv("OVS_RUNDIR", dir.path().c_str(), 1);
  set_program_name("testd");
  auto o = parse({"--pidfile", "--detach", "--no-chdir", "--monitor", "--overwrite-pidfile",
                  "--unixctl=ctl.sock", "-vconsole:off", "--verbose=file:dbg"});
  ASSERT_TRUE(o.ok()) << o.error().to_string();
  EXPECT_EQ(o->pidfile.value(), dir.path() + "/testd.pid");
  EXPECT_TRUE(o->detach);
  EXPECT_FALSE(o->chdir);
  EXPECT_TRUE(o->monitor);
  EXPECT_TRUE(o->overwrite_pidfile);
  EXPECT_EQ(o->unixctl_path.value(), "ctl.sock");
  EXPECT_EQ(vlog::find_module("daemon_unix")->level(vlog::Dest::kFile), vlog::Level::kDbg);

  auto rel = parse({"--pidfile=x.pid"});
  ASSERT_TRUE(rel.ok());
  EXPECT_EQ(rel->pidfile.value(), dir.path() + "/x.pid");  // relative to rundir, as OVS
  auto abs = parse({"--pidfile=/a/b.pid"});
  EXPECT_EQ(abs->pidfile.value(), "/a/b.pid");

  auto bad = parse({"-vnosuch"});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message(),
            "processing \"nosuch\": no destination, level, or module \"nosuch\"");
  auto badfile = parse({"--log-file=" + dir.path() + "/no/dir/x.log"});
  ASSERT_FALSE(badfile.ok());
  EXPECT_EQ(badfile.error().code(), ENOENT);

  std::vector<std::string> rest;
  auto r = parse({"--no-chdir", "arg1", "arg2"}, &rest);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(rest, (std::vector<std::string>{"arg1", "arg2"}));
  vlog::set_levels(nullptr, vlog::Dest::kConsole, vlog::Level::kOff, true);
}

TEST(DaemonOptions, VersionAndUsage) {
  set_program_name("ovs-vswitchd");
  EXPECT_EQ(version_line(), "ovs-vswitchd (Open vSwitch) 3.1.0");
  EXPECT_EQ(version_text().rfind("ovs-vswitchd (Open vSwitch) 3.1.0\nGrebe ", 0), 0u);
  setenv("OVS_RUNDIR", "/run/x", 1);
  EXPECT_NE(daemon_usage().find("  --pidfile[=FILE]        create pidfile (default: /run/x/ovs-vswitchd.pid)\n"),
            std::string::npos);
  EXPECT_NE(vlog_usage().find("  -vSPEC, --verbose=SPEC   set logging levels\n"), std::string::npos);
}

TEST(Pidfile, CreateReadAlreadyRunningAndStale) {
  TempDir dir;
  std::string pidfile = dir.path() + "/d.pid";
  EXPECT_EQ(read_pidfile(pidfile).error().code(), ENOENT);

  // A child holds the pidfile while we probe it from outside.
  int ready[2], release[2];
  ASSERT_EQ(pipe(ready), 0);
  ASSERT_EQ(pipe(release), 0);
  pid_t child = fork();
  if (child == 0) {
    Options o;
    o.pidfile = pidfile;
    if (!daemonize_start(o).ok()) _exit(3);
    if (read_pidfile(pidfile).value_or(-1) != getpid()) _exit(4);  // own file: no open
    char c = 'x';
    (void)!write(ready[1], &c, 1);
    (void)!read(release[0], &c, 1);
    exit(0);  // exit() runs the atexit cleanup that removes the pidfile
  }
  char c;
  ASSERT_EQ(read(ready[0], &c, 1), 1);
  EXPECT_EQ(slurp(pidfile), std::to_string(child) + "\n");
  auto pid = read_pidfile(pidfile);
  ASSERT_TRUE(pid.ok());
  EXPECT_EQ(*pid, child);

  // A second daemon refuses to start, with OVS's message.
  int status = in_child([&] {
    Options o;
    o.pidfile = pidfile;
    Status s = daemonize_start(o);
    if (s.ok()) _exit(10);
    std::string want = pidfile + ": already running as pid " + std::to_string(child) + ", aborting";
    _exit(s.error().message() == want ? 0 : 11);
  });
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;

  // --overwrite-pidfile starts anyway and takes the pidfile over.
  status = in_child([&] {
    Options o;
    o.pidfile = pidfile;
    o.overwrite_pidfile = true;
    if (!daemonize_start(o).ok()) _exit(14);
    _exit(slurp(pidfile) == std::to_string(getpid()) + "\n" ? 0 : 15);
  });
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;

  ASSERT_EQ(write(release[1], "x", 1), 1);
  waitpid(child, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  EXPECT_NE(access(pidfile.c_str(), F_OK), 0) << "pidfile not removed at exit";
  std::system(("rm -f " + pidfile + ".tmp*").c_str());

  // A leftover unlocked pidfile is stale: reported as ESRCH, replaced on start.
  std::ofstream(pidfile) << "99999\n";
  EXPECT_EQ(read_pidfile(pidfile).error().code(), ESRCH);
  status = in_child([&] {
    Options o;
    o.pidfile = pidfile;
    if (!daemonize_start(o).ok()) _exit(12);
    _exit(slurp(pidfile) == std::to_string(getpid()) + "\n" ? 0 : 13);
  });
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
}

TEST(Pidfile, RemovedOnSigterm) {
  TempDir dir;
  std::string pidfile = dir.path() + "/t.pid";
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  pid_t child = fork();
  if (child == 0) {
    Options o;
    o.pidfile = pidfile;
    if (!daemonize_start(o).ok()) _exit(3);
    (void)!write(ready[1], "x", 1);
    for (;;) pause();
  }
  char c;
  ASSERT_EQ(read(ready[0], &c, 1), 1);
  EXPECT_EQ(access(pidfile.c_str(), F_OK), 0);
  kill(child, SIGTERM);
  int status;
  waitpid(child, &status, 0);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
  EXPECT_NE(access(pidfile.c_str(), F_OK), 0);
}

TEST(Daemonize, DetachWaitsForCompletionAndPropagatesFailure) {
  TempDir dir;
  std::string pidfile = dir.path() + "/det.pid";
  // The foreground process returns only after the daemon completed startup,
  // so the pidfile exists by then.
  int status = in_child([&] {
    Options o;
    o.detach = true;
    o.pidfile = pidfile;
    if (!daemonize_start(o).ok()) _exit(5);
    daemonize_complete();
    sleep(2);  // the daemon lingers; the foreground parent already exited 0
    _exit(0);
  });
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  auto pid = read_pidfile(pidfile);
  ASSERT_TRUE(pid.ok()) << pid.error().to_string();
  EXPECT_NE(*pid, getpid());
  kill(*pid, SIGTERM);

  // A daemon that fails before completing makes the foreground exit likewise.
  status = in_child([&] {
    Options o;
    o.detach = true;
    if (!daemonize_start(o).ok()) _exit(5);
    _exit(7);
  });
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 7) << status;
}

TEST(Daemonize, ProcessStatusMessages) {
  EXPECT_EQ(process_status_msg(3 << 8), "exit status 3");
  EXPECT_EQ(process_status_msg(SIGSEGV), "killed (Segmentation fault)");
  EXPECT_EQ(process_status_msg(SIGABRT | 0x80), "killed (Aborted), core dumped");
}

TEST(User, RequiresRootAndKnownUser) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root";
  int status = in_child([] {
    Options o;
    o.user_spec = "no_such_user_xyz";
    Status s = daemonize_start(o);
    _exit(!s.ok() && s.error().message().find("user no_such_user_xyz not found, aborting.") !=
                         std::string::npos ? 0 : 1);
  });
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  // Switching to nobody keeping CAP_NET_ADMIN works and really drops root.
  status = in_child([] {
    Options o;
    o.user_spec = "nobody";
    o.capabilities.net_admin = true;
    Status s = daemonize_start(o);
    if (!s.ok()) _exit(2);
    _exit(geteuid() != 0 && getuid() != 0 ? 0 : 3);
  });
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
}

}  // namespace
}  // namespace grebe::daemon
