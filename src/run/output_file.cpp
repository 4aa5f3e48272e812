#include "run/output_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <stdexcept>
#include <vector>

#include "run/bad_input.hpp"

namespace callhook::run {
namespace {

std::string folder_of(const std::string& path) {
  const std::string parent = std::filesystem::path(path).parent_path().string();
  return parent.empty() ? "." : parent;
}

std::runtime_error write_error(const std::string& path, int error) {
  return std::runtime_error(path + ": cannot write: " + std::strerror(error));
}

}  // namespace

OutputFile::OutputFile(std::string path, std::string flag) : m_path(std::move(path)), m_flag(std::move(flag)) {
  if (m_path.empty() || m_path == "-") return;
  const std::string folder = folder_of(m_path);
  struct stat info {};
  if (::stat(m_path.c_str(), &info) == 0) {
    if (S_ISDIR(info.st_mode)) throw BadInput(m_flag + ": cannot write " + m_path + ": Is a directory");
    if (::access(m_path.c_str(), W_OK) != 0)
      throw BadInput(m_flag + ": cannot write " + m_path + ": " + std::strerror(errno));
  }
  // The temporary file and the rename need the folder to be writable.
  if (::access(folder.c_str(), W_OK | X_OK) != 0)
    throw BadInput(m_flag + ": cannot write " + m_path + ": " + std::strerror(errno));
}

void OutputFile::write(const std::string& content) const {
  if (m_path.empty()) return;
  if (m_path == "-") {
    std::cout << content << std::flush;
    return;
  }
  const std::string name = std::filesystem::path(m_path).filename().string();
  std::string pattern = folder_of(m_path) + "/." + name + ".XXXXXX";
  std::vector<char> temp(pattern.begin(), pattern.end());
  temp.push_back('\0');
  const int fd = ::mkstemp(temp.data());
  if (fd < 0) throw write_error(m_path, errno);
  const std::string temp_path(temp.data());
  std::size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int error = errno;
      ::close(fd);
      ::unlink(temp_path.c_str());
      throw write_error(m_path, error);
    }
    done += static_cast<std::size_t>(n);
  }
  // mkstemp makes the file private (0600); a report is an ordinary file.
  const mode_t mask = ::umask(0);
  ::umask(mask);
  ::fchmod(fd, 0666 & ~mask);
  if (::close(fd) != 0 || std::rename(temp_path.c_str(), m_path.c_str()) != 0) {
    const int error = errno;
    ::unlink(temp_path.c_str());
    throw write_error(m_path, error);
  }
}

}  // namespace callhook::run
