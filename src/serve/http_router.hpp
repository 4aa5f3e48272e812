#pragma once
// Routes: a method and a path pattern to a handler. A pattern's "{}"
// segment matches any one segment and "{#}" one of digits; both are handed
// to the handler as captures. Knows which methods a path has, for 405 and
// its Allow header.
#include <boost/beast/http/verb.hpp>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "serve/http_message.hpp"

namespace callhook::serve {

class Exchange;
using Handler = std::function<void(ApiRequest&, const std::shared_ptr<Exchange>&)>;

class Router {
 public:
  void add(boost::beast::http::verb method, std::string_view pattern, Handler handler);

  struct Match {
    const Handler* handler = nullptr;   // nullptr: no route for this method (see allow)
    std::vector<std::string> captures;  // with a handler
    std::string allow;                  // "GET, DELETE": the path's methods; "" when no route has the path
  };
  Match match(boost::beast::http::verb method, std::string_view path) const;

 private:
  struct Route {
    boost::beast::http::verb method;
    std::vector<std::string> segments;
    Handler handler;
  };
  static bool matches(const Route& route, std::string_view path, std::vector<std::string>* captures);

  std::vector<Route> m_routes;
};

}  // namespace callhook::serve
