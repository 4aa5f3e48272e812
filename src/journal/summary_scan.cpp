#include "journal/summary_scan.hpp"

#include <charconv>
#include <climits>
#include <cstring>
#include <type_traits>

namespace callhook::journal {
namespace {

class Scanner {
 public:
  explicit Scanner(std::string_view text) : m_text(text) {}

  void space() {
    while (m_at < m_text.size() && (m_text[m_at] == ' ' || m_text[m_at] == '\t')) ++m_at;
  }
  bool take(char c) {
    space();
    if (m_at < m_text.size() && m_text[m_at] == c) {
      ++m_at;
      return true;
    }
    return false;
  }
  char peek() {
    space();
    return m_at < m_text.size() ? m_text[m_at] : '\0';
  }
  bool done() {
    space();
    return m_at == m_text.size();
  }

  // A string into `out` (simple escapes decoded; \u escapes are left to the
  // strict reader).
  bool string(std::string* out) {
    if (!take('"')) return false;
    if (out == nullptr) return skip_string_rest();
    out->clear();
    for (;;) {
      const std::size_t stop = m_text.find_first_of("\"\\", m_at);
      if (stop == std::string_view::npos) return false;
      if (out != nullptr) out->append(m_text.data() + m_at, stop - m_at);
      m_at = stop + 1;
      if (m_text[stop] == '"') return true;
      if (m_at >= m_text.size()) return false;
      const char escaped = m_text[m_at++];
      switch (escaped) {
        case '"':
        case '\\':
        case '/': *out += escaped; break;
        case 'n': *out += '\n'; break;
        case 't': *out += '\t'; break;
        case 'r': *out += '\r'; break;
        case 'b': *out += '\b'; break;
        case 'f': *out += '\f'; break;
        default: return false;
      }
    }
  }

  // After the opening quote: to past the closing one, a quote being closing
  // when an even number of backslashes precede it. memchr keeps long
  // bodies cheap.
  bool skip_string_rest() {
    const char* data = m_text.data();
    std::size_t at = m_at;
    for (;;) {
      const void* found = std::memchr(data + at, '"', m_text.size() - at);
      if (found == nullptr) return false;
      const auto quote = static_cast<std::size_t>(static_cast<const char*>(found) - data);
      std::size_t backslashes = 0;
      while (quote - backslashes > m_at && data[quote - backslashes - 1] == '\\') ++backslashes;
      at = quote + 1;
      if (backslashes % 2 == 0) {
        m_at = at;
        return true;
      }
    }
  }

  bool integer(std::int64_t& out) {
    space();
    const char* begin = m_text.data() + m_at;
    const char* end = m_text.data() + m_text.size();
    const auto [ptr, ec] = std::from_chars(begin, end, out);
    if (ec != std::errc() || (ptr < end && (*ptr == '.' || *ptr == 'e' || *ptr == 'E'))) return false;
    m_at += static_cast<std::size_t>(ptr - begin);
    return true;
  }

  bool boolean(bool& out) {
    space();
    if (m_text.compare(m_at, 4, "true") == 0) {
      out = true;
      m_at += 4;
      return true;
    }
    if (m_text.compare(m_at, 5, "false") == 0) {
      out = false;
      m_at += 5;
      return true;
    }
    return false;
  }

  bool strings(std::vector<std::string>& out) {
    out.clear();
    if (!take('[')) return false;
    if (take(']')) return true;
    do {
      out.emplace_back();
      if (!string(&out.back())) return false;
    } while (take(','));
    return take(']');
  }

  // Any value, not kept: arrays and objects by bracket depth, strings skipped whole.
  bool skip() {
    const char c = peek();
    if (c == '"') return string(nullptr);
    if (c == '[' || c == '{') {
      int depth = 0;
      while (m_at < m_text.size()) {
        const char d = m_text[m_at];
        if (d == '"') {
          if (!string(nullptr)) return false;
          continue;
        }
        ++m_at;
        if (d == '[' || d == '{') ++depth;
        if ((d == ']' || d == '}') && --depth == 0) return true;
      }
      return false;
    }
    // A number, true, false or null.
    const std::size_t start = m_at;
    while (m_at < m_text.size() && std::strchr(",}] \t", m_text[m_at]) == nullptr) ++m_at;
    return m_at > start;
  }

 private:
  std::string_view m_text;
  std::size_t m_at = 0;
};

// Scans one value into a record's field, as its table says; a type the
// strict reader would reject (or a shape this scanner does not decode)
// makes the whole line go to the strict reader.
struct ScanField {
  Scanner& s;
  std::string_view key;
  std::uint32_t& seen;
  bool& ok;
  bool& matched;
  std::uint32_t index = 0;

  template <class Key, class Value>
  void operator()(Key, Value& value) {
    const std::uint32_t bit = std::uint32_t{1} << index++;
    if (matched || key != Key::name) return;
    matched = true;
    seen |= bit;
    ok = scan(Key{}, value);
  }

  template <class Key, class Value>
  bool scan(Key, Value& value) {
    if constexpr (Key::bulky) {
      // Skipped whole, checked for its type only.
      return s.peek() == (std::is_same_v<Value, util::Headers> ? '[' : '"') && s.skip();
    } else if constexpr (std::is_same_v<Value, bool>) {
      return s.boolean(value);
    } else if constexpr (std::is_integral_v<Value>) {
      std::int64_t v = 0;
      if (!s.integer(v) || v < Key::min) return false;
      if constexpr (std::is_same_v<Value, int>)
        value = static_cast<int>(std::min<std::int64_t>(v, INT_MAX));
      else
        value = static_cast<Value>(v);
      return true;
    } else if constexpr (std::is_same_v<Value, std::vector<std::string>>) {
      return s.strings(value);
    } else {
      return s.string(&value);
    }
  }
};

// The fields a line of this kind must have (Presence::Always), as bits in table order.
template <class Record>
std::uint32_t required_fields() {
  std::uint32_t bits = 0, index = 0;
  Record record;
  for_each_field(
      [&](auto key, auto&) {
        if (decltype(key)::presence == Presence::Always) bits |= std::uint32_t{1} << index;
        ++index;
      },
      record);
  return bits;
}

template <class Record>
std::optional<Entry> scan_record(Scanner& s) {
  static const std::uint32_t k_required = required_fields<Record>();
  Record record;
  std::uint32_t seen = 0;
  std::string key;
  while (s.take(',')) {
    if (!s.string(&key) || !s.take(':')) return std::nullopt;
    bool ok = true, matched = false;
    for_each_field(ScanField{s, key, seen, ok, matched}, record);
    if (!matched) ok = s.skip();  // keys a later version adds
    if (!ok) return std::nullopt;
  }
  if (!s.take('}') || !s.done() || (seen & k_required) != k_required) return std::nullopt;
  return Entry{std::move(record)};
}

}  // namespace

std::optional<Entry> scan_summary(std::string_view line) {
  Scanner s(line);
  if (!s.take('{')) return std::nullopt;
  std::string key, kind;
  // "kind" comes first in every record JournalWriter writes.
  if (!s.string(&key) || key != "kind" || !s.take(':') || !s.string(&kind)) return std::nullopt;
  if (kind == AttemptEntry::kind) return scan_record<AttemptEntry>(s);
  if (kind == FinalEntry::kind) return scan_record<FinalEntry>(s);
  if (kind == FindingEntry::kind) return scan_record<FindingEntry>(s);
  if (kind == ProbeEntry::kind) return scan_record<ProbeEntry>(s);
  if (kind == EndEntry::kind) return scan_record<EndEntry>(s);
  return std::nullopt;
}

}  // namespace callhook::journal
