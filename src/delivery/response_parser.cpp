#include "delivery/response_parser.hpp"

#include <algorithm>
#include <cstring>
#include <string_view>

#include "util/text.hpp"

namespace callhook::delivery {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

// Calls `each` with every non-empty element of a comma-separated list,
// without surrounding whitespace or parameters (";q=1").
template <typename Each>
void for_each_token(std::string_view list, Each&& each) {
  while (!list.empty()) {
    const std::size_t comma = list.find(',');
    std::string_view token = list.substr(0, comma);
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    token = trim(token.substr(0, token.find(';')));
    if (!token.empty()) each(token);
  }
}

// Whether the start of a status line seen so far can still become "HTTP/1.x"
// (a lone CR is the start of a tolerated blank line).
bool may_be_status_line(std::string_view text) {
  if (!text.empty() && text.front() == '\r') return text.size() == 1;
  constexpr std::string_view k_prefix = "HTTP/1.";
  const std::size_t n = std::min(text.size(), k_prefix.size());
  return text.substr(0, n) == k_prefix.substr(0, n);
}

}  // namespace

void ResponseParser::reset() {
  m_state = State::StatusLine;
  m_started = false;
  m_keep_alive = true;
  m_http10 = false;
  m_chunked = false;
  m_transfer_encoding = false;
  m_cut_short = false;
  m_has_length = false;
  m_connection_close = false;
  m_connection_keep_alive = false;
  m_status = 0;
  m_remaining = 0;
  m_header_bytes = 0;
  m_interim = 0;
  m_held = Held::None;
  m_held_value.clear();
  m_line.clear();
  m_retry_after.clear();
  m_body.clear();
  m_error.clear();
}

std::size_t ResponseParser::feed(const char* data, std::size_t size) {
  std::size_t pos = 0;
  if (size > 0) m_started = true;
  while (pos < size && m_state != State::Done && m_state != State::Failed) {
    switch (m_state) {
      case State::Body:
      case State::ChunkData: {
        const std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(m_remaining, size - pos));
        keep(data + pos, take);
        pos += take;
        m_remaining -= take;
        if (m_remaining == 0) m_state = m_state == State::Body ? State::Done : State::ChunkEnd;
        break;
      }
      case State::ToClose:
        keep(data + pos, size - pos);
        pos = size;
        break;
      default: {
        const char* start = data + pos;
        const auto* newline = static_cast<const char*>(std::memchr(start, '\n', size - pos));
        const std::size_t piece = newline ? static_cast<std::size_t>(newline - start) : size - pos;
        if (m_state == State::StatusLine || m_state == State::Headers || m_state == State::Trailers) {
          m_header_bytes += piece + (newline ? 1 : 0);
          if (m_header_bytes > k_max_header_bytes) {
            fail("response headers too large");
            break;
          }
        } else if (m_line.size() + piece > 1024) {
          fail("chunk size line too long");
          break;
        }
        if (!newline) {
          m_line.append(start, piece);
          pos = size;
          // Bytes that cannot start a status line fail now, not at the close.
          if (m_state == State::StatusLine && !may_be_status_line(m_line)) fail("not an HTTP response");
          break;
        }
        pos += piece + 1;
        const char* line = start;
        std::size_t length = piece;
        if (!m_line.empty()) {
          m_line.append(start, piece);
          line = m_line.data();
          length = m_line.size();
        }
        if (length > 0 && line[length - 1] == '\r') --length;
        on_line(line, length);
        m_line.clear();
        break;
      }
    }
  }
  return pos;
}

void ResponseParser::finish_at_eof() {
  if (m_state == State::ToClose) {
    m_state = State::Done;
    m_keep_alive = false;
  } else if (m_state != State::Done && m_state != State::Failed) {
    fail("connection closed before the response ended");
    m_cut_short = true;
  }
}

void ResponseParser::on_line(const char* line, std::size_t size) {
  switch (m_state) {
    case State::StatusLine:
      if (size > 0) on_status_line(line, size);  // stray blank lines before a status line are tolerated
      break;
    case State::Headers:
      if (size == 0) {
        on_headers_end();
      } else {
        on_header(line, size);
      }
      break;
    case State::ChunkSize: {
      std::uint64_t value = 0;
      std::size_t i = 0;
      for (; i < size; ++i) {
        const int digit = util::hex_digit(line[i]);
        if (digit < 0) break;
        if (value > (std::uint64_t{1} << 59)) return fail("chunk size too large");
        value = value * 16 + static_cast<std::uint64_t>(digit);
      }
      if (i == 0 || (i < size && line[i] != ';' && !is_space(line[i]))) return fail("malformed chunk size");
      m_remaining = value;
      m_state = value == 0 ? State::Trailers : State::ChunkData;
      break;
    }
    case State::ChunkEnd:
      if (size != 0) return fail("missing CRLF after chunk data");
      m_state = State::ChunkSize;
      break;
    case State::Trailers:
      if (size == 0) m_state = State::Done;  // trailer fields are read and dropped
      break;
    default: break;
  }
}

void ResponseParser::on_status_line(const char* line, std::size_t size) {
  // "HTTP/1.x NNN[ reason]"
  if (size < 12 || std::memcmp(line, "HTTP/1.", 7) != 0 || line[7] < '0' || line[7] > '9' || line[8] != ' ') {
    return fail("malformed status line");
  }
  m_http10 = line[7] == '0';
  int status = 0;
  for (std::size_t i = 9; i < 12; ++i) {
    if (line[i] < '0' || line[i] > '9') return fail("malformed status code");
    status = status * 10 + (line[i] - '0');
  }
  if (size > 12 && line[12] != ' ') return fail("malformed status line");
  if (status < 100) return fail("status code below 100");
  m_status = status;
  m_state = State::Headers;
}

void ResponseParser::on_header(const char* line, std::size_t size) {
  if (is_space(line[0])) {
    // Obsolete line folding (RFC 9112 5.2): the line continues the previous
    // field's value, joined by one space.
    if (m_held == Held::None) return fail("folded line before the first header");
    const std::string_view more = trim(std::string_view(line, size));
    if (m_held != Held::Other && !more.empty()) {
      if (!m_held_value.empty()) m_held_value += ' ';
      m_held_value.append(more);
    }
    return;
  }
  apply_held();
  if (failed()) return;
  const auto* colon = static_cast<const char*>(std::memchr(line, ':', size));
  if (!colon || colon == line) return fail("malformed header line");
  const std::string_view name(line, static_cast<std::size_t>(colon - line));
  const std::string_view value = trim(std::string_view(colon + 1, static_cast<std::size_t>(line + size - colon - 1)));

  m_held = Held::Other;
  if (util::iequals(name, "content-length")) {
    m_held = Held::ContentLength;
  } else if (util::iequals(name, "transfer-encoding")) {
    m_held = Held::TransferEncoding;
  } else if (util::iequals(name, "connection")) {
    m_held = Held::Connection;
  } else if (util::iequals(name, "retry-after")) {
    m_held = Held::RetryAfter;
  }
  if (m_held != Held::Other) m_held_value.assign(value);
}

void ResponseParser::apply_held() {
  const Held held = m_held;
  m_held = Held::None;
  const std::string_view value = m_held_value;
  switch (held) {
    case Held::ContentLength: {
      std::uint64_t length = 0;
      if (value.empty() || value.size() > 18) return fail("bad Content-Length");
      for (const char c : value) {
        if (c < '0' || c > '9') return fail("bad Content-Length");
        length = length * 10 + static_cast<std::uint64_t>(c - '0');
      }
      if (m_has_length && length != m_remaining) return fail("conflicting Content-Length headers");
      m_has_length = true;
      m_remaining = length;
      break;
    }
    case Held::TransferEncoding: on_transfer_encoding(value.data(), value.size()); break;
    case Held::Connection:
      for_each_token(value, [&](std::string_view token) {
        if (util::iequals(token, "close")) m_connection_close = true;
        if (util::iequals(token, "keep-alive")) m_connection_keep_alive = true;
      });
      break;
    case Held::RetryAfter: m_retry_after.assign(value); break;
    case Held::None:
    case Held::Other: break;
  }
}

void ResponseParser::on_transfer_encoding(const char* value, std::size_t size) {
  // Several fields form one list; only its last coding decides the framing.
  m_transfer_encoding = true;
  for_each_token(std::string_view(value, size),
                 [&](std::string_view token) { m_chunked = util::iequals(token, "chunked"); });
}

void ResponseParser::on_headers_end() {
  apply_held();
  if (failed()) return;
  if (m_status >= 100 && m_status < 200) {
    // Interim responses (100 Continue, 103 Early Hints) precede the real
    // one; they count against the header limit, so a flood of them ends.
    if (m_status == 101) return fail("unexpected protocol switch");
    if (m_interim + 1 > k_max_interim) return fail("too many interim responses");
    const int interim = m_interim + 1;
    const std::size_t header_bytes = m_header_bytes;
    reset();
    m_started = true;
    m_interim = interim;
    m_header_bytes = header_bytes;
    return;
  }
  m_keep_alive = !m_connection_close && (!m_http10 || m_connection_keep_alive);
  if (m_status == 204 || m_status == 304) {
    m_state = State::Done;
  } else if (m_transfer_encoding) {
    // Transfer-Encoding overrides Content-Length; a response carrying both
    // is suspect, so its connection is not reused (RFC 9112 6.3).
    if (m_has_length) m_keep_alive = false;
    if (m_chunked) {
      m_state = State::ChunkSize;
    } else {
      m_state = State::ToClose;
      m_keep_alive = false;
    }
  } else if (m_has_length) {
    m_state = m_remaining == 0 ? State::Done : State::Body;
  } else {
    m_state = State::ToClose;
    m_keep_alive = false;
  }
}

void ResponseParser::keep(const char* data, std::size_t size) {
  if (m_body.size() >= k_max_body) return;
  m_body.append(data, std::min(size, k_max_body - m_body.size()));
}

void ResponseParser::fail(const char* why) {
  m_state = State::Failed;
  m_keep_alive = false;
  m_error = why;
}

}  // namespace callhook::delivery
