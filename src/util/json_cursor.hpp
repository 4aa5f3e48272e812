#pragma once
// Strict reading of JSON input (scenarios, handshake answers) that collects
// every problem with the JSON pointer of the field, instead of stopping at the
// first one. A Cursor points at a node (or at a missing one) and knows its path.
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/did_you_mean.hpp"
#include "util/json_limits.hpp"

namespace callhook::util {

struct Problem {
  std::string pointer;      // "/streams/0/calls/count", or "" for the document
  std::string message;      // "expected a positive integer, got \"ten\""
  bool unreadable = false;  // the file itself could not be read: no pointer applies
};

class Problems {
 public:
  // A problem at `pointer`; none when it follows from a misspelt key (add_typo).
  void add(std::string pointer, std::string message);
  // An unknown key at `pointer` that looks like `suggested` (a sibling's
  // pointer): the one problem of that typo. What follows from the key
  // missing (the suggested key "is required", its object incomplete) is not
  // said a second time, whether it was added before or after.
  void add_typo(std::string pointer, std::string suggested, std::string message);
  // The file could not be read at all: "cannot read <source>: <message>".
  void add_unreadable(std::string message) { m_list.push_back({"", std::move(message), true}); }
  bool empty() const { return m_list.empty(); }
  std::size_t size() const { return m_list.size(); }
  const std::vector<Problem>& list() const { return m_list; }
  // One line per problem: "<source>: <pointer>: <message>" (an unreadable
  // file's: "cannot read <source>: <message>").
  std::string format(std::string_view source) const;

 private:
  // Whether a problem at `pointer` follows from a typo already noted.
  bool follows_from_typo(std::string_view pointer) const;

  std::vector<Problem> m_list;
  std::vector<std::pair<std::string, std::string>> m_typos;  // (the object's pointer, the suggested key's pointer)
};

// Short rendering of a value for messages: strings quoted, long values cut.
std::string describe(const Json& value);
// JSON pointer escaping of one reference token.
std::string pointer_token(std::string_view key);

class Cursor {
 public:
  Cursor(const Json* node, std::string pointer, Problems& problems)
      : m_node(node), m_pointer(std::move(pointer)), m_problems(&problems) {}

  bool present() const { return m_node != nullptr && !m_node->is_null(); }
  bool exists() const { return m_node != nullptr; }
  const Json* node() const { return m_node; }
  const std::string& pointer() const { return m_pointer; }
  Problems& problems() const { return *m_problems; }

  Cursor operator[](std::string_view key) const;
  Cursor at(std::size_t index) const;
  std::size_t size() const;  // elements of an array or object; 0 otherwise

  void fail(const std::string& message) const { m_problems->add(m_pointer, message); }
  void fail_expected(std::string_view what) const;

  // Object checks. keys(): reports unknown keys (with did-you-mean);
  // returns false (and reports) when the node is not an object.
  bool is_object() const;
  bool is_array() const;
  bool keys(std::initializer_list<std::string_view> allowed) const;
  bool keys(const std::vector<std::string>& allowed) const;
  void require() const;  // reports "is required" when missing

  // Typed reads: return the value, or nullopt (with a problem) when the type
  // or range is wrong; nullopt without a problem when the field is absent.
  std::optional<std::int64_t> integer(std::int64_t min = INT64_MIN, std::int64_t max = INT64_MAX) const;
  // Any integer from 0 to 2^64 - 1 (seeds).
  std::optional<std::uint64_t> unsigned_integer() const;
  std::optional<double> number(double min = -1e300, double max = 1e300) const;
  // A number strictly greater than zero (rates, speeds).
  std::optional<double> positive_number() const;
  std::optional<std::string> string(bool allow_empty = true) const;
  std::optional<bool> boolean() const;
  std::optional<std::string> one_of(std::initializer_list<std::string_view> choices) const;

  // Same, with a default for an absent field.
  std::int64_t integer_or(std::int64_t fallback, std::int64_t min = INT64_MIN, std::int64_t max = INT64_MAX) const;
  double number_or(double fallback, double min = -1e300, double max = 1e300) const;
  std::string string_or(std::string fallback) const;
  bool boolean_or(bool fallback) const;

 private:
  const Json* m_node;
  std::string m_pointer;
  Problems* m_problems;
};

}  // namespace callhook::util
