// Connmgr over real unix-socket vconns with a FakeSwitch.
#include <gtest/gtest.h>

#include "connmgr/connmgr.h"
#include "fake_switch.h"
#include "grebe/event/event_loop.h"

namespace grebe::connmgr {
namespace {

TEST(ConnmgrApiTest, ConfigureAndStatus) {
  event::EventLoop loop;
  test::FakeSwitch sw;
  Connmgr cm(loop, sw, "br0", "/tmp");
  EXPECT_FALSE(cm.has_controllers());
  cm.set_controllers({ControllerConfig{.target = "tcp:127.0.0.1:1"}});
  EXPECT_TRUE(cm.has_controllers());
  auto st = cm.controller_status();
  ASSERT_EQ(st.size(), 1u);
  EXPECT_EQ(st[0].target, "tcp:127.0.0.1:1");
  EXPECT_FALSE(st[0].is_connected);
  EXPECT_FALSE(cm.fail_open_active());
}

}  // namespace
}  // namespace grebe::connmgr
