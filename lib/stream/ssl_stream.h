// ssl: and pssl: class entry points (internal; see stream.cc's registry).
#pragma once

#include <memory>
#include <string_view>

#include "grebe/stream/stream.h"

namespace grebe::stream::detail {

Result<std::unique_ptr<Stream>> ssl_open(std::string_view name, std::string_view suffix,
                                         uint8_t dscp);
Result<std::unique_ptr<PassiveStream>> pssl_open(std::string_view suffix, uint8_t dscp);

}  // namespace grebe::stream::detail
