#include "journal/reader.hpp"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <filesystem>
#include <type_traits>

#include "journal/summary_scan.hpp"
#include "util/json_cursor.hpp"
#include "util/json_limits.hpp"

namespace callhook::journal {

namespace {

// The fields of one record, read strictly: every field is required and
// every problem is kept with its JSON pointer.
class Fields {
 public:
  Fields(const util::Json& doc, util::Problems& problems) : m_root(&doc, "", problems) {}

  std::string text(std::string_view key) const { return required(key).string().value_or(""); }
  // A key that older journals lack: "" when absent.
  std::string optional_text(std::string_view key) const { return m_root[key].string().value_or(""); }
  std::int64_t integer(std::string_view key, std::int64_t min = INT64_MIN, std::int64_t max = INT64_MAX) const {
    return required(key).integer(min, max).value_or(0);
  }
  // Counts that fit an int (larger values saturate rather than wrap).
  int small(std::string_view key, int min) const {
    return static_cast<int>(std::min<std::int64_t>(integer(key, min), INT_MAX));
  }
  double number(std::string_view key) const { return required(key).number(0).value_or(0); }
  bool boolean(std::string_view key) const { return required(key).boolean().value_or(false); }
  bool has(std::string_view key) const { return m_root[key].exists(); }
  // A flag written only when true.
  bool flag(std::string_view key) const { return m_root[key].boolean().value_or(false); }
  // An object of names to numbers written only sometimes (by name).
  std::vector<std::pair<std::string, double>> optional_numbers(std::string_view key) const {
    std::vector<std::pair<std::string, double>> out;
    const util::Cursor object = m_root[key];
    if (!object.exists() || !object.is_object()) return out;
    for (const auto& [name, value] : object.node()->items())
      if (const auto number = object[name].number(-1e300)) out.emplace_back(name, *number);
    return out;
  }
  // A key written only sometimes.
  std::int64_t optional_integer(std::string_view key, std::int64_t absent, std::int64_t min) const {
    const util::Cursor c = m_root[key];
    return c.exists() ? c.integer(min).value_or(absent) : absent;
  }

  std::uint64_t unsigned_integer(std::string_view key) const {
    const util::Cursor c = required(key);
    if (c.node() != nullptr && c.node()->is_number_unsigned()) return c.node()->get<std::uint64_t>();
    return static_cast<std::uint64_t>(c.integer(0).value_or(0));
  }

  std::vector<std::string> texts(std::string_view key) const {
    std::vector<std::string> out;
    const util::Cursor list = required(key);
    if (!list.is_array()) return out;
    for (std::size_t i = 0; i < list.size(); ++i) out.push_back(list.at(i).string().value_or(""));
    return out;
  }

  util::Headers headers(std::string_view key) const {
    util::Headers out;
    const util::Cursor list = required(key);
    if (!list.is_array()) return out;
    for (std::size_t i = 0; i < list.size(); ++i) {
      const util::Cursor pair = list.at(i);
      if (!pair.is_array()) continue;
      if (pair.size() != 2) {
        pair.fail("expected [name, value]");
        continue;
      }
      out.push_back({pair.at(0).string().value_or(""), pair.at(1).string().value_or("")});
    }
    return out;
  }

 private:
  util::Cursor required(std::string_view key) const {
    util::Cursor c = m_root[key];
    c.require();
    return c;
  }

  util::Cursor m_root;
};

RunEntry read_run(const Fields& f) {
  RunEntry e;
  e.scenario = f.text("scenario");
  e.seed = f.unsigned_integer("seed");
  e.speed = f.number("speed");
  e.epoch_ms = f.integer("epoch_ms");
  e.wall_started_at = f.text("wall_started_at");
  e.shard = f.optional_text("shard");
  e.ordering = f.optional_text("ordering");
  e.expect = f.optional_numbers("expect");
  return e;
}

// Reads one field of a record, as its table says (journal/fields.hpp).
struct Read {
  const Fields& f;

  template <class Key, class Value>
  void operator()(Key, Value& value) const {
    constexpr std::string_view key = Key::name;
    if constexpr (Key::presence == Presence::Since) {
      if (!f.has(key)) return;
    }
    if constexpr (std::is_same_v<Value, bool>) {
      value = Key::presence == Presence::IfTrue ? f.flag(key) : f.boolean(key);
    } else if constexpr (Key::presence == Presence::IfSet) {
      value = f.optional_integer(key, -1, Key::min);
    } else if constexpr (std::is_same_v<Value, int>) {
      value = f.small(key, static_cast<int>(std::max<std::int64_t>(Key::min, INT_MIN)));
    } else if constexpr (std::is_same_v<Value, std::size_t>) {
      value = static_cast<std::size_t>(f.integer(key, std::max<std::int64_t>(Key::min, 0)));
    } else if constexpr (std::is_integral_v<Value>) {
      value = f.integer(key, Key::min);
    } else if constexpr (std::is_same_v<Value, std::vector<std::string>>) {
      value = f.texts(key);
    } else if constexpr (std::is_same_v<Value, util::Headers>) {
      value = f.headers(key);
    } else {
      value = f.text(key);
    }
  }
};

template <class Record>
Record read_record(const Fields& f) {
  Record record;
  for_each_field(Read{f}, record);
  return record;
}

}  // namespace

JournalReader::JournalReader(const std::string& path) : m_path(path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) throw JournalError(path + ": is a directory, not a journal");
  m_buffer.resize(std::size_t{1} << 20);
  m_in.rdbuf()->pubsetbuf(m_buffer.data(), static_cast<std::streamsize>(m_buffer.size()));
  m_in.open(path, std::ios::binary);
  if (!m_in) throw JournalError(path + ": cannot open: " + std::strerror(errno));
  std::string text;
  if (!read_line(text)) throw JournalError(path + ": empty journal (expected a run record first)");
  const util::Json doc = parse_line(text);
  util::Problems problems;
  const std::string kind = kind_of(doc, problems);
  if (kind != "run") fail("expected a run record first, got \"" + kind + "\"");
  m_run = read_run(Fields(doc, problems));
  check(problems);
}

std::optional<Entry> JournalReader::next() {
  std::string text;
  if (!read_line(text)) return std::nullopt;
  if (cut_here(text)) return std::nullopt;
  return parse_entry(text);
}

// A last line without its newline that is not JSON was cut by a kill.
bool JournalReader::cut_here(const std::string& text) {
  if (m_last_line_whole || util::Json::accept(text)) return false;
  m_cut = true;
  return true;
}

std::optional<Entry> JournalReader::next_summary() {
  std::string text;
  if (!read_line(text)) return std::nullopt;
  if (cut_here(text)) return std::nullopt;
  std::optional<Entry> summary = m_ended ? std::nullopt : scan_summary(text);
  if (summary) {
    if (std::holds_alternative<EndEntry>(*summary)) m_ended = true;
    return summary;
  }
  return parse_entry(text);
}

Entry JournalReader::read_at(std::uint64_t offset) {
  m_in.clear();
  m_in.seekg(static_cast<std::streamoff>(offset));
  m_position = offset;
  m_ended = false;
  std::string text;
  if (!read_line(text)) fail("no record at byte " + std::to_string(offset));
  return parse_entry(text);
}

bool JournalReader::at_end() {
  for (;;) {
    const int c = m_in.peek();
    if (c == std::char_traits<char>::eof()) return true;
    if (c != '\n' && c != '\r' && c != ' ') return false;
    m_in.get();
    ++m_position;
  }
}

Entry JournalReader::parse_entry(const std::string& text) {
  const util::Json doc = parse_line(text);
  if (m_ended) fail("a record after the end record");
  util::Problems problems;
  const std::string kind = kind_of(doc, problems);
  if (kind == "run") fail("a second run record");

  const Fields fields(doc, problems);
  std::optional<Entry> entry;
  if (kind == AttemptEntry::kind)
    entry = read_record<AttemptEntry>(fields);
  else if (kind == FinalEntry::kind)
    entry = read_record<FinalEntry>(fields);
  else if (kind == FindingEntry::kind)
    entry = read_record<FindingEntry>(fields);
  else if (kind == ProbeEntry::kind)
    entry = read_record<ProbeEntry>(fields);
  else
    entry = read_record<EndEntry>(fields);
  check(problems);
  if (kind == "end") m_ended = true;
  return std::move(*entry);
}

util::Json JournalReader::parse_line(const std::string& text) const {
  auto [doc, failure] = util::parse_json(text, util::k_journal_line_json);
  if (failure) fail((failure->pointer.empty() ? "" : failure->pointer + ": ") + failure->message(/*one_line=*/true));
  if (!doc.is_object()) fail("expected a JSON object, got " + util::describe(doc));
  return doc;
}

std::string JournalReader::kind_of(const util::Json& doc, util::Problems& problems) const {
  const auto it = doc.find("kind");
  const util::Cursor kind(it == doc.end() ? nullptr : &*it, "/kind", problems);
  kind.require();
  const auto name = kind.one_of({"run", "attempt", "final", "finding", "probe", "end"});
  check(problems);
  return *name;
}

void JournalReader::check(const util::Problems& problems) const {
  if (problems.empty()) return;
  const util::Problem& first = problems.list().front();
  fail(first.pointer + ": " + first.message);
}

bool JournalReader::read_line(std::string& text) {
  for (;;) {
    m_line_start = m_position;
    if (!std::getline(m_in, text)) break;
    m_position += text.size() + (m_in.eof() ? 0 : 1);
    ++m_line;
    m_last_line_whole = !m_in.eof();
    if (!text.empty() && text.back() == '\r') text.pop_back();
    if (!text.empty()) return true;
  }
  if (m_in.bad()) throw JournalError(m_path + ": cannot read");
  return false;
}

void JournalReader::fail(const std::string& message) const {
  throw JournalError(m_path + ":" + std::to_string(m_line) + ": " + message);
}

}  // namespace callhook::journal
