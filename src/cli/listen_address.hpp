#pragma once
// A listening address given on the command line (--listen, --recordings-listen).
#include <string>

namespace callhook::cli {

struct ListenAddress {
  std::string host = "127.0.0.1";
  int port = 8080;
};

// "HOST:PORT", "[IPV6]:PORT", ":PORT" or "PORT"; UsageError naming `flag`
// otherwise.
ListenAddress parse_listen(const std::string& text, const std::string& flag = "--listen");

}  // namespace callhook::cli
