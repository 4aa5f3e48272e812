#include "explore/shrink.hpp"

#include <algorithm>

namespace callhook::explore {
namespace {

bool remove_a_step(std::vector<Step>& steps, const Oracle& fails) {
  for (std::size_t i = 0; steps.size() > 1 && i < steps.size(); ++i) {
    std::vector<Step> fewer = steps;
    fewer.erase(fewer.begin() + static_cast<std::ptrdiff_t>(i));
    if (fails(fewer) && !fails(planned_control(fewer))) {
      steps = std::move(fewer);
      return true;
    }
  }
  return false;
}

// Two steps at once: a delivery that only makes sense with another (a call
// leg's start and end, each probed) goes with it.
bool remove_two_steps(std::vector<Step>& steps, const Oracle& fails) {
  for (std::size_t i = 0; steps.size() > 2 && i < steps.size(); ++i)
    for (std::size_t j = i + 1; j < steps.size(); ++j) {
      std::vector<Step> fewer = steps;
      fewer.erase(fewer.begin() + static_cast<std::ptrdiff_t>(j));
      fewer.erase(fewer.begin() + static_cast<std::ptrdiff_t>(i));
      if (fails(fewer) && !fails(planned_control(fewer))) {
        steps = std::move(fewer);
        return true;
      }
    }
  return false;
}

bool remove_a_copy(std::vector<Step>& steps, const Oracle& fails) {
  for (std::size_t i = 0; i < steps.size(); ++i) {
    if (steps[i].copies <= 1) continue;
    std::vector<Step> fewer = steps;
    --fewer[i].copies;
    if (fails(fewer)) {
      steps = std::move(fewer);
      return true;
    }
  }
  return false;
}

bool undo_a_swap(std::vector<Step>& steps, const Oracle& fails) {
  for (std::size_t i = 0; i + 1 < steps.size(); ++i) {
    if (steps[i].delivery <= steps[i + 1].delivery) continue;
    std::vector<Step> swapped = steps;
    std::swap(swapped[i], swapped[i + 1]);
    if (fails(swapped)) {
      steps = std::move(swapped);
      return true;
    }
  }
  return false;
}

}  // namespace

std::vector<Step> planned_control(std::vector<Step> steps) {
  for (Step& step : steps) step.copies = 1;
  std::sort(steps.begin(), steps.end(), [](const Step& a, const Step& b) { return a.delivery < b.delivery; });
  steps.erase(std::unique(steps.begin(), steps.end()), steps.end());
  return steps;
}

std::vector<Step> shrink(std::vector<Step> failing, const Oracle& fails) {
  while (remove_a_step(failing, fails) || remove_two_steps(failing, fails) || remove_a_copy(failing, fails) ||
         undo_a_swap(failing, fails)) {
  }
  return failing;
}

}  // namespace callhook::explore
