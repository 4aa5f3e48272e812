#pragma once
// Payload field overrides, [EVENT:]POINTER=VALUE, however they are given:
// `--set`/`--add` flags, and the "set"/"add" objects of `POST /runs` and
// `POST /trigger`. One parser and one check for all of them: a set changes
// a field the vendor's payload has (did-you-mean otherwise), an add may
// create one. Messages name where the override was given: the flag, or the
// JSON pointer of the member in a request body.
#include <string>
#include <vector>

#include "run/bad_input.hpp"
#include "util/json_cursor.hpp"
#include "vendors/delivery.hpp"

namespace callhook::engine {
struct RunPlan;
}

namespace callhook::run {

// How a flag's VALUE is read, for every command's --help.
constexpr const char* k_value_typing =
    "VALUE is read as JSON when it is JSON (123, true, null, {\"a\":1}), as text otherwise: --set /n=123 sets\n"
    "the number 123, --set '/n=\"123\"' the string \"123\", --set /s=abc the string abc.";

struct FieldSet {
  // Where it was given: "--set", "--add", or the JSON pointer of the member
  // in a request body ("/set/~1data~1a").
  std::string origin;
  std::string text;   // as given: "[EVENT:]POINTER=VALUE", or the member's key
  std::string event;  // "" = every event
  std::string pointer;
  util::Json value;
  bool add = false;  // the field may be new
};

// A field set that cannot be parsed or names no field: what() is
// "--set [EVENT:]POINTER: PROBLEM" for a flag, "POINTER: PROBLEM" for a body member.
class FieldSetError : public BadInput {
 public:
  FieldSetError(const FieldSet& set, const std::string& problem);
  const std::string& origin() const { return m_origin; }
  const std::string& problem() const { return m_problem; }

 private:
  std::string m_origin, m_problem;
};

// A JSON value's problem on one line: "nested deeper than 128 levels at
// column 129 (at /0/0/...)".
std::string one_line_problem(const util::JsonFailure& failure);

// A --set (add = false) or --add flag's text. VALUE is JSON when it is
// JSON, the text itself otherwise. Throws FieldSetError.
FieldSet parse_field_flag(const std::string& text, bool add);
// Every --set, then every --add.
std::vector<FieldSet> parse_field_flags(const std::vector<std::string>& sets, const std::vector<std::string>& adds);
// A request body's "set" and "add" objects ({"[EVENT:]POINTER": value}),
// when present; problems at their members' pointers.
std::vector<FieldSet> parse_field_members(const util::Cursor& body, util::Problems& problems);
// A FieldSetError as a request problem, at the member's pointer.
void add_problem(util::Problems& problems, const FieldSetError& error);

// Every field of a payload as a pointer: JSON bodies' objects and leaves,
// form and query parameters as "/Name".
std::vector<std::string> payload_pointers(const vendors::Delivery& delivery);

// Checks sets against the events a vendor sends (EVENT must be one of
// `events`) and a sample payload per event (a set's POINTER must exist in
// the payload of every event it applies to whose sample is known). Throws
// FieldSetError with did-you-mean otherwise.
void check_field_sets(const std::vector<FieldSet>& sets, const std::vector<std::string>& events,
                      const std::vector<vendors::Delivery>& samples);

// Checks the sets against every stream's vendor (events, and a sample
// call's payloads) and adds them to the streams' overrides. Throws
// FieldSetError.
void apply_field_sets(engine::RunPlan& plan, const std::vector<FieldSet>& sets);

// Checks the sets against one delivery of a vendor that sends `events`
// (an EVENT other than the delivery's is refused) and applies them.
// Throws FieldSetError.
void apply_field_sets(vendors::Delivery& delivery, const std::vector<std::string>& events,
                      const std::vector<FieldSet>& sets);

}  // namespace callhook::run
