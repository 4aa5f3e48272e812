#include "delivery/response_parser.hpp"

#include <algorithm>
#include <cstring>

namespace callhook::delivery {
namespace {

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// `text` equals the lowercase `name`, ignoring case.
bool equals_lower(const char* text, std::size_t size, const char* name) {
  const std::size_t n = std::strlen(name);
  if (size != n) return false;
  for (std::size_t i = 0; i < n; ++i) {
    if (lower(text[i]) != name[i]) return false;
  }
  return true;
}

// Whether the lowercase `token` occurs in `text`, ignoring case.
bool contains_lower(const char* text, std::size_t size, const char* token) {
  const std::size_t n = std::strlen(token);
  if (n > size) return false;
  for (std::size_t i = 0; i + n <= size; ++i) {
    if (equals_lower(text + i, n, token)) return true;
  }
  return false;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

void ResponseParser::reset() {
  m_state = State::StatusLine;
  m_started = false;
  m_keep_alive = true;
  m_http10 = false;
  m_chunked = false;
  m_has_length = false;
  m_connection_close = false;
  m_connection_keep_alive = false;
  m_status = 0;
  m_remaining = 0;
  m_header_bytes = 0;
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
        const int digit = hex_digit(line[i]);
        if (digit < 0) break;
        if (value > (std::uint64_t{1} << 59)) return fail("chunk size too large");
        value = value * 16 + static_cast<std::uint64_t>(digit);
      }
      if (i == 0 || (i < size && line[i] != ';' && line[i] != ' ' && line[i] != '\t')) {
        return fail("malformed chunk size");
      }
      m_remaining = value;
      m_state = value == 0 ? State::Trailers : State::ChunkData;
      break;
    }
    case State::ChunkEnd:
      if (size != 0) return fail("missing CRLF after chunk data");
      m_state = State::ChunkSize;
      break;
    case State::Trailers:
      if (size == 0) m_state = State::Done;
      break;
    default:
      break;
  }
}

void ResponseParser::on_status_line(const char* line, std::size_t size) {
  // "HTTP/1.x NNN[ reason]"
  if (size < 12 || std::memcmp(line, "HTTP/1.", 7) != 0 || line[8] != ' ') return fail("malformed status line");
  m_http10 = line[7] == '0';
  int status = 0;
  for (std::size_t i = 9; i < 12; ++i) {
    if (line[i] < '0' || line[i] > '9') return fail("malformed status code");
    status = status * 10 + (line[i] - '0');
  }
  if (size > 12 && line[12] != ' ') return fail("malformed status line");
  m_status = status;
  m_state = State::Headers;
}

void ResponseParser::on_header(const char* line, std::size_t size) {
  const auto* colon = static_cast<const char*>(std::memchr(line, ':', size));
  if (!colon || colon == line) return fail("malformed header line");
  const auto name_size = static_cast<std::size_t>(colon - line);
  const char* value = colon + 1;
  const char* end = line + size;
  while (value < end && (*value == ' ' || *value == '\t')) ++value;
  while (end > value && (end[-1] == ' ' || end[-1] == '\t')) --end;
  const auto value_size = static_cast<std::size_t>(end - value);

  if (equals_lower(line, name_size, "content-length")) {
    std::uint64_t length = 0;
    if (value_size == 0 || value_size > 18) return fail("bad Content-Length");
    for (const char* p = value; p < end; ++p) {
      if (*p < '0' || *p > '9') return fail("bad Content-Length");
      length = length * 10 + static_cast<std::uint64_t>(*p - '0');
    }
    if (m_has_length && length != m_remaining) return fail("conflicting Content-Length headers");
    m_has_length = true;
    m_remaining = length;
  } else if (equals_lower(line, name_size, "transfer-encoding")) {
    if (contains_lower(value, value_size, "chunked")) m_chunked = true;
  } else if (equals_lower(line, name_size, "connection")) {
    if (contains_lower(value, value_size, "close")) m_connection_close = true;
    if (contains_lower(value, value_size, "keep-alive")) m_connection_keep_alive = true;
  } else if (equals_lower(line, name_size, "retry-after")) {
    m_retry_after.assign(value, value_size);
  }
}

void ResponseParser::on_headers_end() {
  if (m_status >= 100 && m_status < 200) {
    // Interim responses (100 Continue, 103 Early Hints) precede the real one.
    if (m_status == 101) return fail("unexpected protocol switch");
    const bool started = m_started;
    reset();
    m_started = started;
    return;
  }
  m_keep_alive = !m_connection_close && (!m_http10 || m_connection_keep_alive);
  if (m_status == 204 || m_status == 304) {
    m_state = State::Done;
  } else if (m_chunked) {
    m_state = State::ChunkSize;
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
