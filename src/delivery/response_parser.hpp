#pragma once
// An incremental HTTP/1.1 response parser for the transport: bytes arrive
// in arbitrary pieces, and the common case (a whole response in one read)
// must cost no copies beyond the body and a few framing header values.
// Framing follows RFC 9112: Transfer-Encoding is a token list whose last
// coding must be chunked for chunked framing (otherwise the body runs to the
// close); Transfer-Encoding beside Content-Length wins and the connection is
// not reused; obsolete line folding becomes a space; interim 1xx responses
// are skipped within the header byte limit; trailers are read and dropped.
#include <cstddef>
#include <cstdint>
#include <string>

namespace callhook::delivery {

class ResponseParser {
 public:
  static constexpr std::size_t k_max_body = 64 * 1024;          // body bytes kept
  static constexpr std::size_t k_max_header_bytes = 64 * 1024;  // status lines + headers, interim ones included
  static constexpr int k_max_interim = 32;                      // 1xx responses accepted before the final one

  // Readies the parser for the next response on the connection.
  void reset();
  // Consumes bytes until the response is complete or fails; returns how many
  // it used (fewer than `size` only when the response ended inside the data).
  std::size_t feed(const char* data, std::size_t size);
  // The peer closed the connection: completes a body that runs to the close.
  void finish_at_eof();

  bool complete() const { return m_state == State::Done; }
  bool failed() const { return m_state == State::Failed; }
  // After a failure: whether it was only the close cutting the response
  // short (the bytes so far were valid), rather than bytes that are not HTTP.
  bool cut_short() const { return m_cut_short; }
  // Whether any byte of a response has been seen (a stale keep-alive
  // connection closes before this).
  bool started() const { return m_started; }
  // After completion: whether the connection may carry another request.
  bool keep_alive() const { return m_keep_alive; }

  int status() const { return m_status; }
  const std::string& retry_after() const { return m_retry_after; }
  std::string& body() { return m_body; }
  const std::string& error() const { return m_error; }

 private:
  // Framing headers whose values are held until the next line shows whether it continues them.
  enum class Held { None, ContentLength, TransferEncoding, Connection, RetryAfter, Other };
  enum class State { StatusLine, Headers, Body, ToClose, ChunkSize, ChunkData, ChunkEnd, Trailers, Done, Failed };

  // Feeds one complete line (without CR LF) to the current state.
  void on_line(const char* line, std::size_t size);
  void on_status_line(const char* line, std::size_t size);
  void on_header(const char* line, std::size_t size);
  // Applies the framing header held back in case the next line folds it.
  void apply_held();
  void on_transfer_encoding(const char* value, std::size_t size);
  void on_headers_end();
  void keep(const char* data, std::size_t size);
  void fail(const char* why);

  State m_state = State::StatusLine;
  bool m_started = false;
  bool m_keep_alive = true;
  bool m_http10 = false;
  bool m_chunked = false;            // the last transfer coding so far is chunked
  bool m_transfer_encoding = false;  // a Transfer-Encoding header was seen
  bool m_cut_short = false;
  bool m_has_length = false;
  bool m_connection_close = false;
  bool m_connection_keep_alive = false;
  int m_status = 0;
  std::uint64_t m_remaining = 0;   // body or chunk bytes still to come
  std::size_t m_header_bytes = 0;  // status lines and headers, interim responses included
  int m_interim = 0;
  Held m_held = Held::None;
  std::string m_held_value;
  std::string m_line;  // a line split across reads
  std::string m_retry_after;
  std::string m_body;
  std::string m_error;
};

}  // namespace callhook::delivery
