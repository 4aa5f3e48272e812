#include "serve/http_router.hpp"

namespace callhook::serve {
namespace {

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  if (path.empty() || path.front() != '/') return out;
  path.remove_prefix(1);
  for (;;) {
    const auto slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

}  // namespace

void Router::add(boost::beast::http::verb method, std::string_view pattern, Handler handler) {
  Route route{method, {}, std::move(handler)};
  for (const auto segment : split_path(pattern)) route.segments.emplace_back(segment);
  m_routes.push_back(std::move(route));
}

bool Router::matches(const Route& route, std::string_view path, std::vector<std::string>* captures) {
  const auto segments = split_path(path);
  if (segments.size() != route.segments.size()) return false;
  std::vector<std::string> found;
  for (std::size_t i = 0; i < segments.size(); ++i) {
    const std::string& want = route.segments[i];
    const std::string_view got = segments[i];
    if (want == "{}" || want == "{#}") {
      if (got.empty()) return false;
      if (want == "{#}" && got.find_first_not_of("0123456789") != std::string_view::npos) return false;
      found.emplace_back(got);
    } else if (want != got) {
      return false;
    }
  }
  if (captures) *captures = std::move(found);
  return true;
}

Router::Match Router::match(boost::beast::http::verb method, std::string_view path) const {
  Match out;
  for (const auto& route : m_routes) {
    if (!matches(route, path, nullptr)) continue;
    const auto name = boost::beast::http::to_string(route.method);
    if (out.allow.find(std::string_view(name.data(), name.size())) == std::string::npos)
      out.allow += (out.allow.empty() ? "" : ", ") + std::string(name);
    if (route.method == method && !out.handler) {
      out.handler = &route.handler;
      matches(route, path, &out.captures);
    }
  }
  return out;
}

}  // namespace callhook::serve
