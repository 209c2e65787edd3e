// unixctl client: one blocking JSON-RPC transaction per command.
#include "grebe/jsonrpc/connection.h"
#include "grebe/stream/stream.h"
#include "grebe/unixctl/unixctl.h"
#include "grebe/util/dirs.h"
#include "grebe/util/vlog.h"
#include "registry.h"

static grebe::vlog::Module& vlog_this_module_ = grebe::unixctl::unixctl_vlog_module();

namespace grebe::unixctl {

using jsonrpc::Json;
using jsonrpc::Message;

struct Client::Impl {
  std::unique_ptr<jsonrpc::Connection> rpc;
};

Client::Client(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Client::~Client() = default;

Result<std::unique_ptr<Client>> Client::connect(std::string_view path) {
  std::string abs = abs_file_name(ovs_rundir(), path);
  auto s = stream::Stream::open_block("unix:" + abs, -1);
  if (!s.ok()) {
    VLOG_WARN("failed to connect to %s", std::string(path).c_str());
    return Error(s.error().code(), "failed to connect to " + std::string(path));
  }
  auto impl = std::make_unique<Impl>();
  impl->rpc = std::make_unique<jsonrpc::Connection>(std::move(*s));
  return std::unique_ptr<Client>(new Client(std::move(impl)));
}

Result<Client::Response> Client::transact(std::string_view command,
                                          const std::vector<std::string>& args,
                                          long long timeout_msec) {
  Json params = Json::array();
  for (const auto& a : args) params.push_back(a);
  auto reply = impl_->rpc->transact_block(Message::request(std::string(command), params),
                                          timeout_msec);
  const std::string& name = impl_->rpc->name();
  if (!reply.ok()) {
    VLOG_WARN("error communicating with %s: %s", name.c_str(), reply.error().to_string().c_str());
    return reply.take_error();
  }
  Response r;
  const Json& body = reply->type == Message::Type::kError ? reply->error : reply->result;
  if (!body.is_string()) {
    VLOG_WARN("%s: unexpected %s type in JSON rpc reply: %s", name.c_str(),
              reply->type == Message::Type::kError ? "error" : "result", body.type_name());
    return Error(EINVAL, "unexpected reply type");
  }
  r.is_error = reply->type == Message::Type::kError;
  r.body = body.get<std::string>();
  return r;
}

}  // namespace grebe::unixctl
