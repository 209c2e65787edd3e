// vlog modules shared by several files of lib/stream.  vlog keeps one
// Module per name, so files that log as the same OVS module ("stream",
// "stream_ssl") share one object instead of each defining their own.
#pragma once

#include "grebe/util/vlog.h"

namespace grebe::stream::detail {

extern ::grebe::vlog::Module stream_module;      // defined in stream.cc
extern ::grebe::vlog::Module stream_ssl_module;  // defined in ssl_context.cc

}  // namespace grebe::stream::detail

// Use instead of VLOG_DEFINE_THIS_MODULE in files logging as a shared module.
#define STREAM_USE_LOG_MODULE(OBJ) \
  static ::grebe::vlog::Module& vlog_this_module_ = ::grebe::stream::detail::OBJ
