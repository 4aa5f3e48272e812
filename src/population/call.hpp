#pragma once
// One synthetic call or bot session, vendor-neutral. Vendors derive their own
// ids and formats from `seed`, so the same call always looks the same.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace callhook::population {

struct Turn {
  std::string speaker;  // "assistant" or "user"
  std::string text;
  std::int64_t start_ms = 0;  // offset from the call's start
  std::int64_t end_ms = 0;
};

struct Call {
  std::size_t stream = 0;
  std::uint64_t index = 0;  // position in its stream's population
  std::string alias;        // script alias, "" for generated calls
  std::uint64_t seed = 0;
  std::int64_t start_ms = 0;  // virtual unix ms
  std::int64_t duration_ms = 0;
  std::string direction = "inbound";  // or "outbound"
  std::string platform;               // vendor-specific, "" = vendor default
  std::string user_number;            // the person (E.164)
  std::string agent_number;           // the bot / business line (E.164)
  std::string country = "1";
  std::vector<Turn> turns;
  bool wants_agent = false;
  // The caller hangs up and calls back this long after the end, while the
  // session is still live (-1: never), for a call this long.
  std::int64_t return_after_ms = -1;
  std::int64_t return_duration_ms = 0;
  std::map<std::string, std::string> custom_parameters;

  std::int64_t end_ms() const { return start_ms + duration_ms; }
};

}  // namespace callhook::population
