#pragma once
// The vocabulary of the journal's field tables (journal/records.hpp): a
// field is its JSON key, known at compile time, and how it is written and
// read. Writer, strict reader, summary scanner and merge all walk the same
// table, so a record's fields are listed once.
#include <climits>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace callhook::journal {

// A string literal usable as a template argument.
template <std::size_t N>
struct FixedString {
  char text[N]{};
  constexpr FixedString(const char (&literal)[N]) {  // NOLINT: implicit on purpose, for Field<"key">
    for (std::size_t i = 0; i < N; ++i) text[i] = literal[i];
  }
  constexpr std::string_view view() const { return {text, N - 1}; }
};

// When a field is on the line.
enum class Presence : std::uint8_t {
  Always,  // written every time, required when read
  IfTrue,  // a flag written only when true; absent reads as false
  IfSet,   // an integer written only when >= 0; absent reads as -1
  Since,   // written every time, but journals of older versions lack it: absent reads as the default
};

// One field: its key, presence, the least integer a reader accepts, the
// bytes a string is cut to when written (0 = whole), and whether the
// summary scanner skips it without decoding (bulky: headers, bodies, answers).
template <FixedString Key, Presence P = Presence::Always, std::int64_t Min = INT64_MIN, std::size_t Cut = 0,
          bool Bulky = false>
struct Field {
  static constexpr std::string_view name = Key.view();
  static constexpr Presence presence = P;
  static constexpr std::int64_t min = Min;
  static constexpr std::size_t cut = Cut;
  static constexpr bool bulky = Bulky;

  // ,"key":   what the writer appends before the value.
  static constexpr auto json_prefix = [] {
    struct Text {
      char data[sizeof(Key.text) + 3]{};
      std::size_t size = 0;
    } out;
    out.data[out.size++] = ',';
    out.data[out.size++] = '"';
    for (char c : Key.view()) out.data[out.size++] = c;
    out.data[out.size++] = '"';
    out.data[out.size++] = ':';
    return out;
  }();
  static constexpr std::string_view prefix() { return {json_prefix.data, json_prefix.size}; }
};

// Shorthands for the tables.
template <FixedString Key, std::int64_t Min = INT64_MIN>
using Int = Field<Key, Presence::Always, Min>;
template <FixedString Key>
using Bulk = Field<Key, Presence::Always, INT64_MIN, 0, true>;

}  // namespace callhook::journal
