// Helpers for the vconn tests: a listener on 127.0.0.1 with an ephemeral
// port, raw (hello-less) peers, and a thread that serves a Vconn.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "grebe/stream/stream.h"
#include "grebe/util/byteorder.h"
#include "grebe/vconn/vconn.h"

namespace grebe::vconn::testing {

inline std::unique_ptr<PVconn> listen_local(uint32_t versions = kDefaultVersions) {
  auto p = PVconn::open("ptcp:0:127.0.0.1", versions);
  EXPECT_TRUE(p.ok()) << p.error().to_string();
  return p.ok() ? std::move(*p) : nullptr;
}

inline std::string target_of(const PVconn& p) {
  return "tcp:127.0.0.1:" + std::to_string(p.bound_port());
}

inline std::unique_ptr<Vconn> accept_vconn(PVconn& p) {
  for (int i = 0; i < 500; i++) {
    auto v = p.accept();
    if (v.ok()) return std::move(*v);
    if (!v.error().would_block()) {
      ADD_FAILURE() << v.error().to_string();
      return nullptr;
    }
    usleep(10000);
  }
  ADD_FAILURE() << "accept timed out";
  return nullptr;
}

// A raw stream to the listener, for speaking malformed OpenFlow.
inline std::unique_ptr<stream::Stream> raw_connect(const PVconn& p) {
  auto s = stream::Stream::open_block(target_of(p), 5000);
  EXPECT_TRUE(s.ok()) << s.error().to_string();
  return s.ok() ? std::move(*s) : nullptr;
}

inline void raw_send(stream::Stream& s, const std::vector<uint8_t>& data) {
  size_t off = 0;
  while (off < data.size()) {
    auto n = s.send(data.data() + off, data.size() - off);
    if (n.ok()) {
      off += *n;
    } else {
      ASSERT_TRUE(n.error().would_block()) << n.error().to_string();
      ASSERT_TRUE(stream::wait_blocking(s, stream::Stream::Op::kSend, 5000).ok());
    }
  }
}

// Reads one OpenFlow frame (empty at EOF or error).
inline std::vector<uint8_t> raw_recv_msg(stream::Stream& s) {
  std::vector<uint8_t> out;
  size_t want = 8;
  while (out.size() < want) {
    uint8_t buf[4096];
    auto n = s.recv(buf, std::min(sizeof buf, want - out.size()));
    if (!n.ok()) {
      if (!n.error().would_block()) return {};
      if (!stream::wait_blocking(s, stream::Stream::Op::kRecv, 5000).ok()) return {};
      continue;
    }
    if (*n == 0) return {};
    out.insert(out.end(), buf, buf + *n);
    if (out.size() == 8) want = load_be16(out.data() + 2);
  }
  return out;
}

// Serves `v` on a thread: completes the hello exchange, then hands every
// message to `on_msg` (which may reply) until the connection ends.
class Server {
 public:
  using OnMsg = std::function<void(Vconn&, const OfpMsg&)>;
  Server(std::unique_ptr<Vconn> v, OnMsg on_msg) : v_(std::move(v)) {
    thread_ = std::thread([this, on_msg] {
      connect_status_ = v_->connect_block(5000);
      if (!connect_status_.ok()) return;
      for (;;) {
        auto m = v_->recv_block();
        if (!m.ok()) {
          end_error_ = m.error().code();
          return;
        }
        {
          std::lock_guard<std::mutex> lock(mutex_);
          received_.push_back(*m);
        }
        if (on_msg) on_msg(*v_, *m);
      }
    });
  }
  ~Server() { join(); }
  void join() {
    if (thread_.joinable()) thread_.join();
  }
  Vconn& vconn() { return *v_; }
  const Status& connect_status() const { return connect_status_; }
  int end_error() const { return end_error_; }
  std::vector<OfpMsg> received() {
    std::lock_guard<std::mutex> lock(mutex_);
    return received_;
  }

 private:
  std::unique_ptr<Vconn> v_;
  std::thread thread_;
  Status connect_status_;
  std::atomic<int> end_error_{0};
  std::mutex mutex_;
  std::vector<OfpMsg> received_;
};

}  // namespace grebe::vconn::testing
