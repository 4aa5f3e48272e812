#pragma once
// Helpers for comparing generated payloads with the vendor documents: reading
// a document, pulling its JSON examples out, and comparing two JSON values
// field by field (same names, same order, same types).
#include <cctype>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "population/call.hpp"
#include "support/vendor_session.hpp"

namespace golden {

using OJson = nlohmann::ordered_json;

inline std::string read_doc(const std::string& name) {
  std::ifstream in(std::string(CALLHOOK_VENDOR_DOCS) + "/" + name, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Every JSON example of a document: a block that opens with a line holding
// only "{" and ends where its braces balance. `//` comments are allowed.
inline std::vector<OJson> json_examples(const std::string& text) {
  std::vector<OJson> out;
  std::istringstream lines(text);
  std::string line, block;
  int depth = 0;
  bool in_block = false;
  while (std::getline(lines, line)) {
    std::string trimmed = line;
    while (!trimmed.empty() && std::isspace(static_cast<unsigned char>(trimmed.back()))) trimmed.pop_back();
    if (!in_block && trimmed == "{") in_block = true;
    if (!in_block) continue;
    block += line + "\n";
    bool in_string = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
      const char c = line[i];
      if (in_string) {
        if (c == '\\')
          ++i;
        else if (c == '"')
          in_string = false;
      } else if (c == '"') {
        in_string = true;
      } else if (c == '{') {
        ++depth;
      } else if (c == '}') {
        --depth;
      }
    }
    if (depth == 0) {
      OJson parsed = OJson::parse(block, nullptr, false, true);
      if (!parsed.is_discarded()) out.push_back(parsed);
      block.clear();
      in_block = false;
    }
  }
  return out;
}

inline std::string type_of(const OJson& v) {
  if (v.is_null()) return "null";
  if (v.is_boolean()) return "boolean";
  if (v.is_number_integer()) return "integer";
  if (v.is_number()) return "number";
  if (v.is_string()) return "string";
  if (v.is_array()) return "array";
  return "object";
}

// Differences between a documented example and a generated payload: keys
// missing or extra (recursively), key order, and JSON types. Arrays compare
// each generated element with the document's first element. Paths listed in
// `loose` are only checked for presence (e.g. a map whose keys vary).
inline void compare(const OJson& doc, const OJson& gen, const std::string& path, std::vector<std::string>& diffs,
                    const std::vector<std::string>& loose = {}) {
  for (const auto& l : loose)
    if (l == path) return;
  if (type_of(doc) != type_of(gen)) {
    diffs.push_back(path + ": document has " + type_of(doc) + ", generated " + type_of(gen));
    return;
  }
  if (doc.is_object()) {
    std::vector<std::string> doc_keys, gen_keys;
    for (const auto& item : doc.items()) doc_keys.push_back(item.key());
    for (const auto& item : gen.items()) gen_keys.push_back(item.key());
    for (const auto& k : doc_keys)
      if (!gen.contains(k)) diffs.push_back(path + "/" + k + ": missing");
    for (const auto& k : gen_keys)
      if (!doc.contains(k)) diffs.push_back(path + "/" + k + ": not in the document");
    if (diffs.empty() && doc_keys != gen_keys) diffs.push_back(path + ": keys in a different order");
    for (const auto& k : doc_keys)
      if (gen.contains(k)) compare(doc[k], gen[k], path + "/" + k, diffs, loose);
  } else if (doc.is_array() && !doc.empty()) {
    for (std::size_t i = 0; i < gen.size(); ++i) compare(doc[0], gen[i], path + "/" + std::to_string(i), diffs, loose);
  }
}

inline std::vector<std::string> differences(const OJson& doc, const OJson& gen,
                                            const std::vector<std::string>& loose = {}) {
  std::vector<std::string> diffs;
  compare(doc, gen, "", diffs, loose);
  return diffs;
}

// The digits of a value replaced by '9': "2024-07-15T14:30:00Z" and
// "2025-01-02T03:04:05Z" have the same shape.
inline std::string digit_shape(const std::string& text) {
  std::string out = text;
  for (auto& c : out)
    if (c >= '0' && c <= '9') c = '9';
  return out;
}

inline bool matches(const std::string& text, const std::string& pattern) {
  return std::regex_match(text, std::regex(pattern));
}

// "+" and seven to fifteen digits.
inline constexpr const char* k_e164 = R"(\+[1-9][0-9]{6,14})";

// The unit tests' call, spread over ids and start times by the seed.
inline callhook::population::Call sample_call(std::uint64_t seed, std::int64_t duration_ms = 95300) {
  callhook::population::Call call = vtest::make_call(seed, duration_ms);
  call.index = seed % 1000;
  call.start_ms = 1752666057000 + static_cast<std::int64_t>(seed % 97) * 1000;
  return call;
}

}  // namespace golden
