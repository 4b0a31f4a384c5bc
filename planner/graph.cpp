// Ordering: a dependency graph over the steps, sorted topologically. Edges come from the keys
// each step provides / needs / removes / releases (see Step); when the graph leaves a choice,
// the step with the lowest (phase, insertion order) goes first, so plans are deterministic.
// A cycle (which the generators avoid, e.g. mutual foreign keys are added after both tables) is
// broken by taking the lowest remaining step.
#include <algorithm>
#include <map>
#include <queue>
#include <set>

#include "planner/generators.h"

namespace pgdrift::planner {

std::vector<std::set<size_t>> step_edges(const std::vector<Step>& steps) {
  const size_t n = steps.size();
  std::map<std::string, std::vector<size_t>> providers, removers, releasers;
  for (size_t i = 0; i < n; ++i) {
    for (const auto& k : steps[i].provides) providers[k].push_back(i);
    for (const auto& k : steps[i].removes) removers[k].push_back(i);
    for (const auto& k : steps[i].releases) releasers[k].push_back(i);
  }
  std::vector<std::set<size_t>> out_edges(n);
  auto edge = [&](size_t before, size_t after) {
    if (before != after) out_edges[before].insert(after);
  };
  auto each = [](const std::map<std::string, std::vector<size_t>>& index, const std::string& key,
                 auto fn) {
    auto it = index.find(key);
    if (it != index.end())
      for (size_t j : it->second) fn(j);
  };
  for (size_t i = 0; i < n; ++i) {
    const Step& s = steps[i];
    // What this step needs is created first.
    // A step that itself needs `k` only modifies it (e.g. ALTER TABLE): such modifiers keep
    // their phase order among themselves, while creators always come first.
    for (const auto& k : s.needs)
      each(providers, k, [&](size_t j) {
        const auto& pn = steps[j].needs;
        bool modifier = std::find(pn.begin(), pn.end(), k) != pn.end();
        if (!modifier || std::make_pair(steps[j].phase, j) < std::make_pair(s.phase, i)) edge(j, i);
      });
    // An object is dropped before it is created again under the same key.
    for (const auto& k : s.provides) each(removers, k, [&](size_t j) { edge(j, i); });
    // Whatever still relies on an object runs before the object is dropped.
    for (const auto& k : s.removes) each(releasers, k, [&](size_t j) { edge(j, i); });
    for (const auto& k : s.after_removal) each(removers, k, [&](size_t j) { edge(j, i); });
  }
  return out_edges;
}

std::vector<Step> order_steps(std::vector<Step> steps) {
  const size_t n = steps.size();
  const std::vector<std::set<size_t>> out_edges = step_edges(steps);
  std::vector<int> in_degree(n, 0);
  for (const auto& targets : out_edges)
    for (size_t j : targets) ++in_degree[j];
  using Entry = std::pair<std::pair<int, size_t>, size_t>;  // ((phase, index), index)
  std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>> ready;
  for (size_t i = 0; i < n; ++i)
    if (in_degree[i] == 0) ready.push({{steps[i].phase, i}, i});
  std::vector<bool> done(n, false);
  std::vector<Step> ordered;
  ordered.reserve(n);
  while (ordered.size() < n) {
    size_t next;
    if (!ready.empty()) {
      next = ready.top().second;
      ready.pop();
      if (done[next]) continue;
    } else {
      // Cycle: take the lowest remaining step.
      next = n;
      for (size_t i = 0; i < n; ++i)
        if (!done[i] && (next == n || std::make_pair(steps[i].phase, i) <
                                          std::make_pair(steps[next].phase, next)))
          next = i;
    }
    done[next] = true;
    ordered.push_back(steps[next]);
    for (size_t j : out_edges[next])
      if (--in_degree[j] == 0 && !done[j]) ready.push({{steps[j].phase, j}, j});
  }
  for (size_t i = 0; i < ordered.size(); ++i) ordered[i].id = static_cast<int>(i + 1);
  return ordered;
}

}  // namespace pgdrift::planner
