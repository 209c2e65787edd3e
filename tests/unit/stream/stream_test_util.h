// Helpers shared by the stream tests: a temp dir, and blocking
// send/recv/accept over non-blocking streams.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <string>

#include "grebe/stream/stream.h"

namespace grebe::stream::testing {

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/grebe-stream-XXXXXX";
    path_ = mkdtemp(tmpl);
  }
  ~TempDir() { std::system(("rm -rf '" + path_ + "'").c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

inline std::unique_ptr<Stream> accept_block(PassiveStream& ps) {
  for (int i = 0; i < 100; i++) {
    auto s = ps.accept();
    if (s.ok()) return std::move(*s);
    if (!s.error().would_block()) {
      ADD_FAILURE() << "accept: " << s.error().to_string();
      return nullptr;
    }
    EXPECT_TRUE(wait_blocking(ps, 5000).ok());
  }
  return nullptr;
}

inline void send_all(Stream& s, const std::string& data) {
  size_t off = 0;
  while (off < data.size()) {
    auto n = s.send(data.data() + off, data.size() - off);
    if (n.ok()) {
      off += *n;
    } else {
      ASSERT_TRUE(n.error().would_block()) << n.error().to_string();
      ASSERT_TRUE(wait_blocking(s, Stream::Op::kSend, 5000).ok());
    }
  }
}

// Reads exactly n bytes (or up to EOF).
inline std::string recv_n(Stream& s, size_t n) {
  std::string out;
  char buf[4096];
  while (out.size() < n) {
    auto r = s.recv(buf, std::min(sizeof buf, n - out.size()));
    if (r.ok()) {
      if (*r == 0) break;
      out.append(buf, *r);
    } else {
      EXPECT_TRUE(r.error().would_block()) << r.error().to_string();
      if (!r.error().would_block()) break;
      EXPECT_TRUE(wait_blocking(s, Stream::Op::kRecv, 5000).ok());
    }
  }
  return out;
}

}  // namespace grebe::stream::testing
