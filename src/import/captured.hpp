#pragma once
// One request as a capture recorded it, whatever the file's format: what
// `callhook import` turns into a raw script step.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "util/header.hpp"

namespace callhook::import {

// Input that cannot be imported: "hooks.har: /log/entries/3/request/url: expected a string".
struct ImportError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Captured {
  std::int64_t time_ms = 0;  // unix ms the request was sent or received
  std::string method = "POST";
  std::string path;  // path and query ("/hooks?x=1"), "" when the capture has none
  util::Headers headers;
  std::string body;
  std::string call;   // the call it belongs to when the capture says (a journal's call), else ""
  std::string event;  // the event when the capture says, else ""
  std::string where;  // "FILE:LINE" or "FILE: /log/entries/3", for messages
};

// Captures in the order they were made: by time, ties in file order.
void sort_by_time(std::vector<Captured>& captured);

}  // namespace callhook::import
