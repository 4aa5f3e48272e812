// Every example in README.md and docs/*.md runs as written: each `callhook`
// command line of a shell block is run with CALLHOOK_DRY_RUN=1 (flags parsed,
// inputs loaded, nothing sent), each JSON block parses, and each JSON block
// that is a whole scenario (it has "streams") passes `callhook validate`.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "harness.hpp"

using callhook::testing::ProcessOptions;
using callhook::testing::run_callhook;
using callhook::testing::source_path;
using callhook::testing::TempDir;
using nlohmann::json;

namespace {

struct Block {
  std::string file;
  int line = 0;  // of the opening fence
  std::string language;
  std::string text;
};

std::vector<Block> blocks_of(const std::string& path, const std::string& name) {
  std::ifstream in(path);
  std::vector<Block> blocks;
  std::string line;
  int number = 0;
  bool inside = false;
  while (std::getline(in, line)) {
    ++number;
    if (line.rfind("```", 0) == 0) {
      if (inside) {
        inside = false;
      } else {
        inside = true;
        blocks.push_back({name, number, line.substr(3), ""});
      }
      continue;
    }
    if (inside) blocks.back().text += line + "\n";
  }
  return blocks;
}

std::vector<Block> all_blocks() {
  std::vector<Block> blocks;
  std::vector<std::string> files = {"README.md"};
  for (const auto& entry : std::filesystem::directory_iterator(source_path("docs")))
    if (entry.path().extension() == ".md") files.push_back("docs/" + entry.path().filename().string());
  for (const auto& f : files)
    for (auto& b : blocks_of(source_path(f), f)) blocks.push_back(std::move(b));
  return blocks;
}

// The command lines of a shell block: with "$ " prompts, only the prompted
// lines (the rest is output); "\" joins lines; "# ..." comments and a
// trailing "&" are dropped.
std::vector<std::string> commands_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  bool prompted = text.rfind("$ ", 0) == 0 || text.find("\n$ ") != std::string::npos;
  std::string line, pending;
  while (std::getline(in, line)) {
    if (prompted && pending.empty()) {
      if (line.rfind("$ ", 0) != 0) continue;
      line = line.substr(2);
    }
    if (!line.empty() && line.back() == '\\') {
      pending += line.substr(0, line.size() - 1);
      continue;
    }
    lines.push_back(pending + line);
    pending.clear();
  }
  return lines;
}

// Shell words, with '...' and "..." quoting; stops at an unquoted "#".
std::vector<std::string> words_of(const std::string& line) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  char quote = 0;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quote) {
      if (c == quote)
        quote = 0;
      else
        word += c;
    } else if (c == '\'' || c == '"') {
      quote = c;
      in_word = true;
    } else if (c == ' ' || c == '\t') {
      if (in_word) words.push_back(word);
      word.clear();
      in_word = false;
    } else if (c == '#' && !in_word) {
      break;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (in_word) words.push_back(word);
  if (!words.empty() && words.back() == "&") words.pop_back();
  return words;
}

bool is_shell(const std::string& language) { return language == "sh" || language == "bash" || language == "console"; }

// A directory to run examples in: the shipped scenarios, and the files the
// examples read (a journal of a real run, a handshake answer, a delivery log).
struct ExampleDir {
  TempDir dir;
  ExampleDir() {
    std::filesystem::create_directory_symlink(source_path("scenarios"), dir.path("scenarios"));
    std::filesystem::create_directory_symlink(source_path("examples"), dir.path("examples"));
    dir.write("answer.json", R"({"http_code":200,"response":{"data":{}}})");
    // A delivery log for `callhook import --map`.
    dir.write(
        "deliveries.jsonl",
        R"({"ts":"2025-07-16T11:40:57Z","req":{"url":"https://r.example.com/hooks","headers":{},"payload":{"type":"call.start"}}})"
        "\n");
    ProcessOptions options;
    options.cwd = dir.path("");
    const auto r =
        run_callhook({"run", "scenarios/demo.json", "--speed", "max", "-q", "--journal", "run.jsonl"}, options);
    REQUIRE(r.exit_code == 0);
  }
};

}  // namespace

TEST_CASE("every shell example of the docs parses and loads its inputs", "[docs]") {
  ExampleDir examples;
  ProcessOptions options;
  options.cwd = examples.dir.path("");
  options.env = {{"CALLHOOK_DRY_RUN", "1"}};
  int checked = 0;
  for (const auto& block : all_blocks()) {
    if (!is_shell(block.language)) continue;
    for (const auto& line : commands_of(block.text)) {
      auto words = words_of(line);
      if (words.empty()) continue;
      INFO(block.file << ":" << block.line << ": " << line);
      if (words[0].rfind("scripts/", 0) == 0) {
        CHECK(std::filesystem::exists(source_path(words[0])));
        continue;
      }
      // `cat FILE | callhook ...` feeds FILE to standard input.
      ProcessOptions run = options;
      if (words.size() > 3 && words[0] == "cat" && words[2] == "|") {
        run.stdin_path = examples.dir.path(words[1]);
        words.erase(words.begin(), words.begin() + 3);
      }
      if (words[0] != "callhook") continue;
      words.erase(words.begin());
      const auto r = run_callhook(words, run, 60);
      INFO(r.err);
      CHECK(r.exit_code == 0);
      ++checked;
    }
  }
  CHECK(checked >= 10);
}

TEST_CASE("every JSON example of the docs parses; every scenario validates", "[docs]") {
  TempDir dir;
  int scenarios = 0, index = 0;
  for (const auto& block : all_blocks()) {
    if (block.language != "json" && block.language != "jsonc") continue;
    INFO(block.file << ":" << block.line);
    const json doc = json::parse(block.text, nullptr, false, block.language == "jsonc");
    CHECK_FALSE(doc.is_discarded());
    if (!doc.is_object() || !doc.contains("streams")) continue;
    const std::string path = dir.write("example-" + std::to_string(index++) + ".json", block.text);
    const auto r = run_callhook({"validate", path});
    INFO(r.err);
    CHECK(r.exit_code == 0);
    ++scenarios;
  }
  CHECK(scenarios >= 5);
}
