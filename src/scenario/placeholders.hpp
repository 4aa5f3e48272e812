#pragma once
// {call.*} placeholders: the facts of one call that a probe's URL, headers,
// body and expected values may name. The names are the same for every
// vendor where the fact exists; the count of accepted deliveries is
// call.delivered.EVENT and vendor-only facts are call.vendor.NAME.
// {call_id} is the first spelling of {call.id} and stays as its alias.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace callhook::scenario {

// One "{name}" in a text: a letter or '_' first, then letters, digits, '_',
// '.' or '-'. Other braces (a JSON body's) are text.
struct PlaceholderAt {
  std::size_t at = 0;    // offset of the '{'
  std::size_t size = 0;  // through the '}'
  std::string name;      // as written
};

// The placeholders of `text`, in order.
std::vector<PlaceholderAt> find_placeholders(std::string_view text);

// "call.id" for the alias "call_id"; any other name as it is.
std::string canonical_placeholder(std::string_view name);

// The names of facts every call has (the alias first, for did-you-mean).
const std::vector<std::string>& common_placeholders();

// Every name a probe may use for a vendor with these events and vendor facts.
std::vector<std::string> placeholder_names(const std::vector<std::string>& events,
                                           const std::vector<std::string>& vendor_facts);

}  // namespace callhook::scenario
