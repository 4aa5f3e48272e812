#include "harness.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>

#include <httplib.h>

namespace callhook::testing {

std::string source_path(const std::string& relative) { return std::string(CALLHOOK_SOURCE_DIR) + "/" + relative; }

int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof address;
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), size);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size);
  ::close(fd);
  return ntohs(address.sin_port);
}

ProcessResult run_callhook(const std::vector<std::string>& args, int timeout_s) {
  return run_callhook(args, ProcessOptions{}, timeout_s);
}

ProcessResult run_callhook(const std::vector<std::string>& args, const SignalPlan& plan, int timeout_s) {
  ProcessOptions options;
  options.signals = plan;
  return run_callhook(args, options, timeout_s);
}

ProcessResult run_callhook(const std::vector<std::string>& args, const ProcessOptions& options, int timeout_s) {
  const SignalPlan& plan = options.signals;
  // Everything the child needs is built before fork: other threads of this
  // process may hold the allocator's lock at the moment of the fork.
  std::string binary = CALLHOOK_BINARY;
  std::vector<std::string> copy = args;
  std::vector<char*> argv;
  argv.push_back(binary.data());
  for (auto& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  const std::string cwd = options.cwd.empty() ? std::string(CALLHOOK_SOURCE_DIR) : options.cwd;
  std::vector<std::string> env_text;
  for (char** e = environ; *e; ++e) env_text.emplace_back(*e);
  for (const auto& [name, value] : options.env) env_text.push_back(name + "=" + value);
  std::vector<char*> envp;
  for (auto& e : env_text) envp.push_back(e.data());
  envp.push_back(nullptr);
  const int stdin_fd = options.stdin_path.empty() ? -1 : open(options.stdin_path.c_str(), O_RDONLY);
  if (!options.stdin_path.empty() && stdin_fd < 0) throw std::runtime_error("cannot open " + options.stdin_path);
  int out_pipe[2], err_pipe[2];
  if (pipe(out_pipe) != 0 || pipe(err_pipe) != 0) throw std::runtime_error("pipe failed");
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    dup2(out_pipe[1], 1);
    dup2(err_pipe[1], 2);
    close(out_pipe[0]);
    close(err_pipe[0]);
    close(out_pipe[1]);
    close(err_pipe[1]);
    if (stdin_fd >= 0) dup2(stdin_fd, 0);
    if (chdir(cwd.c_str()) != 0) _exit(127);
    execve(binary.c_str(), argv.data(), envp.data());
    _exit(127);
  }
  if (stdin_fd >= 0) close(stdin_fd);
  close(out_pipe[1]);
  close(err_pipe[1]);
  ProcessResult result;
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  std::string* sinks[2] = {&result.out, &result.err};
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  int open_fds = 2;
  bool killed = false;
  std::size_t signals_sent = 0;
  auto next_signal_at = std::chrono::steady_clock::time_point::max();
  while (open_fds > 0) {
    if (signals_sent < plan.signals.size()) {
      const auto now = std::chrono::steady_clock::now();
      if (next_signal_at == std::chrono::steady_clock::time_point::max() && plan.ready && plan.ready())
        next_signal_at = now;
      if (now >= next_signal_at) {
        kill(pid, plan.signals[signals_sent++]);
        next_signal_at = now + std::chrono::milliseconds(plan.gap_ms);
      }
    }
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      kill(pid, SIGKILL);
      killed = true;
      break;
    }
    const long slice = signals_sent < plan.signals.size() ? 20 : 1000;
    if (poll(fds, 2, static_cast<int>(std::min<long>(left.count(), slice))) < 0) continue;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP))) continue;
      char buf[65536];
      const ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n > 0) {
        sinks[i]->append(buf, static_cast<std::size_t>(n));
      } else {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  for (auto& fd : fds)
    if (fd.fd >= 0) close(fd.fd);
  int status = 0;
  waitpid(pid, &status, 0);
  if (killed)
    result.exit_code = -9;
  else if (WIFEXITED(status))
    result.exit_code = WEXITSTATUS(status);
  else
    result.exit_code = -WTERMSIG(status);
  return result;
}

std::string Received::header(const std::string& name) const {
  for (const auto& [k, v] : headers)
    if (strcasecmp(k.c_str(), name.c_str()) == 0) return v;
  return "";
}

Receiver::Receiver(Handler handler) : m_server(std::make_unique<httplib::Server>()) {
  m_server->set_keep_alive_max_count(100000);
  m_server->set_tcp_nodelay(true);
  m_server->new_task_queue = [] { return new httplib::ThreadPool(16); };
  auto handle = [this, handler](const httplib::Request& req, httplib::Response& res) {
    Received r;
    r.method = req.method;
    r.path = req.path;
    const auto q = req.target.find('?');
    if (q != std::string::npos) r.query = req.target.substr(q + 1);
    for (const auto& [k, v] : req.headers) r.headers.emplace_back(k, v);
    r.body = req.body;
    {
      std::lock_guard lock(m_mutex);
      m_received.push_back(std::move(r));
    }
    if (handler)
      handler(req, res);
    else
      res.set_content("{\"ok\":true}", "application/json");
  };
  m_server->Get(".*", handle);
  m_server->Post(".*", handle);
  m_server->Put(".*", handle);
  // cpp-httplib listens with a backlog of 5, so a burst of connections
  // waits a second for SYN retransmission; listening again raises it.
  // The server keeps the callback, so it owns what it writes to.
  auto listening = std::make_shared<std::atomic<int>>(-1);
  m_server->set_socket_options([listening](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    *listening = sock;
  });
  m_port = m_server->bind_to_any_port("127.0.0.1");
  if (m_port <= 0) throw std::runtime_error("receiver: cannot bind");
  if (*listening >= 0) ::listen(*listening, SOMAXCONN);
  m_thread = std::thread([this] { m_server->listen_after_bind(); });
  for (int i = 0; i < 500 && !m_server->is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(2));
}

Receiver::~Receiver() { stop(); }

void Receiver::stop() {
  if (m_server) m_server->stop();
  if (m_thread.joinable()) m_thread.join();
}

std::string Receiver::url() const { return "http://127.0.0.1:" + std::to_string(m_port); }

std::vector<Received> Receiver::received() const {
  std::lock_guard lock(m_mutex);
  return m_received;
}

std::size_t Receiver::count() const {
  std::lock_guard lock(m_mutex);
  return m_received.size();
}

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "callhook-test-XXXXXX").string();
  if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
  m_path = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(m_path, ec);
}

std::string TempDir::write(const std::string& name, const std::string& content) const {
  const std::string p = path(name);
  std::ofstream(p) << content;
  return p;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

nlohmann::json read_json(const std::string& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

std::vector<nlohmann::json> read_jsonl(const std::string& path) {
  std::ifstream in(path);
  std::vector<nlohmann::json> out;
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(nlohmann::json::parse(line));
  return out;
}

}  // namespace callhook::testing
