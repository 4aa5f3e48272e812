#pragma once
// What the integration tests share: running the real callhook binary, and a
// real HTTP receiver (cpp-httplib) on a loopback port the OS picks.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace callhook::testing {

struct ProcessResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs the callhook binary with args (cwd = the source tree, so scenarios/
// paths work); kills it after timeout_s. Never hangs.
ProcessResult run_callhook(const std::vector<std::string>& args, int timeout_s = 120);

// Signals to send to the running binary: once ready() returns true (asked
// every 20 ms, on the test's thread), each signal in turn, gap_ms apart.
struct SignalPlan {
  std::function<bool()> ready;
  std::vector<int> signals;
  int gap_ms = 50;
};
ProcessResult run_callhook(const std::vector<std::string>& args, const SignalPlan& plan, int timeout_s = 120);
struct ProcessOptions {
  std::string cwd;                                       // "" = the source tree
  std::string stdin_path;                                // "" = inherited
  std::vector<std::pair<std::string, std::string>> env;  // added to this process's environment
  SignalPlan signals;                                    // none by default
};
ProcessResult run_callhook(const std::vector<std::string>& args, const ProcessOptions& options, int timeout_s = 120);

struct Received {
  std::string method;
  std::string path;
  std::string query;  // raw query string
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string header(const std::string& name) const;
};

// A receiver that records every request. The handler decides each answer
// (default: 200 {"ok":true}); it runs on the server's threads.
class Receiver {
 public:
  using Handler = std::function<void(const httplib::Request&, httplib::Response&)>;
  explicit Receiver(Handler handler = nullptr);
  ~Receiver();
  std::string url() const;  // "http://127.0.0.1:PORT"
  int port() const { return m_port; }
  std::vector<Received> received() const;
  std::size_t count() const;
  void stop();

 private:
  std::unique_ptr<httplib::Server> m_server;
  std::thread m_thread;
  int m_port = 0;
  mutable std::mutex m_mutex;
  std::vector<Received> m_received;
};

// A fresh empty directory under the system temp dir, removed at scope end.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  std::string path(const std::string& name) const { return m_path + "/" + name; }
  std::string write(const std::string& name, const std::string& content) const;

 private:
  std::string m_path;
};

// The whole file, byte for byte ("" when it cannot be read).
std::string read_text(const std::string& path);
nlohmann::json read_json(const std::string& path);
std::vector<nlohmann::json> read_jsonl(const std::string& path);
std::string source_path(const std::string& relative);
// A loopback port that was free a moment ago: nothing listens on it.
int free_port();

}  // namespace callhook::testing
