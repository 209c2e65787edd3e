// libFuzzer target: the JSON-RPC framer and message validation, the code
// that sees every byte a peer sends to ovsdb-server, ovs-vswitchd's unixctl
// socket and every JSON-RPC client.
//
// The first input byte chooses a chunk size, so framing is also exercised
// across read boundaries; the values framed from the chunked input must be
// exactly those framed from the whole input at once.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "grebe/jsonrpc/framer.h"
#include "grebe/jsonrpc/message.h"

namespace {

struct Outcome {
  std::vector<grebe::jsonrpc::Json> values;
  bool failed = false;
};

Outcome frame(std::string_view input, size_t chunk) {
  grebe::jsonrpc::Framer framer(1 << 20);
  Outcome out;
  for (size_t off = 0; off < input.size() && !out.failed; off += chunk) {
    if (!framer.feed(input.substr(off, chunk)).ok()) out.failed = true;
    grebe::jsonrpc::Json value;
    while (framer.take(&value)) out.values.push_back(std::move(value));
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  size_t chunk = data[0] % 16 + 1;
  std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);

  Outcome whole = frame(input, input.size() ? input.size() : 1);
  Outcome pieces = frame(input, chunk);
  // Values framed before an error must not depend on how the bytes arrived.
  if (!whole.failed && !pieces.failed && whole.values != pieces.values) abort();

  for (auto& value : whole.values) {
    auto msg = grebe::jsonrpc::Message::from_json(value);
    if (msg.ok()) {
      // A valid message survives a round trip through its wire form.
      auto again = grebe::jsonrpc::Message::from_json(msg->to_json());
      if (!again.ok()) abort();
      (void)msg->to_string();
    }
  }
  return 0;
}
