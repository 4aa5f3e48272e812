#pragma once
// A min-heap with four children per node. The engine's queue holds every
// planned attempt of every live call (a hundred thousand and more at max
// speed), and taking the earliest is on the path of every delivery: a
// four-way heap is half as deep as a binary one, and a node's children sit
// side by side in memory, so a pop touches about half as many cache lines.
#include <cstddef>
#include <utility>
#include <vector>

namespace callhook::engine {

// T needs `bool operator>(const T&) const`; top() is the least value.
template <class T>
class MinHeap {
 public:
  bool empty() const { return m_values.empty(); }
  std::size_t size() const { return m_values.size(); }
  const T& top() const { return m_values.front(); }

  void push(T value) {
    std::size_t at = m_values.size();
    m_values.push_back(std::move(value));
    while (at > 0) {
      const std::size_t parent = (at - 1) / k_arity;
      if (!(m_values[parent] > m_values[at])) break;
      std::swap(m_values[parent], m_values[at]);
      at = parent;
    }
  }

  void pop() {
    m_values.front() = std::move(m_values.back());
    m_values.pop_back();
    const std::size_t n = m_values.size();
    std::size_t at = 0;
    for (;;) {
      const std::size_t first = at * k_arity + 1;
      if (first >= n) break;
      std::size_t least = first;
      const std::size_t last = first + k_arity < n ? first + k_arity : n;
      for (std::size_t c = first + 1; c < last; ++c)
        if (m_values[least] > m_values[c]) least = c;
      if (!(m_values[at] > m_values[least])) break;
      std::swap(m_values[at], m_values[least]);
      at = least;
    }
  }

 private:
  static constexpr std::size_t k_arity = 4;
  std::vector<T> m_values;
};

}  // namespace callhook::engine
