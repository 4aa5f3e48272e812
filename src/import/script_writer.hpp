#pragma once
// Captured requests as a scenario whose `script` replays them: one raw step
// each, in order, at its time after the first, with the headers worth
// keeping and the call and event the vendor profile recognises.
#include <cstddef>
#include <string>
#include <vector>

#include "import/captured.hpp"
#include "import/redact.hpp"
#include "util/json_limits.hpp"
#include "vendors/vendor.hpp"

namespace callhook::import {

struct WriterOptions {
  std::string name;                    // the scenario's name
  std::string target;                  // the stream's target: steps' paths go after it
  const Redactor* redactor = nullptr;  // set for --redact
};

// What the writer saw, for the command's summary line.
struct WriteSummary {
  std::size_t steps = 0;
  std::size_t calls = 0;
  std::size_t unrecognised = 0;  // steps whose event the vendor does not have
};

// Whether a captured header is carried into the script: not the ones the
// sender's connection or a proxy wrote (hop-by-hop, Host, Content-Length,
// X-Forwarded-*, Via, Forwarded, X-Real-Ip, HTTP/2 pseudo-headers,
// Accept-Encoding), nor secrets (signatures, which the run makes again with
// the scenario's secret; Authorization, Cookie).
bool keep_header(std::string_view name);

// The scenario document; `captured` in the order to replay.
util::OrderedJson write_scenario(const std::vector<Captured>& captured, const vendors::VendorInfo& vendor,
                                 const WriterOptions& options, WriteSummary& summary);

}  // namespace callhook::import
