#include "sink/recordings.hpp"

#include <atomic>
#include <charconv>
#include <mutex>

#include "sink/audio.hpp"
#include "sink/server.hpp"

namespace callhook::sink {
namespace {

constexpr std::size_t k_recording_threads = 8;

}  // namespace

std::optional<RecordingFile> recording_for_path(std::string_view path) {
  if (!path.starts_with(k_recordings_prefix)) return std::nullopt;
  std::string_view file = path.substr(k_recordings_prefix.size());
  if (file.find('/') != std::string_view::npos) return std::nullopt;

  const auto dot = file.rfind('.');
  if (dot == std::string_view::npos) return std::nullopt;
  const std::string_view ext = file.substr(dot + 1);
  const std::string_view stem = file.substr(0, dot);
  const auto dash = stem.rfind('-');
  if (dash == std::string_view::npos || dash == 0) return std::nullopt;
  const std::string_view name = stem.substr(0, dash);
  const std::string_view digits = stem.substr(dash + 1);

  // Plain decimal only: no sign, no leading zeros, nothing after the digits.
  if (digits.empty() || digits.size() > 9 || (digits.size() > 1 && digits.front() == '0')) return std::nullopt;
  std::size_t bytes = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), bytes);
  if (error != std::errc() || end != digits.data() + digits.size()) return std::nullopt;

  if (ext == "wav" && wav_size_ok(bytes)) return RecordingFile{"audio/wav", make_wav(name, bytes)};
  if (ext == "ogg" && ogg_size_ok(bytes)) return RecordingFile{"audio/ogg", make_ogg_opus(name, bytes)};
  return std::nullopt;
}

struct RecordingServer::Impl {
  HttpServer server;
  std::mutex lifecycle;
  std::string host;
  int port = 0;
  std::atomic<std::uint64_t> served{0};
};

RecordingServer::RecordingServer() : m_impl(std::make_unique<Impl>()) {}

RecordingServer::~RecordingServer() { stop(); }

int RecordingServer::start(const std::string& host, int port) {
  std::lock_guard lock(m_impl->lifecycle);
  Impl& impl = *m_impl;
  impl.port = impl.server.start(host, port, k_recording_threads, [&impl](const HttpRequest& request) {
    HttpResponse response;
    std::optional<RecordingFile> file;
    if (request.method == "GET" || request.method == "HEAD") file = recording_for_path(request.path);
    if (!file) {
      response.status = 404;
      response.content_type = "text/plain";
      response.body = "no such recording\n";
      return response;
    }
    impl.served.fetch_add(1);
    response.content_type = std::move(file->content_type);
    response.body = std::move(file->body);
    return response;
  });
  impl.host = host;
  return impl.port;
}

void RecordingServer::stop() { m_impl->server.stop(); }

std::string RecordingServer::base_url() const {
  std::lock_guard lock(m_impl->lifecycle);
  return origin_url(m_impl->host, m_impl->port) + "/recordings";
}

std::uint64_t RecordingServer::served() const { return m_impl->served.load(); }

}  // namespace callhook::sink
