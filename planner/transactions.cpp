// Transaction boundaries of a plan and the safe-point rule (planner/plan.h, arrange_transactions;
// docs/planner.md, "Safe points").
//
// A *missing span* is the stretch of the ordered plan in which something the source had and the
// target keeps is absent: it opens at the step that removes a key ("view:public.v",
// "constraint:public.t.c", ...) that a later step provides again, and closes at the last later
// step that provides that key or needs it to restore what the object had (its comment, grants,
// indexes; not a later VALIDATE, which runs apart by design).
// Overlapping spans merge into *blocks*. A commit inside a block would leave the database
// incomplete, so each block runs inside one transaction, and the steps that must run apart
// (non-transactional, validations, backfills) are placed outside every block.
#include <algorithm>
#include <map>
#include <set>

#include "planner/generators.h"
#include "planner/plan.h"

namespace pgdrift::planner {

namespace {

bool has_hazard(const Step& step, Hazard hazard) {
  return std::find(step.hazards.begin(), step.hazards.end(), hazard) != step.hazards.end();
}

// Validations and backfills run in a transaction of their own: the online forms exist so that
// the long scan or UPDATE does not hold the strong lock of the step before it (NOT VALID add,
// ADD COLUMN), and a lock is held until its transaction ends.
bool runs_apart(const Step& step) {
  return has_hazard(step, Hazard::ValidationScan) || has_hazard(step, Hazard::Backfill);
}

bool needs_own_group(const Step& step) { return !step.transactional || runs_apart(step); }

// "CREATE [UNIQUE] INDEX CONCURRENTLY" / "DROP INDEX CONCURRENTLY": the in-transaction form is
// the same statement without CONCURRENTLY. Anything else that cannot run in a transaction
// (ALTER TYPE ... ADD VALUE: its value is unusable until committed) has no such form.
bool strip_concurrently(std::string& statement) {
  static const std::string kWord = " CONCURRENTLY ";
  size_t index = statement.find(" INDEX");
  if (index == std::string::npos) return false;
  size_t at = statement.find(kWord, index);
  if (at == std::string::npos || at != statement.find(" ", index + 1)) return false;
  statement.erase(at, kWord.size() - 1);
  return true;
}

// Makes a step that wanted to run apart run inside the surrounding transaction; false when the
// step has no in-transaction form.
bool run_in_transaction(Step& step, const std::string& why) {
  if (!step.transactional && step.in_transaction_form) {
    // A batched backfill commits after each batch, which a transaction block forbids: its
    // single UPDATE instead (row locks on every row until the surrounding transaction ends).
    step.statement = step.in_transaction_form->statement;
    step.lock = step.in_transaction_form->lock;
    step.note = step.in_transaction_form->note;
    step.in_transaction_form.reset();
    step.transactional = true;
  } else if (!step.transactional) {
    if (!strip_concurrently(step.statement)) return false;
    step.transactional = true;
    step.hazards.erase(
        std::remove(step.hazards.begin(), step.hazards.end(), Hazard::NotTransactional),
        step.hazards.end());
    const bool build = step.statement.rfind("CREATE", 0) == 0;
    step.hazards.push_back(build ? Hazard::BlocksWrites : Hazard::AccessExclusiveLock);
    step.lock = build ? "SHARE" : "ACCESS EXCLUSIVE";
    step.note.clear();  // what it said was about the concurrent form
  }
  // A step that runs apart only to keep a strong lock short (validation, backfill) needs no
  // other form: inside the transaction it runs while the lock of the step before it is held.
  step.note += (step.note.empty() ? "" : "; ") + why;
  std::sort(step.hazards.begin(), step.hazards.end());
  step.hazards.erase(std::unique(step.hazards.begin(), step.hazards.end()), step.hazards.end());
  return true;
}

struct Block {
  size_t first = 0;  // positions in the current order, inclusive
  size_t last = 0;
};

// The keys the steps remove, provide and need, as small integers (only keys some step removes
// can open a span), so that the blocks of an order are recomputed cheaply.
struct StepKeys {
  std::vector<std::vector<int>> removes, provides, needs;  // by step index
  std::vector<bool> apart;  // needs_own_group(step): does not extend a span
  int count = 0;

  explicit StepKeys(const std::vector<Step>& steps)
      : removes(steps.size()), provides(steps.size()), needs(steps.size()), apart(steps.size()) {
    std::map<std::string, int> ids;
    for (const auto& s : steps)
      for (const auto& k : s.removes) ids.emplace(k, static_cast<int>(ids.size()));
    count = static_cast<int>(ids.size());
    auto intern = [&](const std::vector<std::string>& keys, std::vector<int>& out) {
      for (const auto& k : keys)
        if (auto it = ids.find(k); it != ids.end()) out.push_back(it->second);
    };
    for (size_t i = 0; i < steps.size(); ++i) {
      intern(steps[i].removes, removes[i]);
      intern(steps[i].provides, provides[i]);
      intern(steps[i].needs, needs[i]);
      apart[i] = needs_own_group(steps[i]);
    }
  }
};

// The blocks of `order` (step indexes by position), merged and sorted.
std::vector<Block> missing_blocks(const StepKeys& keys, const std::vector<size_t>& order) {
  std::vector<std::vector<size_t>> removed_at(keys.count), provided_at(keys.count),
      restored_at(keys.count);  // positions, increasing
  for (size_t pos = 0; pos < order.size(); ++pos) {
    const size_t id = order[pos];
    for (int k : keys.removes[id]) removed_at[k].push_back(pos);
    for (int k : keys.provides[id]) {
      provided_at[k].push_back(pos);
      if (!keys.apart[id]) restored_at[k].push_back(pos);
    }
    if (!keys.apart[id])
      for (int k : keys.needs[id]) restored_at[k].push_back(pos);
  }
  std::vector<Block> spans;
  for (int k = 0; k < keys.count; ++k) {
    for (size_t r : removed_at[k]) {
      // The re-creation closes the span ...
      auto next = std::upper_bound(provided_at[k].begin(), provided_at[k].end(), r);
      if (next == provided_at[k].end()) continue;  // dropped for good: not missing, gone
      size_t last = *next;
      // ... and what restores the object's attributes (comment, grants, indexes) belongs to it;
      // a validation or backfill does not: a NOT VALID constraint is enforced for new rows, a
      // nullable column is complete, and they run apart exactly so that they come later.
      if (!restored_at[k].empty()) last = std::max(last, restored_at[k].back());
      spans.push_back({r, last});
    }
  }
  std::sort(spans.begin(), spans.end(),
            [](const Block& a, const Block& b) { return a.first < b.first; });
  std::vector<Block> blocks;
  for (const auto& s : spans) {
    if (!blocks.empty() && s.first <= blocks.back().last)
      blocks.back().last = std::max(blocks.back().last, s.last);
    else
      blocks.push_back(s);
  }
  return blocks;
}

// Blocks are sorted and disjoint: the one holding `pos` is the last that starts at or before it.
const Block* block_at(const std::vector<Block>& blocks, size_t pos) {
  auto it = std::upper_bound(blocks.begin(), blocks.end(), pos,
                             [](size_t p, const Block& b) { return p < b.first; });
  if (it == blocks.begin()) return nullptr;
  --it;
  return pos <= it->last ? &*it : nullptr;
}

class Arranger {
 public:
  explicit Arranger(std::vector<Step>& steps)
      : steps_(steps), keys_(steps), apart_(steps.size(), false) {
    for (size_t i = 0; i < steps.size(); ++i) {
      order_.push_back(i);
      apart_[i] = needs_own_group(steps[i]);
    }
    // Only edges that agree with the graph's order count (a cycle the sort broke is not one).
    auto edges = step_edges(steps);
    after_.resize(steps.size());
    before_.resize(steps.size());
    for (size_t i = 0; i < edges.size(); ++i)
      for (size_t j : edges[i])
        if (i < j) {
          after_[i].push_back(j);
          before_[j].push_back(i);
        }
  }

  // Places every step that runs apart outside the blocks.
  void run(std::vector<std::string>& unsafe) {
    for (size_t guard = 0; guard < 4 * steps_.size() + 4; ++guard) {
      auto blocks = missing_blocks(keys_, order_);
      size_t pos = first_conflict(blocks);
      if (pos == order_.size()) return;
      const Block block = *block_at(blocks, pos);
      const size_t conflicts = count_conflicts(blocks);
      // First all of the block's steps at once (a plan that rebuilds many views has one large
      // block with many validations in it), then one at a time.
      std::vector<size_t> in_block;
      for (size_t p = pos; p <= block.last; ++p)
        if (conflicted_at(blocks, p)) in_block.push_back(p);
      if (in_block.size() > 1 && try_order(move_later(in_block, block), conflicts)) continue;
      const size_t id = order_[pos];
      if (try_order(move_earlier(pos, block), conflicts)) continue;
      if (try_order(move_later({pos}, block), conflicts)) continue;
      if (run_in_transaction(steps_[id],
                             "runs inside the transaction that re-creates what the plan drops "
                             "around it, so that no commit leaves the schema incomplete")) {
        apart_[id] = false;
        keys_.apart[id] = false;
        continue;
      }
      unsafe.push_back("step \"" + steps_[id].statement + "\" (" + steps_[id].object_kind + " " +
                       steps_[id].object_name +
                       ") must run outside a transaction but falls between a drop and its "
                       "re-creation; the commits around it are not safe points (use --atomic)");
      unsafe_ids_.insert(id);
    }
  }

  const std::vector<size_t>& order() const { return order_; }
  bool apart(size_t id) const { return apart_[id]; }

 private:
  bool conflicted_at(const std::vector<Block>& blocks, size_t pos) const {
    size_t id = order_[pos];
    return apart_[id] && !unsafe_ids_.count(id) && block_at(blocks, pos) != nullptr;
  }
  size_t first_conflict(const std::vector<Block>& blocks) const {
    for (size_t pos = 0; pos < order_.size(); ++pos)
      if (conflicted_at(blocks, pos)) return pos;
    return order_.size();
  }
  size_t count_conflicts(const std::vector<Block>& blocks) const {
    size_t n = 0;
    for (size_t pos = 0; pos < order_.size(); ++pos) n += conflicted_at(blocks, pos);
    return n;
  }

  // The step at `pos` and what it depends on inside the block, moved to just before the block.
  std::vector<size_t> move_earlier(size_t pos, const Block& block) const {
    std::vector<bool> moving = closure({pos}, before_, block.first, pos);
    std::vector<size_t> out(order_.begin(), order_.begin() + block.first);
    for (size_t p = block.first; p <= pos; ++p)
      if (moving[order_[p]]) out.push_back(order_[p]);
    for (size_t p = block.first; p < order_.size(); ++p)
      if (!moving[order_[p]]) out.push_back(order_[p]);
    return out;
  }

  // The steps at `positions` (in the block, increasing) and what depends on them inside the
  // block, moved to just after the block.
  std::vector<size_t> move_later(const std::vector<size_t>& positions, const Block& block) const {
    const size_t from = positions.front();
    std::vector<bool> moving = closure(positions, after_, from, block.last);
    std::vector<size_t> out(order_.begin(), order_.begin() + from);
    for (size_t p = from; p <= block.last; ++p)
      if (!moving[order_[p]]) out.push_back(order_[p]);
    for (size_t p = from; p <= block.last; ++p)
      if (moving[order_[p]]) out.push_back(order_[p]);
    out.insert(out.end(), order_.begin() + block.last + 1, order_.end());
    return out;
  }

  // The steps at `positions` and those reachable from them along `edges` whose position lies
  // in [lo, hi], by step index.
  std::vector<bool> closure(const std::vector<size_t>& positions,
                            const std::vector<std::vector<size_t>>& edges, size_t lo,
                            size_t hi) const {
    std::vector<size_t> position(steps_.size());
    for (size_t p = 0; p < order_.size(); ++p) position[order_[p]] = p;
    std::vector<bool> seen(steps_.size(), false);
    std::vector<size_t> todo;
    for (size_t p : positions) {
      seen[order_[p]] = true;
      todo.push_back(order_[p]);
    }
    while (!todo.empty()) {
      size_t cur = todo.back();
      todo.pop_back();
      for (size_t next : edges[cur])
        if (position[next] >= lo && position[next] <= hi && !seen[next]) {
          seen[next] = true;
          todo.push_back(next);
        }
    }
    return seen;
  }

  // Takes `candidate` when it leaves fewer conflicts (so the loop always ends).
  bool try_order(std::vector<size_t> candidate, size_t conflicts) {
    std::swap(order_, candidate);
    if (count_conflicts(missing_blocks(keys_, order_)) < conflicts) return true;
    std::swap(order_, candidate);
    return false;
  }

  std::vector<Step>& steps_;
  StepKeys keys_;
  std::vector<bool> apart_;
  std::vector<size_t> order_;
  std::vector<std::vector<size_t>> after_, before_;
  std::set<size_t> unsafe_ids_;
};

}  // namespace

void arrange_transactions(Plan& plan, bool atomic) {
  plan.atomic = atomic;
  plan.groups.clear();
  plan.unsafe.clear();
  if (plan.steps.empty()) return;
  if (atomic) {
    for (auto& s : plan.steps) {
      // PostgreSQL 12+ runs ALTER TYPE ... ADD VALUE in a transaction block; only using the
      // new value before the commit fails (55P04), and then the whole plan rolls back.
      if (!s.transactional && s.statement.find(" ADD VALUE ") != std::string::npos) {
        s.transactional = true;
        s.note += std::string(s.note.empty() ? "" : "; ") +
                  "--atomic: the new value cannot be used by later steps of the transaction";
      }
      if (needs_own_group(s) &&
          !run_in_transaction(s, "--atomic: runs in the plan's single transaction"))
        plan.unsafe.push_back("step \"" + s.statement + "\" (" + s.object_kind + " " +
                              s.object_name + ") cannot run inside a transaction block");
    }
    StepGroup all;
    for (size_t i = 0; i < plan.steps.size(); ++i) all.steps.push_back(i);
    if (!plan.unsafe.empty()) {
      // PostgreSQL would refuse the statement in the transaction: keep the plan runnable by
      // running it first, alone, and say so.
      StepGroup only_transactional;
      for (size_t i = 0; i < plan.steps.size(); ++i) {
        if (plan.steps[i].transactional)
          only_transactional.steps.push_back(i);
        else
          plan.groups.push_back({false, {i}, false});
      }
      if (!only_transactional.steps.empty()) plan.groups.push_back(only_transactional);
    } else {
      plan.groups.push_back(all);
    }
    return;
  }

  Arranger arranger(plan.steps);
  arranger.run(plan.unsafe);
  std::vector<Step> ordered;
  std::vector<bool> apart;
  for (size_t id : arranger.order()) {
    ordered.push_back(std::move(plan.steps[id]));
    apart.push_back(arranger.apart(id));
  }
  plan.steps = std::move(ordered);
  for (size_t i = 0; i < plan.steps.size(); ++i) plan.steps[i].id = static_cast<int>(i + 1);

  std::vector<size_t> positions(plan.steps.size());
  for (size_t i = 0; i < positions.size(); ++i) positions[i] = i;
  const auto blocks = missing_blocks(StepKeys(plan.steps), positions);
  bool open = false;  // the last group is a transaction later steps may join
  for (size_t i = 0; i < plan.steps.size(); ++i) {
    if (apart[i]) {
      plan.groups.push_back({plan.steps[i].transactional, {i}, true});
      open = false;
    } else if (open) {
      plan.groups.back().steps.push_back(i);
    } else {
      plan.groups.push_back({true, {i}, true});
      open = true;
    }
  }
  for (auto& g : plan.groups) {
    const size_t last = g.steps.back();
    const Block* b = block_at(blocks, last);
    if (b && last < b->last) g.safe_point_after = false;
  }
}

std::vector<StepGroup> step_groups(const Plan& plan) {
  if (!plan.groups.empty() || plan.steps.empty()) return plan.groups;
  std::vector<StepGroup> groups;
  bool open = false;
  for (size_t i = 0; i < plan.steps.size(); ++i) {
    const Step& s = plan.steps[i];
    if (needs_own_group(s)) {
      groups.push_back({s.transactional, {i}, true});
      open = false;
    } else if (open) {
      groups.back().steps.push_back(i);
    } else {
      groups.push_back({true, {i}, true});
      open = true;
    }
  }
  return groups;
}

}  // namespace pgdrift::planner
