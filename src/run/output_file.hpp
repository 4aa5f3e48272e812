#pragma once
// A report file (--report, --junit) written whole or not at all: the content
// goes to a temporary file in the same folder, which is then renamed over
// the path. A run that fails or is killed never leaves the file empty or
// half written, and an older file stays until the new one is complete.
#include <string>

namespace callhook::run {

class OutputFile {
 public:
  // Checks, before the run, that `path` can be written (its folder exists
  // and is writable, and an existing file is writable), without creating or
  // truncating anything. Throws BadInput naming `flag` when it cannot.
  // An empty path is "no output": write() then does nothing; "-" is
  // standard output.
  OutputFile(std::string path, std::string flag);

  explicit operator bool() const { return !m_path.empty(); }
  // Writes `content` to a temporary file beside the path and renames it into
  // place. Throws std::runtime_error naming the path when that fails.
  void write(const std::string& content) const;

 private:
  std::string m_path;
  std::string m_flag;
};

}  // namespace callhook::run
