#include "cli/shard.hpp"

#include <catch2/catch.hpp>
#include <map>

#include "cli/cli.hpp"

using namespace callhook;
using callhook::cli::UsageError;

namespace {

auto env_of(std::map<std::string, std::string> values) {
  return [values](const char* name) -> std::optional<std::string> {
    auto it = values.find(name);
    return it == values.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
}

}  // namespace

TEST_CASE("--shard I/N names one slice of the calls", "[cli][shard]") {
  const auto shard = cli::parse_shard("2/4", "--shard");
  CHECK(shard.index == 2);
  CHECK(shard.count == 4);
  CHECK(cli::parse_shard("0/1", "--shard").whole());
  for (const char* bad : {"4/4", "1/0", "1", "/3", "a/3", "1/3x", "-1/3", ""})
    CHECK_THROWS_AS(cli::parse_shard(bad, "--shard"), UsageError);
  CHECK_THROWS_WITH(cli::parse_shard("4/4", "--shard"), Catch::Contains("numbered 0 to 3"));
}

TEST_CASE("the shard comes from the flag, then CALLHOOK_SHARD, then JOB_COMPLETION_INDEX", "[cli][shard]") {
  const auto everything = env_of({{"CALLHOOK_SHARD", "1/3"}, {"JOB_COMPLETION_INDEX", "2"}});
  CHECK(cli::resolve_shard("0/2", std::nullopt, everything).count == 2);
  CHECK(cli::resolve_shard("", 5, everything).index == 1);  // CALLHOOK_SHARD wins over the job index
  const auto job = env_of({{"JOB_COMPLETION_INDEX", "3"}});
  const auto from_job = cli::resolve_shard("", 4, job);
  CHECK(from_job.index == 3);
  CHECK(from_job.count == 4);
  CHECK(cli::resolve_shard("", std::nullopt, job).whole());  // --shards not given: the whole run
  CHECK_THROWS_WITH(cli::resolve_shard("", 4, env_of({})), Catch::Contains("JOB_COMPLETION_INDEX"));
  CHECK_THROWS_WITH(cli::resolve_shard("", 4, env_of({{"JOB_COMPLETION_INDEX", "4"}})),
                    Catch::Contains("does not exist"));
  CHECK_THROWS_AS(cli::resolve_shard("1/2", 2, job), UsageError);
}

TEST_CASE("--start-at takes an ISO 8601 time or +SECONDS", "[cli][shard]") {
  const std::int64_t now = 1'800'000'000'000;
  CHECK(cli::parse_start_at("+2.5", now) == now + 2500);
  CHECK(cli::parse_start_at("2026-01-01T12:00:00Z", now) == 1'767'268'800'000);
  for (const char* bad : {"+", "+-1", "+1e9", "tomorrow", "2026-01-01", "+nan"})
    CHECK_THROWS_AS(cli::parse_start_at(bad, now), UsageError);
}
