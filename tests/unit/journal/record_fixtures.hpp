#pragma once
// Records with every field set, shared by the journal's and the report's
// round-trip tests.
#include <variant>

#include "journal/reader.hpp"

namespace callhook::journal::testing {

// A probe with every field set to a distinct non-default value.
inline ProbeEntry full_probe() {
  ProbeEntry p;
  p.call_id = "c61";
  p.url = "http://u62/";
  p.passed = true;
  p.message = "m64";
  p.method = "POST";
  p.status = 566;
  p.error = "connect";
  p.answer = "a68";
  p.pointer = "/p69";
  p.expected = "x70";
  p.got = "g71";
  p.polls = 72;
  p.wall_offset_us = 73;
  p.wall_latency_us = 74;
  return p;
}

// The entry without its bulky fields, as the summary scanner gives it.
inline Entry without_bulky(Entry entry) {
  std::visit(
      [](auto& record) {
        for_each_field(
            [](auto key, auto& value) {
              if constexpr (decltype(key)::bulky) value = {};
            },
            record);
      },
      entry);
  return entry;
}

}  // namespace callhook::journal::testing
