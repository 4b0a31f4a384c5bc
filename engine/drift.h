// Drift detection: how a live schema differs from the desired one, as a report that CI can
// gate on (docs/drift.md). Drift is a view of the one comparison, the typed diff
// (engine/diff.h): the diff decides what changed, and the canonical JSON of each changed
// object (schema/json.h) names the attributes that differ, by path.
//
// Entries name objects the way the planner names its steps (qualified keys; members of a table
// as "<table key>.<quoted name>"; indexes as "<schema>.<index>"), so the caller can attach the
// planner's fix statements to them with attach_fix_steps. The engine does not depend on the
// planner: fix steps arrive as plain data.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/diff.h"
#include "schema/model.h"

namespace pgdrift::engine {

enum class DriftKind {
  Missing,     // in the desired schema, not in the database
  Unexpected,  // in the database, not in the desired schema
  Differs,     // in both, with different attributes
};
enum class DriftSeverity { Error, Warning };

std::string drift_kind_name(DriftKind kind);              // "missing" | "unexpected" | "differs"
std::string drift_severity_name(DriftSeverity severity);  // "error" | "warning"

// One attribute that differs. `path` is relative to the top-level object and walks the model
// JSON: "columns.amount.type", "constraints.goals_pkey.columns", "comment". A value that is
// absent on one side (a defaulted field) is null, except booleans, which read as false.
struct AttributeDifference {
  std::string path;
  nlohmann::json desired;
  nlohmann::json live;
  // What the difference means when the values alone do not say it (an index's `valid`: why
  // an INVALID index exists and what the fix does); empty for most.
  std::string note{};
};

// One statement of the plan that fixes an entry (live -> desired), with its hazard codes.
struct FixStep {
  std::string statement;
  std::vector<std::string> hazards;  // planner hazard codes: "table_rewrite", ...
};

struct DriftEntry {
  // schema, extension, table, column, constraint, index, trigger, policy, view,
  // materialized_view, sequence, enum, composite_type, domain, function, procedure, aggregate,
  // collation
  std::string object_kind;
  std::string name;    // qualified name, e.g. "public.expenses.amount"
  std::string parent;  // owning table / view key for members, empty for top-level objects
  DriftKind kind = DriftKind::Differs;
  DriftSeverity severity = DriftSeverity::Error;
  std::vector<AttributeDifference> differences;  // Differs only
  // Where the desired object is defined; for an unexpected member, where its desired owner is.
  schema::SourceLocation location;
  std::vector<FixStep> fix;
  bool ignored = false;
  std::string ignored_by;  // the matching rule, "rule (file:line)"
};

// A top-level object that was compared (for reports that list passing objects, e.g. JUnit).
struct CheckedObject {
  std::string object_kind;
  std::string name;
  schema::SourceLocation location;  // desired location, empty when only live
};

// The result for one database (or replayed migration history).
struct DatabaseDrift {
  std::string label;  // shown name, never with a password
  // Position in the full list of targets (0-based, --db order or targets file order), kept by
  // every shard so that `pgdrift report merge` restores the order of a single run.
  size_t target_index = 0;
  std::optional<std::string> error;  // set when the database could not be read: no entries
  std::vector<DriftEntry> entries;   // sorted by owner, then member, then kind
  std::vector<CheckedObject> checked;
  std::vector<FixStep> other_fix;  // plan steps that matched no entry
  size_t drift_count() const;      // entries not ignored
  size_t ignored_count() const;
};

// `drift --shard K/N`: this run checked the targets at positions i with i % N == K.
struct DriftShard {
  size_t index = 0;
  size_t count = 1;
  bool operator==(const DriftShard&) const = default;
};

struct DriftReport {
  std::string desired;              // the desired source as given
  std::optional<DriftShard> shard;  // set by a sharded run
  std::vector<DatabaseDrift> databases;
  size_t drift_count() const;
  size_t error_count() const;  // databases that could not be read
  // 2 when any database could not be read, else 1 when any entry is not ignored, else 0.
  int exit_code() const;
};

// Severity rule (docs/drift.md): Warning for an unexpected index and for a difference that is
// only in comments; Error for everything else.
DriftSeverity drift_severity(const DriftEntry& entry);

// The drift of `live` from `desired`, as a view of the typed diff `changes` =
// diff_models(live, desired): one entry per changed object (an added object is missing, a
// dropped one unexpected), its comment and grant changes among its attributes. So there is
// drift exactly when the diff, and therefore the plan, is not empty. `desired` and `live` give
// source locations and the list of checked objects.
DatabaseDrift drift_from_changes(const Changes& changes, const schema::Model& desired,
                                 const schema::Model& live);
// drift_from_changes(diff_models(live, desired, options), desired, live)
DatabaseDrift compute_drift(const schema::Model& desired, const schema::Model& live,
                            const DiffOptions& options = {});

// A plan step as plain data, for attach_fix_steps.
struct NamedFixStep {
  std::string object_kind;
  std::string object_name;
  FixStep step;
};
// Attach each step to the entry of the same name, else to the entry of its owner (longest name
// prefix followed by "."), else to db.other_fix. Order of the steps is kept.
void attach_fix_steps(DatabaseDrift& db, const std::vector<NamedFixStep>& steps);

// Renderers (engine/drift_render_*.cpp). Outputs end with a newline.
struct TextRenderOptions {
  bool color = false;  // ANSI colours (the CLI sets it for a TTY without NO_COLOR)
};
// What a report needs at its end, counted while its databases go by: a streamed report keeps
// these and nothing else of the databases already written.
struct DriftTotals {
  size_t databases = 0;
  size_t with_drift = 0;  // readable databases with an entry not ignored
  size_t errors = 0;      // databases that could not be read
  size_t drift = 0;       // entries not ignored, all databases
  size_t ignored = 0;     // ignored entries, all databases
  void add(const DatabaseDrift& db);
  // 2 when any database could not be read, else 1 when any entry is not ignored, else 0.
  int exit_code() const;
};
// A drift report written as it goes: begin(), then each database in report order as soon as it
// is known, then end(). Every format is one DriftWriter (engine/drift_render_<format>.cpp);
// the whole-report functions below run the same writer over a DriftReport, so a streamed
// report and a whole one are the same bytes.
class DriftWriter {
 public:
  DriftWriter(std::ostream& out, std::string desired, std::optional<DriftShard> shard)
      : out_(out), desired_(std::move(desired)), shard_(shard) {}
  virtual ~DriftWriter() = default;
  void begin() { write_begin(); }
  void add(const DatabaseDrift& db) {
    totals_.add(db);
    write_database(db, totals_.databases == 1);
  }
  void end() { write_end(); }
  const DriftTotals& totals() const { return totals_; }

 protected:
  virtual void write_begin() = 0;
  virtual void write_database(const DatabaseDrift& db, bool first) = 0;
  virtual void write_end() = 0;  // totals() counts every database
  std::ostream& out_;
  std::string desired_;
  std::optional<DriftShard> shard_;

 private:
  DriftTotals totals_;
};
// The formats of `drift --format` and `report merge --format`.
inline const std::vector<std::string> kDriftFormats = {"text", "json", "junit", "sarif", "github"};
// A writer for one of kDriftFormats (anything else: text).
std::unique_ptr<DriftWriter> make_drift_writer(const std::string& format, std::ostream& out,
                                               const std::string& desired,
                                               const std::optional<DriftShard>& shard,
                                               const TextRenderOptions& options = {});
std::unique_ptr<DriftWriter> make_drift_text_writer(std::ostream& out, const std::string& desired,
                                                    const std::optional<DriftShard>& shard,
                                                    const TextRenderOptions& options);
std::unique_ptr<DriftWriter> make_drift_json_writer(std::ostream& out, const std::string& desired,
                                                    const std::optional<DriftShard>& shard);
std::unique_ptr<DriftWriter> make_drift_junit_writer(std::ostream& out, const std::string& desired,
                                                     const std::optional<DriftShard>& shard);
std::unique_ptr<DriftWriter> make_drift_sarif_writer(std::ostream& out, const std::string& desired,
                                                     const std::optional<DriftShard>& shard);
std::unique_ptr<DriftWriter> make_drift_github_writer(std::ostream& out, const std::string& desired,
                                                      const std::optional<DriftShard>& shard);
// The whole report through make_drift_writer(format).
std::string render_drift(const DriftReport& report, const std::string& format,
                         const TextRenderOptions& options = {});
std::string render_drift_text(const DriftReport& report, const TextRenderOptions& options = {});
std::string render_drift_json(const DriftReport& report);  // docs/drift-json.md
std::string render_drift_junit(const DriftReport& report);
std::string render_drift_sarif(const DriftReport& report);   // SARIF 2.1.0
std::string render_drift_github(const DriftReport& report);  // workflow commands
// `value.dump(2)` as it reads `indent` spaces deep inside a larger document dumped with
// indent 2: how the JSON and SARIF writers print one piece at a time.
std::string dump_json_at(const nlohmann::json& value, size_t indent);

// Reading a JSON drift report back (engine/drift_read_json.cpp): the lossless format, for
// `pgdrift report merge`. Bounded like every JSON reader (schema::parse_json_text; files up
// to kMaxDriftReportBytes).
class DriftReadError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
inline constexpr size_t kMaxDriftReportBytes = size_t{1} << 30;
struct DriftReportFile {
  std::string name;  // the file, for messages
  DriftReport report;
  int exit_code = 0;  // as the report says
};
// Throws DriftReadError "FILE: message" (FILE:LINE:COLUMN for text that is not JSON).
DriftReportFile read_drift_json(const std::string& text, const std::string& filename);
DriftReportFile read_drift_json_file(const std::string& path);
// The report one unsharded run would have given: the databases of every file in target order.
// Throws DriftReadError when the files do not belong together: different desired sources, a
// target index twice, shards of different counts, the same shard twice or a shard missing.
// `exit_code` is the worst of the files' (2 > 1 > 0).
DriftReportFile merge_drift_reports(std::vector<DriftReportFile> files);
// A report file's text, refused (DriftReadError) above kMaxDriftReportBytes or when unreadable.
std::string read_drift_report_text(const std::string& path);
// Throws DriftReadError unless the files (name, shard) are every shard of one run exactly once
// (all with the same count), or all unsharded.
void check_drift_shards(
    const std::vector<std::pair<std::string, std::optional<DriftShard>>>& files);

// Structural merges of pgdrift's own SARIF and JUnit reports (the shards of one run; the same
// format in and out): SARIF's results of one run (same tool and rules, same desired schema) and
// JUnit's test suites, in target order (SARIF's result property targetIndex, JUnit's testsuite
// id), the exit code the worst (SARIF: the invocations'; JUnit: 2 for an error, 1 for a failure).
// Throws DriftReadError for files that are not such reports or do not belong together.
struct MergedDriftText {
  std::string text;
  int exit_code = 0;
};
MergedDriftText merge_drift_sarif(const std::vector<std::pair<std::string, std::string>>& files);
MergedDriftText merge_drift_junit(const std::vector<std::pair<std::string, std::string>>& files);

// Escaping of GitHub workflow commands (`::error file=F,title=T::message`): the message part,
// and a property value (which also escapes ':' and ','). Shared with `pgdrift lint`.
std::string github_escape_data(const std::string& text);
std::string github_escape_property(const std::string& text);

// Shared by the renderers: "missing column public.users.timezone".
std::string describe_entry(const DriftEntry& entry);
// "numeric(12,2)" for a string, "(none)" for null, JSON text otherwise.
std::string difference_value_text(const nlohmann::json& value);
// "columns.amount.type: desired numeric(12,2), live double precision", then " (note)" when the
// difference has one: how every renderer but JSON writes a difference.
std::string describe_difference(const AttributeDifference& difference);

}  // namespace pgdrift::engine
