#include "serve/http_exchange.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <optional>

#include "serve/worker_pool.hpp"

namespace callhook::serve {
namespace {

// How often a wait looks at its condition and at the server stopping.
constexpr std::chrono::milliseconds k_poll{50};

}  // namespace

void ServerCore::post(std::function<void()> fn) {
  std::lock_guard lock(m_mutex);
  if (m_io) boost::asio::post(*m_io, std::move(fn));
}

void ServerCore::attach(boost::asio::io_context* io) {
  std::lock_guard lock(m_mutex);
  m_io = io;
}

struct Exchange::Wait {
  explicit Wait(const boost::asio::any_io_executor& executor) : timer(executor) {}
  boost::asio::steady_timer timer;
  std::uint64_t generation = 0;
  std::chrono::steady_clock::time_point deadline;
  std::function<bool()> ready;
  std::function<ApiResponse()> answer;
};

Exchange::Exchange(std::shared_ptr<ServerCore> core, boost::asio::any_io_executor executor)
    : m_core(std::move(core)), m_executor(std::move(executor)) {}

void Exchange::respond(ApiResponse response) {
  if (m_answered) return;
  m_answered = true;
  write_response(std::move(response));
}

void Exchange::offload(std::function<ApiResponse()> work, Lane lane, const Hold& hold) {
  // The worker leaves its answer here and wakes the io thread; the wait
  // below answers with it, or with 503 when the server stops first.
  struct Result {
    std::mutex mutex;
    std::optional<ApiResponse> response;
  };
  auto result = std::make_shared<Result>();
  auto task = [work = std::move(work), result, weak = weak_from_this(), core = m_core]() mutable {
    ApiResponse response;
    try {
      response = work();
    } catch (const std::exception& e) {
      response = error_response(500, std::string("internal error: ") + e.what());
    }
    {
      std::lock_guard lock(result->mutex);
      result->response = std::move(response);
    }
    core->post([weak] {
      if (auto self = weak.lock()) self->wake();
    });
  };
  WorkerPool* pool = lane == Lane::remote ? m_core->remote_pool : m_core->pool;
  if (!pool || !pool->try_submit(std::move(task))) {
    ApiResponse busy = error_response(503, "every worker is busy; try again shortly");
    busy.headers.emplace_back("Retry-After", "1");
    return respond(std::move(busy));
  }
  const auto held = [hold](const ApiResponse& response) {
    return hold.done && response.status >= 200 && response.status < 300;
  };
  wait_until(
      std::chrono::steady_clock::time_point::max(),
      [result, hold, held] {
        std::lock_guard lock(result->mutex);
        if (!result->response) return false;
        return !held(*result->response) || hold.done() || std::chrono::steady_clock::now() >= hold.until;
      },
      [result, hold, held] {
        std::lock_guard lock(result->mutex);
        if (!result->response) return error_response(503, "the server is stopping");
        if (held(*result->response)) return hold.refresh(std::move(*result->response));
        return std::move(*result->response);
      });
}

void Exchange::wake() {
  if (m_wait) m_wait->timer.cancel();
}

void Exchange::wait_until(std::chrono::steady_clock::time_point deadline, std::function<bool()> ready,
                          std::function<ApiResponse()> answer) {
  auto wait = std::make_shared<Wait>(m_executor);
  wait->generation = m_generation;
  wait->deadline = deadline;
  wait->ready = std::move(ready);
  wait->answer = std::move(answer);
  m_wait = wait;
  poll(wait);
}

void Exchange::poll(const std::shared_ptr<Wait>& wait) {
  if (wait->generation != m_generation || m_answered) return;
  const auto now = std::chrono::steady_clock::now();
  if (wait->ready() || stopping() || now >= wait->deadline) {
    m_wait.reset();
    return respond(wait->answer());
  }
  wait->timer.expires_after(std::min<std::chrono::steady_clock::duration>(k_poll, wait->deadline - now));
  wait->timer.async_wait([self = shared_from_this(), wait](const boost::system::error_code&) { self->poll(wait); });
}

}  // namespace callhook::serve
