#include "explore/shrink.hpp"

#include <algorithm>

namespace callhook::explore {
namespace {

// The steps without those at `at` (ascending), in canonical form (a
// delivery sent again may now follow itself).
std::vector<Step> without(const std::vector<Step>& steps, std::initializer_list<std::size_t> at) {
  std::vector<Step> out;
  for (std::size_t i = 0; i < steps.size(); ++i)
    if (std::find(at.begin(), at.end(), i) == at.end()) out.push_back(steps[i]);
  return canonical(std::move(out));
}

// Takes `fewer` when it still fails and its planned control passes.
bool take_if_still_failing(std::vector<Step>& steps, std::vector<Step> fewer, const Oracle& fails) {
  if (!fails(fewer) || fails(planned_control(fewer))) return false;
  steps = std::move(fewer);
  return true;
}

bool remove_a_step(std::vector<Step>& steps, const Oracle& fails) {
  for (std::size_t i = 0; steps.size() > 1 && i < steps.size(); ++i)
    if (take_if_still_failing(steps, without(steps, {i}), fails)) return true;
  return false;
}

// Two steps at once: a delivery that only makes sense with another (a call
// leg's start and end, each probed) goes with it.
bool remove_two_steps(std::vector<Step>& steps, const Oracle& fails) {
  for (std::size_t i = 0; steps.size() > 2 && i < steps.size(); ++i)
    for (std::size_t j = i + 1; j < steps.size(); ++j)
      if (take_if_still_failing(steps, without(steps, {i, j}), fails)) return true;
  return false;
}

bool remove_a_copy(std::vector<Step>& steps, const Oracle& fails) {
  for (std::size_t i = 0; i < steps.size(); ++i) {
    if (steps[i].copies <= 1) continue;
    std::vector<Step> fewer = steps;
    --fewer[i].copies;
    fewer = canonical(std::move(fewer));
    if (fails(fewer)) {
      steps = std::move(fewer);
      return true;
    }
  }
  return false;
}

// Sends a step's copies one after another rather than at once, or lets
// the receiver's acknowledgement through.
bool drop_a_flag(std::vector<Step>& steps, const Oracle& fails) {
  for (std::size_t i = 0; i < steps.size(); ++i) {
    for (bool Step::*flag : {&Step::together, &Step::lost_ack}) {
      if (!(steps[i].*flag)) continue;
      std::vector<Step> plainer = steps;
      plainer[i].*flag = false;
      plainer = canonical(std::move(plainer));
      if (fails(plainer)) {
        steps = std::move(plainer);
        return true;
      }
    }
  }
  return false;
}

bool undo_a_swap(std::vector<Step>& steps, const Oracle& fails) {
  for (std::size_t i = 0; i + 1 < steps.size(); ++i) {
    if (steps[i].delivery <= steps[i + 1].delivery) continue;
    std::vector<Step> swapped = steps;
    std::swap(swapped[i], swapped[i + 1]);
    swapped = canonical(std::move(swapped));
    if (fails(swapped)) {
      steps = std::move(swapped);
      return true;
    }
  }
  return false;
}

}  // namespace

std::vector<Step> planned_control(std::vector<Step> steps) {
  for (Step& step : steps) step = Step{step.delivery, 1, false, false};
  std::sort(steps.begin(), steps.end(), [](const Step& a, const Step& b) { return a.delivery < b.delivery; });
  steps.erase(std::unique(steps.begin(), steps.end()), steps.end());
  return steps;
}

std::vector<Step> shrink(std::vector<Step> failing, const Oracle& fails) {
  while (remove_a_step(failing, fails) || remove_two_steps(failing, fails) || remove_a_copy(failing, fails) ||
         drop_a_flag(failing, fails) || undo_a_swap(failing, fails)) {
  }
  return failing;
}

}  // namespace callhook::explore
