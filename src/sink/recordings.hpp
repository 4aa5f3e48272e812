#pragma once
// The recording server: the URLs that vendors put in recording_url and
// Call.Recording.Uri point here, so a receiver that downloads recordings can
// be tested end to end. Contract: GET <base>/<name>-<bytes>.<ogg|wav> answers
// a playable file of exactly <bytes> bytes (audio/ogg or audio/wav); anything
// else is 404. Stateless: every byte comes from the path.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace callhook::sink {

// The path prefix recordings are served under.
constexpr std::string_view k_recordings_prefix = "/recordings/";

struct RecordingFile {
  std::string content_type;  // "audio/ogg" or "audio/wav"
  std::string body;
};

// The file for a request path such as "/recordings/call-42-48000.ogg", or
// nullopt when the path is not one (wrong prefix, name, size or extension).
std::optional<RecordingFile> recording_for_path(std::string_view path);

class RecordingServer {
 public:
  RecordingServer();
  ~RecordingServer();
  RecordingServer(const RecordingServer&) = delete;
  RecordingServer& operator=(const RecordingServer&) = delete;

  // Binds and serves on its own threads; returns the bound port (port 0 = any).
  // Throws std::runtime_error when the address cannot be bound.
  int start(const std::string& host = "127.0.0.1", int port = 0);
  // Stops serving; safe to call more than once.
  void stop();
  // "http://127.0.0.1:PORT/recordings", the base that vendors append files to.
  std::string base_url() const;
  // Recordings answered with 200 so far.
  std::uint64_t served() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

}  // namespace callhook::sink
