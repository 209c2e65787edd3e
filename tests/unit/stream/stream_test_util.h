// Helpers shared by the stream tests: a temp dir, and blocking
// send/recv/accept over non-blocking streams.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <string>

#include "grebe/event/event_loop.h"
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

// Runs `loop` until stop(), failing the test instead of hanging if
// `progress()` stops changing for 50 iterations of up to 2 s each.
template <typename Progress>
void run_until_stopped(event::EventLoop& loop, Progress progress) {
  size_t last = progress();
  int idle = 0;
  while (loop.run_once(2000)) {
    size_t now = progress();
    idle = now == last ? idle + 1 : 0;
    last = now;
    if (idle > 50) {
      ADD_FAILURE() << "event loop made no progress";
      return;
    }
  }
}

}  // namespace grebe::stream::testing
