// PVconn: listening OpenFlow endpoints.  See grebe/vconn/vconn.h.
#include "grebe/stream/stream.h"
#include "grebe/vconn/vconn.h"

namespace grebe::vconn {

PVconn::PVconn(std::unique_ptr<stream::PassiveStream> ps, uint32_t allowed_versions)
    : pstream_(std::move(ps)), allowed_versions_(allowed_versions) {}

PVconn::~PVconn() = default;

Result<std::unique_ptr<PVconn>> PVconn::open(std::string_view name, uint32_t allowed_versions,
                                             uint8_t dscp) {
  auto ps = stream::PassiveStream::open_with_default_port(name, stream::kOfpPort, dscp);
  if (!ps.ok()) return ps.take_error();
  return std::unique_ptr<PVconn>(new PVconn(std::move(*ps), allowed_versions));
}

const std::string& PVconn::name() const { return pstream_->name(); }
uint16_t PVconn::bound_port() const { return pstream_->bound_port(); }
int PVconn::fd() const { return pstream_->fd(); }

Result<std::unique_ptr<Vconn>> PVconn::accept() {
  auto s = pstream_->accept();
  if (!s.ok()) return s.take_error();
  return Vconn::from_stream(std::move(*s), allowed_versions_);
}

bool vconn_name_is_valid(std::string_view name) { return stream::Stream::is_valid_name(name); }
bool pvconn_name_is_valid(std::string_view name) {
  return stream::PassiveStream::is_valid_name(name);
}

}  // namespace grebe::vconn
