#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <unistd.h>

#include "grebe/packet/packet.h"
#include "grebe/packet/pcap.h"

namespace grebe {
namespace {

TEST(Packet, PushPullPut) {
  const uint8_t frame[14] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0x88, 0xb5};
  Packet p = Packet::copy_of(frame, sizeof frame, 4);
  EXPECT_EQ(p.size(), 14u);
  Flow f = p.extract();
  EXPECT_EQ(f.dl_type, 0x88b5);
  EXPECT_EQ(p.layers().l2, 0);
  uint8_t* h = p.push(8);  // more than the 4 bytes of headroom
  std::memset(h, 0xee, 8);
  EXPECT_EQ(p.size(), 22u);
  EXPECT_EQ(p.layers().l2, 8);
  EXPECT_EQ(p.data()[8], 1);
  EXPECT_TRUE(p.pull(8));
  EXPECT_EQ(p.data()[0], 1);
  EXPECT_FALSE(p.pull(100));
  p.put(2)[1] = 9;
  EXPECT_EQ(p.size(), 16u);
  EXPECT_EQ(p.data()[15], 9);
  p.resize(3);
  EXPECT_EQ(p.size(), 3u);
}

TEST(Pcap, WriteThenRead) {
  char tmpl[] = "/tmp/grebe-pcap-XXXXXX";
  int fd = mkstemp(tmpl);
  ASSERT_GE(fd, 0);
  close(fd);
  std::string path = tmpl;
  {
    auto w = PcapWriter::create(path);
    ASSERT_TRUE(w.ok());
    const uint8_t a[3] = {1, 2, 3};
    ASSERT_TRUE(w->write(a, 3, 1'700'000'000'123LL).ok());
    ASSERT_TRUE(w->write(a, 0, 1'700'000'001'000LL).ok());
  }
  auto r = PcapReader::open(path);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  auto first = r->next();
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->data, (std::vector<uint8_t>{1, 2, 3}));
  EXPECT_EQ(first->time_usec, 1'700'000'000'123'000LL);
  auto second = r->next();
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE(second->data.empty());
  auto end = r->next();
  ASSERT_FALSE(end.ok());
  EXPECT_EQ(end.error().code(), EOF);
  // Truncate mid-record: a clear error, no crash.
  ASSERT_EQ(truncate(path.c_str(), 24 + 16 + 1), 0);
  auto t = PcapReader::open(path);
  ASSERT_TRUE(t.ok());
  auto bad = t->next();
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), EINVAL);
  std::remove(path.c_str());
  EXPECT_FALSE(PcapReader::open("/nonexistent/x.pcap").ok());
}

}  // namespace
}  // namespace grebe
