#include "serve/serve_options.hpp"

namespace callhook::serve {

bool is_loopback(std::string_view host) { return host == "localhost" || host == "::1" || host.substr(0, 4) == "127."; }

}  // namespace callhook::serve
