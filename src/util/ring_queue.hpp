#pragma once
// A first-in first-out queue on one reused array: once it has grown to the
// most values it held at once, pushing and popping allocate nothing (a
// std::deque allocates a block every few large values as it moves along).
#include <cstddef>
#include <utility>
#include <vector>

namespace callhook::util {

template <class T>
class RingQueue {
 public:
  bool empty() const { return m_size == 0; }
  std::size_t size() const { return m_size; }
  // Slots allocated so far; grows by doubling, never shrinks.
  std::size_t capacity() const { return m_slots.size(); }

  void push_back(T value) {
    if (m_size == m_slots.size()) grow();
    m_slots[(m_head + m_size) % m_slots.size()] = std::move(value);
    ++m_size;
  }
  T& front() { return m_slots[m_head]; }
  const T& front() const { return m_slots[m_head]; }
  // The slot keeps the moved-from value until it is pushed over again.
  void pop_front() {
    m_head = (m_head + 1) % m_slots.size();
    --m_size;
  }

 private:
  void grow() {
    std::vector<T> bigger(m_slots.empty() ? 8 : 2 * m_slots.size());
    for (std::size_t i = 0; i < m_size; ++i) bigger[i] = std::move(m_slots[(m_head + i) % m_slots.size()]);
    m_slots = std::move(bigger);
    m_head = 0;
  }

  std::vector<T> m_slots;
  std::size_t m_head = 0;  // the front's slot
  std::size_t m_size = 0;
};

}  // namespace callhook::util
