#pragma once
// A journal file in the temporary directory, for a run whose caller reads
// the journal but asked for none (--html's timeline, trigger --call's
// lines); removed with the object.
#include <string>

namespace callhook::run {

class TemporaryJournal {
 public:
  // Creates the empty file; throws BadInput naming `flag` when it cannot.
  explicit TemporaryJournal(const std::string& flag);
  ~TemporaryJournal();
  TemporaryJournal(const TemporaryJournal&) = delete;
  TemporaryJournal& operator=(const TemporaryJournal&) = delete;
  const std::string& path() const { return m_path; }

 private:
  std::string m_path;
};

}  // namespace callhook::run
