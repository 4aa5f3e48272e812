#pragma once
// docs/openapi.yaml, compiled in (see cmake/embed_openapi.cpp.in).
#include <string_view>

namespace callhook::serve {

std::string_view openapi_document();

}  // namespace callhook::serve
