// Bad input: exit 2 and a message naming the file and the field; no crash.
#include <catch2/catch.hpp>

#include <filesystem>

#include "harness.hpp"

using callhook::testing::run_callhook;
using callhook::testing::TempDir;

TEST_CASE("broken scenarios give exit 2 and name the field", "[integration]") {
  TempDir dir;
  struct Case {
    const char* name;
    std::string content;
    std::string expected;  // part of stderr
  };
  const std::vector<Case> cases = {
      {"wrong-type.json", R"({"streams":[{"vendor":"voiceflow","calls":{"count":"ten"}}]})",
       "/streams/0/calls/count: expected a positive integer, got \"ten\""},
      {"unknown-key.json", R"({"streams":[{"vendor":"voiceflow","calls":{"count":1}}],"sped":2})",
       "/sped: unknown key (did you mean \"speed\"?)"},
      {"missing.json", R"({"seed":1})", "/streams: is required"},
      {"no-vendor.json", R"({"streams":[{"calls":{"count":1}}]})", "/streams/0/vendor: is required"},
      {"bad-vendor-config.json",
       R"({"streams":[{"vendor":"voiceflow","calls":{"count":1},"vendor_config":{"project_id":"xyz"}}]})",
       "/streams/0/vendor_config/project_id: expected 24 lowercase hex characters"},
      {"invalid.json", "{\"streams\": [", "invalid JSON"},
      {"empty.json", "", "empty"},
      // 100,000 levels once overflowed the stack (SIGSEGV) while a message described the value.
      {"deep.json", "{\"streams\": " + std::string(100000, '[') + std::string(100000, ']') + "}",
       "/streams/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/"},
      {"deep.json", "{\"streams\": " + std::string(100000, '[') + std::string(100000, ']') + "}",
       "0/0/0: nested deeper than 128 levels at line 1, column 140"},
  };
  for (const auto& c : cases) {
    const std::string path = dir.write(c.name, c.content);
    for (const char* command : {"run", "validate"}) {
      const auto result = run_callhook({command, path});
      INFO(command << " " << c.name << "\n" << result.err);
      CHECK(result.exit_code == 2);
      CHECK(result.err.find(path) != std::string::npos);
      CHECK(result.err.find(c.expected) != std::string::npos);
    }
  }
  for (const std::string& path : {dir.path(""), dir.path("does-not-exist.json")}) {
    const auto result = run_callhook({"run", path});
    INFO(result.err);
    CHECK(result.exit_code == 2);
    CHECK(result.err.find(path) != std::string::npos);
  }
}

TEST_CASE("bad flags give exit 2 with a clear message", "[integration]") {
  struct Case {
    std::vector<std::string> args;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {{"run", "scenarios/demo.json", "--speed", "fast"},
       "--speed: expected a number from 0.001 to 1000000 or \"max\""},
      {{"run", "scenarios/demo.json", "--speed", "1e21"},
       "--speed: expected a number from 0.001 to 1000000 or \"max\", got \"1e21\""},
      {{"run", "scenarios/demo.json", "--speed", "1e-12"}, "--speed: expected a number from 0.001"},
      {{"serve", "--keep", "-1"}, "--keep"},
      {{"serve", "--max-runs", "-3"}, "--max-runs"},
      {{"serve", "--max-body", "-1"}, "--max-body"},
      {{"serve", "--max-run-duration", "0"}, "--max-run-duration"},
      {{"run", "scenarios/demo.json", "--target", "ftp://x"}, "--target: expected an http:// or https:// URL"},
      {{"run", "scenarios/demo.json", "--bogus"}, "bogus"},
      {{"run"}, "scenario"},
      {{"frobnicate"}, "unknown command"},
      {{"sample", "voiceflow", "runtime.call.stop"}, "did you mean \"runtime.call.start\""},
      {{"run", "scenarios/demo.json", "--set", "/data/x=" + std::string(1000, '[')},
       "--set /data/x: the value is nested deeper than 128 levels at column 129"},
      {{"sample", "voiceflow", "runtime.call.start", "--config", "{\"a\": " + std::string(1000, '[')},
       "--config: nested deeper than 128 levels at column 134 (at /a/0/0/0/"},
      {{"sample", "voiceflow", "runtime.call.start", "--set", "/data/x=\"" + std::string(70000, 'x') + "\""},
       "--set /data/x: the value is too large: 70002 bytes, a flag value may have at most 64 KiB"},
  };
  for (const auto& c : cases) {
    const auto result = run_callhook(c.args);
    INFO(result.err);
    CHECK(result.exit_code == 2);
    CHECK(result.err.find(c.expected) != std::string::npos);
  }
}

TEST_CASE("validate accepts every shipped scenario", "[integration]") {
  int seen = 0;
  for (const auto& entry : std::filesystem::directory_iterator(callhook::testing::source_path("scenarios"))) {
    if (entry.path().extension() != ".json") continue;
    ++seen;
    const std::string s = entry.path().string();
    const auto result = run_callhook({"validate", s});
    INFO(s << "\n" << result.err);
    CHECK(result.exit_code == 0);
    CHECK(result.out.find("ok") != std::string::npos);
  }
  CHECK(seen >= 2);
}

TEST_CASE("rules files and journals nested too deep give exit 2 with the place", "[integration]") {
  TempDir dir;
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  const std::string rules = dir.write("rules.json", "[{\"status\": 200, \"body\": " + deep + "}]");
  const auto sink = run_callhook({"sink", "--listen", "127.0.0.1:0", "--rules", rules});
  INFO(sink.err);
  CHECK(sink.exit_code == 2);
  CHECK(sink.err.find(rules + ": /0/body/0/0/") != std::string::npos);
  CHECK(sink.err.find(": nested deeper than 128 levels at line 1, column 152") != std::string::npos);

  const std::string journal = dir.write("run.jsonl", deep + "\n");
  const auto replay = run_callhook({"replay", journal});
  INFO(replay.err);
  CHECK(replay.exit_code == 2);
  CHECK(replay.err.find(journal + ":1: /0/0/") != std::string::npos);
  CHECK(replay.err.find(": nested deeper than 128 levels at column 129") != std::string::npos);
}
