// Apply's live progress (docs/apply.md, "Progress"): a line when each step starts and one when
// it ends; on a terminal, while a step runs, one line rewritten every second with its elapsed
// time, whether it waits for a lock, and for index builds the share of blocks done
// (pg_stat_progress_create_index), read on a connection of its own.
#pragma once

#include <memory>
#include <ostream>
#include <string>

#include "planner/apply.h"

namespace pgdrift::planner {

class ProgressPrinter : public ApplyObserver {
 public:
  // `apply_pid`: the applying session's server process. `live`: rewrite a status line every
  // second while a step runs (a terminal); else only the start and end lines.
  ProgressPrinter(std::string conninfo, int apply_pid, std::ostream& out, bool live);
  ~ProgressPrinter() override;
  ProgressPrinter(const ProgressPrinter&) = delete;
  ProgressPrinter& operator=(const ProgressPrinter&) = delete;

  void step_started(const Step& step, size_t position, size_t count) override;
  void step_finished(const Step& step, const StepOutcome& outcome) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pgdrift::planner
