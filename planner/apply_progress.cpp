#include "planner/apply_progress.h"

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <pqxx/pqxx>
#include <thread>

#include "engine/changes.h"
#include "schema/live/connection.h"

namespace pgdrift::planner {

namespace {

using Clock = std::chrono::steady_clock;

// What the applying session is doing now: waiting for a lock, or how far an index build is.
const char* kActivity =
    "SELECT coalesce(a.wait_event_type, ''), coalesce(a.wait_event, ''), "
    "coalesce(p.phase, ''), CASE WHEN p.blocks_total > 0 "
    "THEN round(100.0 * p.blocks_done / p.blocks_total) "
    "WHEN p.tuples_total > 0 THEN round(100.0 * p.tuples_done / p.tuples_total) END "
    "FROM pg_catalog.pg_stat_activity a "
    "LEFT JOIN pg_catalog.pg_stat_progress_create_index p ON p.pid = a.pid WHERE a.pid = $1";

std::string seconds_text(double seconds) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, seconds < 10 ? "%.1f s" : "%.0f s", seconds);
  return buffer;
}

}  // namespace

struct ProgressPrinter::Impl {
  std::string conninfo;
  int pid = 0;
  std::ostream& out;
  bool live = false;
  std::unique_ptr<pqxx::connection> connection;  // opened on the first tick
  bool connection_failed = false;

  std::mutex mutex;
  std::condition_variable wake;
  bool running = false;
  std::thread ticker;
  std::string label;  // "step 3/12"
  Clock::time_point started;

  Impl(std::string c, int p, std::ostream& o, bool l)
      : conninfo(std::move(c)), pid(p), out(o), live(l) {}

  std::string activity() {
    if (connection_failed) return "";
    try {
      if (!connection) connection = schema::live::connect(conninfo);
      pqxx::nontransaction work(*connection);
      const pqxx::result r = work.exec_params(kActivity, pid);
      if (r.empty()) return "";
      const std::string wait_type = r[0][0].c_str(), wait = r[0][1].c_str();
      const std::string phase = r[0][2].c_str();
      if (wait_type == "Lock") return "waiting for a lock (" + wait + ")";
      if (!phase.empty())
        return phase + (r[0][3].is_null() ? "" : " " + std::string(r[0][3].c_str()) + " %");
      return "";
    } catch (const std::exception&) {
      connection_failed = true;  // progress is a courtesy: the apply goes on
      return "";
    }
  }

  void tick_loop() {
    std::unique_lock lock(mutex);
    while (running) {
      if (wake.wait_for(lock, std::chrono::seconds(1), [this] { return !running; })) break;
      const double elapsed = std::chrono::duration<double>(Clock::now() - started).count();
      lock.unlock();
      const std::string doing = activity();
      lock.lock();
      if (!running) break;
      out << "\r\033[K  " << label << "  running " << seconds_text(elapsed)
          << (doing.empty() ? "" : ", " + doing) << std::flush;
    }
  }

  void stop_ticker() {
    {
      std::lock_guard lock(mutex);
      running = false;
    }
    wake.notify_all();
    if (ticker.joinable()) ticker.join();
  }
};

ProgressPrinter::ProgressPrinter(std::string conninfo, int apply_pid, std::ostream& out, bool live)
    : impl_(std::make_unique<Impl>(std::move(conninfo), apply_pid, out, live)) {}

ProgressPrinter::~ProgressPrinter() { impl_->stop_ticker(); }

void ProgressPrinter::step_started(const Step& step, size_t position, size_t count) {
  impl_->stop_ticker();
  impl_->label = "step " + std::to_string(position) + "/" + std::to_string(count);
  impl_->started = Clock::now();
  impl_->out << impl_->label << " started: " << engine::change_kind_name(step.change_kind) << " "
             << step.object_kind << " " << step.object_name
             << (step.lock.empty() ? "" : " (" + step.lock + ")") << "\n"
             << std::flush;
  if (!impl_->live) return;
  impl_->running = true;
  impl_->ticker = std::thread([this] { impl_->tick_loop(); });
}

void ProgressPrinter::step_finished(const Step&, const StepOutcome& outcome) {
  impl_->stop_ticker();
  const double elapsed = std::chrono::duration<double>(Clock::now() - impl_->started).count();
  impl_->out << (impl_->live ? "\r\033[K" : "") << impl_->label
             << (outcome.status == StepStatus::Failed ? " FAILED after " : " done in ")
             << seconds_text(elapsed) << "\n"
             << std::flush;
}

}  // namespace pgdrift::planner
