// The browser's pages (cli/serve/assets/*), compiled into eclat (see
// cmake/embed_assets.cmake): `eclat serve` needs no files beside the binary.
#pragma once
#include <string_view>

namespace eclat::serve {

struct Asset {
  std::string_view name, content_type, body;
};

// By file name ("app.js"); nullptr when there is none.
const Asset* find_asset(std::string_view name);

}  // namespace eclat::serve
