#include "journal/journal.hpp"

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <type_traits>

#include "util/json_writer.hpp"
#include "util/time_format.hpp"

namespace callhook::journal {

namespace {

// The buffer is written out when it grows past this; one fwrite per ~1 MiB
// keeps the journal far below the cost of the requests it records.
constexpr std::size_t k_flush_bytes = std::size_t{1} << 20;

template <class Int>
void put_int(std::string& out, Int value) {
  char digits[24];
  const auto result = std::to_chars(digits, digits + sizeof digits, value);
  out.append(digits, result.ptr);
}

void put_double(std::string& out, double value) {
  if (!std::isfinite(value)) {
    out += "null";
    return;
  }
  char digits[32];
  const auto result = std::to_chars(digits, digits + sizeof digits, value);
  out.append(digits, result.ptr);
}

void put_bool(std::string& out, bool value) { out += value ? "true" : "false"; }

void put_str(std::string& out, std::string_view text) { util::append_json_string(out, text); }

void put_strings(std::string& out, const std::vector<std::string>& list) {
  out += '[';
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (i > 0) out += ',';
    put_str(out, list[i]);
  }
  out += ']';
}

void put_headers(std::string& out, const util::Headers& headers) {
  out += '[';
  for (std::size_t i = 0; i < headers.size(); ++i) {
    out += i > 0 ? ",[" : "[";
    put_str(out, headers[i].name);
    out += ',';
    put_str(out, headers[i].value);
    out += ']';
  }
  out += ']';
}

// At most `limit` bytes, never ending inside a UTF-8 sequence.
std::string_view excerpt(std::string_view text, std::size_t limit) {
  if (text.size() <= limit) return text;
  std::size_t n = limit;
  while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n;
  return text.substr(0, n);
}

// Appends one field of a record, as its table says (journal/fields.hpp).
struct Put {
  std::string& out;

  template <class Key, class Value>
  void operator()(Key, const Value& value) const {
    using T = std::remove_cvref_t<Value>;
    if constexpr (Key::presence == Presence::IfTrue) {
      if (!value) return;
    } else if constexpr (Key::presence == Presence::IfSet) {
      if (value < 0) return;
    }
    out.append(Key::prefix());
    if constexpr (std::is_same_v<T, bool>)
      put_bool(out, value);
    else if constexpr (std::is_integral_v<T>)
      put_int(out, value);
    else if constexpr (std::is_same_v<T, std::vector<std::string>>)
      put_strings(out, value);
    else if constexpr (std::is_same_v<T, util::Headers>)
      put_headers(out, value);
    else if constexpr (Key::cut > 0)
      put_str(out, excerpt(value, Key::cut));
    else
      put_str(out, value);
  }
};

std::runtime_error io_error(const std::string& path, const char* what, int error) {
  return std::runtime_error(path + ": " + what + ": " + std::strerror(error));
}

}  // namespace

JournalWriter::JournalWriter(const std::string& path) : m_path(path) {
  if (path == "-") {
    m_file = stdout;
    m_owns_file = false;
  } else {
    m_file = std::fopen(path.c_str(), "wb");
    if (m_file == nullptr) throw io_error(path, "cannot open for writing", errno);
    // No stdio buffer: each write_buffer() goes to the file whole, and the
    // buffer only ever holds whole lines, so the file never ends mid-line
    // (unless the disk fills).
    std::setvbuf(m_file, nullptr, _IONBF, 0);
  }
  m_buffer.reserve(k_flush_bytes + (k_flush_bytes >> 2));
}

JournalWriter::~JournalWriter() {
  try {
    write_buffer();
  } catch (const std::exception&) {
    // A destructor cannot report; flush() is where write errors surface.
  }
  if (m_owns_file)
    std::fclose(m_file);
  else
    std::fflush(m_file);
}

void JournalWriter::run_header(std::string_view scenario, std::uint64_t seed, double speed, std::int64_t epoch_ms) {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  run_header(scenario, seed, speed, epoch_ms,
             util::iso8601_ms(std::chrono::duration_cast<std::chrono::milliseconds>(now).count()));
}

void JournalWriter::run_header(std::string_view scenario, std::uint64_t seed, double speed, std::int64_t epoch_ms,
                               std::string_view wall_started_at) {
  const std::lock_guard lock(m_mutex);
  std::string& out = m_buffer;
  out += "{\"kind\":\"run\",\"scenario\":";
  put_str(out, scenario);
  out += ",\"seed\":";
  put_int(out, seed);
  out += ",\"speed\":";
  put_double(out, speed);
  out += ",\"epoch_ms\":";
  put_int(out, epoch_ms);
  out += ",\"wall_started_at\":";
  put_str(out, wall_started_at);
  if (!m_shard.empty()) {
    out += ",\"shard\":";
    put_str(out, m_shard);
  }
  if (!m_ordering.empty()) {
    out += ",\"ordering\":";
    put_str(out, m_ordering);
  }
  if (!m_expect.empty()) {
    out += ",\"expect\":{";
    for (std::size_t i = 0; i < m_expect.size(); ++i) {
      if (i > 0) out += ',';
      put_str(out, m_expect[i].first);
      out += ':';
      put_double(out, m_expect[i].second);
    }
    out += '}';
  }
  line_done();
}

void JournalWriter::set_run_facts(std::string ordering, std::vector<std::pair<std::string, double>> expect) {
  m_ordering = std::move(ordering);
  m_expect = std::move(expect);
}

void JournalWriter::set_shard(std::uint64_t index, std::uint64_t count) {
  m_shard = std::to_string(index) + "/" + std::to_string(count);
}

template <class Record>
void JournalWriter::write(const Record& record) {
  const std::lock_guard lock(m_mutex);
  m_buffer += "{\"kind\":\"";
  m_buffer += Record::kind;
  m_buffer += '"';
  for_each_field(Put{m_buffer}, record);
  line_done();
}

void JournalWriter::attempt(const AttemptRecord& record) { write(record); }

void JournalWriter::final_record(const FinalRecord& record) { write(record); }

void JournalWriter::finding(std::string_view call, std::string_view event, std::string_view message) {
  FindingEntry record;
  record.call = call;
  record.event = event;
  record.message = message;
  write(record);
}

void JournalWriter::probe(const ProbeRecord& record) { write(record); }

void JournalWriter::end(const EndRecord& record) { write(record); }

void JournalWriter::flush() {
  const std::lock_guard lock(m_mutex);
  write_buffer();
  if (std::fflush(m_file) != 0) throw io_error(m_path, "cannot write", errno);
}

void JournalWriter::line_done() {
  m_buffer += "}\n";
  if (m_buffer.size() >= k_flush_bytes) write_buffer();
}

void JournalWriter::write_buffer() {
  if (m_buffer.empty()) return;
  const std::size_t size = m_buffer.size();
  const std::size_t written = std::fwrite(m_buffer.data(), 1, size, m_file);
  const int error = errno;
  m_buffer.clear();
  if (written != size) throw io_error(m_path, "cannot write", error);
}

}  // namespace callhook::journal
