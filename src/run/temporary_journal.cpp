#include "run/temporary_journal.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "run/bad_input.hpp"

namespace callhook::run {

TemporaryJournal::TemporaryJournal(const std::string& flag) {
  const char* dir = std::getenv("TMPDIR");
  std::string pattern = std::string(dir != nullptr && *dir != 0 ? dir : "/tmp") + "/callhook-journal-XXXXXX";
  const int fd = mkstemp(pattern.data());
  if (fd < 0) throw BadInput(flag + ": cannot create a temporary journal in " + pattern);
  close(fd);
  m_path = pattern;
}

TemporaryJournal::~TemporaryJournal() { std::remove(m_path.c_str()); }

}  // namespace callhook::run
