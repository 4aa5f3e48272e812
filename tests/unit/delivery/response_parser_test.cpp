#include <catch2/catch.hpp>

#include <string>

#include "delivery/response_parser.hpp"

using callhook::delivery::ResponseParser;

namespace {

struct Parsed {
  bool complete = false;
  bool failed = false;
  bool keep_alive = false;
  int status = 0;
  std::string retry_after;
  std::string body;
  std::size_t used = 0;
};

// Feeds `bytes` in pieces of `piece` bytes (0: all at once), then EOF when asked.
Parsed parse(const std::string& bytes, std::size_t piece, bool eof) {
  ResponseParser parser;
  parser.reset();
  Parsed out;
  const std::size_t step = piece == 0 ? bytes.size() : piece;
  for (std::size_t at = 0; at < bytes.size() && !parser.complete() && !parser.failed(); at += step) {
    const std::size_t size = std::min(step, bytes.size() - at);
    out.used += parser.feed(bytes.data() + at, size);
  }
  if (eof) parser.finish_at_eof();
  out.complete = parser.complete();
  out.failed = parser.failed();
  out.keep_alive = parser.keep_alive();
  out.status = parser.status();
  out.retry_after = parser.retry_after();
  out.body = parser.body();
  return out;
}

}  // namespace

TEST_CASE("the response parser reads every framing, whole or byte by byte", "[delivery][parser]") {
  struct Row {
    const char* name;
    std::string bytes;
    bool eof;
    int status;
    std::string body;
    bool keep_alive;
    std::string retry_after;
  };
  const Row rows[] = {
      {"no body", "HTTP/1.1 204 No Content\r\nServer: x\r\n\r\n", false, 204, "", true, ""},
      {"content length", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", false, 200, "hello", true, ""},
      {"header case and spaces", "HTTP/1.1 200 OK\r\ncOnTeNt-LeNgTh:   3  \r\n\r\nabc", false, 200, "abc", true, ""},
      {"zero length", "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n", false, 500, "", true, ""},
      {"chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\n\r\n",
       false, 200, "hello, world", true, ""},
      {"chunked with trailers",
       "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nA\r\n0123456789\r\n0\r\nX-Trailer: 1\r\n\r\n", false, 200,
       "0123456789", true, ""},
      {"read to close", "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end", true, 200, "until the end",
       false, ""},
      {"connection close", "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok", false, 200, "ok",
       false, ""},
      {"http/1.0 closes by default", "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok", false, 200, "ok", false, ""},
      {"http/1.0 keep-alive", "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok", false, 200,
       "ok", true, ""},
      {"interim responses skipped",
       "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 201 Created\r\n"
       "Content-Length: 1\r\n\r\nx",
       false, 201, "x", true, ""},
      {"retry-after kept", "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 120\r\nContent-Length: 0\r\n\r\n", false,
       429, "", true, "120"},
      {"retry-after date",
       "HTTP/1.1 503 Busy\r\nRetry-After: Wed, 21 Oct 2015 07:28:00 GMT\r\nContent-Length: 0\r\n\r\n", false, 503, "",
       true, "Wed, 21 Oct 2015 07:28:00 GMT"},
      {"bare LF line ends", "HTTP/1.1 200 OK\nContent-Length: 2\n\nok", false, 200, "ok", true, ""},
      {"status without reason", "HTTP/1.1 202\r\nContent-Length: 0\r\n\r\n", false, 202, "", true, ""},
  };
  for (const auto& row : rows) {
    for (const std::size_t piece : {std::size_t{0}, std::size_t{1}, std::size_t{7}}) {
      INFO(row.name << ", pieces of " << piece);
      const Parsed parsed = parse(row.bytes, piece, row.eof);
      CHECK(parsed.complete);
      CHECK_FALSE(parsed.failed);
      CHECK(parsed.status == row.status);
      CHECK(parsed.body == row.body);
      CHECK(parsed.keep_alive == row.keep_alive);
      CHECK(parsed.retry_after == row.retry_after);
    }
  }
}

TEST_CASE("the response parser rejects malformed responses", "[delivery][parser]") {
  struct Row {
    const char* name;
    std::string bytes;
    bool eof;
  };
  const Row rows[] = {
      {"not http", "SSH-2.0-OpenSSH_9.2\r\n", false},
      {"bad status code", "HTTP/1.1 2x0 OK\r\n\r\n", false},
      {"header without colon", "HTTP/1.1 200 OK\r\nContent-Length 5\r\n\r\n", false},
      {"bad content length", "HTTP/1.1 200 OK\r\nContent-Length: 5x\r\n\r\n", false},
      {"conflicting lengths", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", false},
      {"bad chunk size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", false},
      {"chunk without CRLF", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabXY\r\n", false},
      {"switching protocols", "HTTP/1.1 101 Switching Protocols\r\n\r\n", false},
      {"cut short body", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", true},
      {"cut short headers", "HTTP/1.1 200 OK\r\nContent-Le", true},
  };
  for (const auto& row : rows) {
    INFO(row.name);
    const Parsed parsed = parse(row.bytes, 0, row.eof);
    CHECK(parsed.failed);
    CHECK_FALSE(parsed.complete);
    CHECK_FALSE(parsed.keep_alive);
  }
}

TEST_CASE("the response parser stops at the end of a response", "[delivery][parser]") {
  const std::string first = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc";
  const Parsed parsed = parse(first + "HTTP/1.1 200 OK\r\n", 0, false);
  CHECK(parsed.complete);
  CHECK(parsed.used == first.size());
}

TEST_CASE("the response parser keeps at most 64 KiB of body", "[delivery][parser]") {
  const std::size_t size = 100 * 1024;
  const std::string bytes =
      "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(size) + "\r\n\r\n" + std::string(size, 'b');
  const Parsed parsed = parse(bytes, 4096, false);
  CHECK(parsed.complete);
  CHECK(parsed.used == bytes.size());
  CHECK(parsed.body.size() == ResponseParser::k_max_body);
}

TEST_CASE("the response parser refuses endless headers", "[delivery][parser]") {
  std::string bytes = "HTTP/1.1 200 OK\r\n";
  while (bytes.size() < ResponseParser::k_max_header_bytes + 100) bytes += "X-Filler: 0123456789abcdef\r\n";
  const Parsed parsed = parse(bytes, 1000, false);
  CHECK(parsed.failed);
}

TEST_CASE("the parser tells a silent close from a started response", "[delivery][parser]") {
  ResponseParser parser;
  parser.reset();
  CHECK_FALSE(parser.started());
  parser.finish_at_eof();
  CHECK(parser.failed());
  parser.reset();
  parser.feed("H", 1);
  CHECK(parser.started());
}

TEST_CASE("the response parser frames by the last transfer coding", "[delivery][parser]") {
  struct Row {
    const char* name;
    std::string bytes;
    bool eof;
    std::string body;
    bool keep_alive;
  };
  const std::string chunks = "\r\n\r\n3\r\nabc\r\n0\r\n\r\n";
  const Row rows[] = {
      {"chunked, any case", "HTTP/1.1 200 OK\r\nTransfer-Encoding: ChUnKeD" + chunks, false, "abc", true},
      {"a list ending in chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip , chunked" + chunks, false, "abc", true},
      {"two fields form one list", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked" + chunks,
       false, "abc", true},
      {"a token that only contains chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: notchunked\r\n\r\nraw", true, "raw",
       false},
      {"chunked not last: read to the close", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\nraw", true,
       "raw", false},
      {"with Content-Length: chunked wins, no reuse",
       "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked" + chunks, false, "abc", false},
      {"trailers, one of them folded",
       "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nX-Sum: 1\r\n 2\r\nX-Other: 3\r\n\r\n",
       false, "abc", true},
  };
  for (const auto& row : rows) {
    for (const std::size_t piece : {std::size_t{0}, std::size_t{1}, std::size_t{5}}) {
      INFO(row.name << ", pieces of " << piece);
      const Parsed parsed = parse(row.bytes, piece, row.eof);
      CHECK(parsed.complete);
      CHECK_FALSE(parsed.failed);
      CHECK(parsed.body == row.body);
      CHECK(parsed.keep_alive == row.keep_alive);
    }
  }
}

TEST_CASE("the response parser joins folded header lines with a space", "[delivery][parser]") {
  const Parsed retry = parse("HTTP/1.1 503 Busy\r\nRetry-After:\r\n 120\r\nContent-Length: 0\r\n\r\n", 1, false);
  CHECK(retry.complete);
  CHECK(retry.retry_after == "120");
  const Parsed date = parse(
      "HTTP/1.1 503 Busy\r\nRetry-After: Wed, 21 Oct 2015\r\n\t07:28:00 GMT\r\nContent-Length: 0\r\n\r\n", 0, false);
  CHECK(date.retry_after == "Wed, 21 Oct 2015 07:28:00 GMT");
  const Parsed close =
      parse("HTTP/1.1 200 OK\r\nConnection: keep-alive,\r\n close\r\nContent-Length: 0\r\n\r\n", 3, false);
  CHECK(close.complete);
  CHECK_FALSE(close.keep_alive);
  const Parsed other = parse("HTTP/1.1 200 OK\r\nX-Long: a\r\n  b\r\nContent-Length: 2\r\n\r\nok", 0, false);
  CHECK(other.complete);
  CHECK(other.body == "ok");
  const Parsed split_length = parse("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n 2\r\n\r\nok", 0, false);
  CHECK(split_length.failed);  // "1 2" is no length
  const Parsed first = parse("HTTP/1.1 200 OK\r\n folded: first\r\nContent-Length: 0\r\n\r\n", 0, false);
  CHECK(first.failed);
}

TEST_CASE("the response parser rejects status codes below 100 and bounds interim responses", "[delivery][parser]") {
  for (const char* code : {"000", "099", "042"}) {
    INFO(code);
    const Parsed parsed = parse(std::string("HTTP/1.1 ") + code + " Odd\r\nContent-Length: 0\r\n\r\n", 0, false);
    CHECK(parsed.failed);
    CHECK(parsed.status == 0);
  }
  std::string flood;
  for (int i = 0; i < ResponseParser::k_max_interim; ++i) flood += "HTTP/1.1 100 Continue\r\n\r\n";
  const std::string final_answer = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
  CHECK(parse(flood + final_answer, 0, false).complete);
  const Parsed too_many = parse(flood + "HTTP/1.1 100 Continue\r\n\r\n" + final_answer, 0, false);
  CHECK(too_many.failed);
  // Interim responses count against the header limit too.
  std::string heavy;
  while (heavy.size() < ResponseParser::k_max_header_bytes)
    heavy += "HTTP/1.1 103 Early Hints\r\nLink: " + std::string(4000, 'l') + "\r\n\r\n";
  CHECK(parse(heavy + final_answer, 0, false).failed);
}

TEST_CASE("the response parser tells bytes that are not HTTP from a cut-short answer", "[delivery][parser]") {
  for (const std::string bytes : {"garbage", "SSH-2.0", "\r\nHTTX", "http/1.1 200 OK"}) {
    INFO(bytes);
    ResponseParser parser;
    parser.reset();
    parser.feed(bytes.data(), bytes.size());
    CHECK(parser.failed());  // before any close
    CHECK_FALSE(parser.cut_short());
  }
  for (const std::string bytes : {"HTTP/1.", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", "\r"}) {
    INFO(bytes);
    ResponseParser parser;
    parser.reset();
    parser.feed(bytes.data(), bytes.size());
    CHECK_FALSE(parser.failed());
    parser.finish_at_eof();
    CHECK(parser.failed());
    CHECK(parser.cut_short());
  }
}

TEST_CASE("the response parser leaves bytes after an empty body unread", "[delivery][parser]") {
  const std::string answer = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
  const Parsed parsed = parse(answer + "JUNK", 0, false);
  CHECK(parsed.complete);
  CHECK(parsed.used == answer.size());
}
