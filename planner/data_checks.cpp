// Post-apply data checks (planner/data_checks.h). What to check comes from the plan's steps
// (their objects and hazards) and the model of the database before it, so a reviewed plan file
// (apply --plan, no target model) is checked the same way.
#include "planner/data_checks.h"

#include <map>
#include <pqxx/pqxx>
#include <regex>
#include <set>

#include "schema/canonical.h"
#include "schema/live/connection.h"
#include "schema/type_conversion.h"

namespace pgdrift::planner {

// Keys are quoted names, so a prefix ending at a dot is the table.
std::string table_of_object(const schema::Model& live, const std::string& object_name) {
  if (live.tables.count(object_name)) return object_name;
  // The longest table key followed by '.': each '.' from the right is a candidate end (a
  // quoted name may hold dots; only a key of the model counts). A lookup per dot, not a scan
  // of the tables per step.
  for (size_t dot = object_name.rfind('.'); dot != std::string::npos && dot > 0;
       dot = object_name.rfind('.', dot - 1)) {
    std::string prefix = object_name.substr(0, dot);
    if (live.tables.count(prefix)) return prefix;
  }
  return "";
}

namespace {

// "public.t" and "conname" of "public.t.conname" / `public."My T"."My T_id_fkey"`: the last
// dot-separated part (quoted parts may hold dots), unquoted.
std::pair<std::string, std::string> split_last(const std::string& name) {
  size_t start;
  std::string last;
  if (!name.empty() && name.back() == '"') {
    size_t i = name.size() - 1;  // the closing quote
    while (true) {
      size_t open = name.rfind('"', i - 1);
      if (open == std::string::npos) return {"", name};
      if (open > 0 && name[open - 1] == '"') {  // a doubled quote inside
        i = open - 1;
        continue;
      }
      start = open;
      break;
    }
    last = name.substr(start + 1, name.size() - start - 2);
    for (size_t p = 0; (p = last.find("\"\"", p)) != std::string::npos; ++p) last.erase(p, 1);
  } else {
    size_t dot = name.rfind('.');
    start = dot == std::string::npos ? 0 : dot + 1;
    last = name.substr(start);
  }
  if (start == 0 || name[start - 1] != '.') return {"", last};
  return {name.substr(0, start - 1), last};
}

const char* kInvalidIndexes =
    "SELECT format('%I.%I', n.nspname, c.relname) FROM pg_catalog.pg_index i "
    "JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid "
    "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE NOT i.indisvalid";

struct ColumnCheck {
  std::string table;
  std::string column;  // unquoted
  std::string old_type;
  bool number = false;  // the old type is a number: its sum is measured
  std::string nulls_before, sum_before, count_before;
};

struct ConstraintCheck {
  std::string table;
  std::string name;  // unquoted
  std::string object;
};

std::string value(pqxx::work& work, const std::string& sql) {
  const pqxx::result r = work.exec(sql);
  return r.empty() || r[0][0].is_null() ? "" : r[0][0].c_str();
}

}  // namespace

bool DataChecks::passed() const {
  for (const auto& c : checks)
    if (!c.ok) return false;
  return true;
}

struct DataValidator::Impl {
  std::map<std::string, std::string> row_counts;  // table -> count before
  std::vector<ColumnCheck> columns;
  std::vector<ConstraintCheck> constraints;
  std::set<std::string> invalid_before;
};

DataValidator::DataValidator(const Plan& plan, const schema::Model& live) : impl_(new Impl) {
  std::set<std::string> dropped;
  for (const auto& s : plan.steps)
    if (s.object_kind == "table" && s.change_kind == engine::ChangeKind::Drop)
      dropped.insert(s.object_name);
  std::set<std::string> seen_columns;
  for (const auto& s : plan.steps) {
    const std::string table = table_of_object(live, s.object_name);
    if (!table.empty() && !dropped.count(table)) impl_->row_counts.emplace(table, "");
    if (s.object_kind == "column" && s.change_kind == engine::ChangeKind::Alter && !table.empty() &&
        s.statement.find(" TYPE ") != std::string::npos &&
        seen_columns.insert(s.object_name).second) {
      const auto [_, column] = split_last(s.object_name);
      for (const auto& c : live.tables.at(table).columns)
        if (c.name == column)
          impl_->columns.push_back(
              {table, column, c.type, schema::is_numeric_category_type(c.type), "", "", ""});
    }
    if (s.object_kind == "constraint" && s.change_kind == engine::ChangeKind::Add) {
      const auto [on, name] = split_last(s.object_name);
      bool known = false;
      for (const auto& c : impl_->constraints) known = known || c.object == s.object_name;
      if (!on.empty() && !known) impl_->constraints.push_back({on, name, s.object_name});
    }
  }
}

DataValidator::~DataValidator() = default;

void DataValidator::measure_before(const std::string& conninfo) {
  auto connection = schema::live::connect(conninfo);
  pqxx::work work(*connection);
  for (auto& [table, count] : impl_->row_counts)
    count = value(work, "SELECT count(*) FROM " + table);
  for (auto& c : impl_->columns) {
    const std::string column = schema::quote_ident(c.column);
    c.nulls_before =
        value(work, "SELECT count(*) FROM " + c.table + " WHERE " + column + " IS NULL");
    if (c.number) {
      c.sum_before =
          value(work, "SELECT coalesce(sum(" + column + "::numeric), 0) FROM " + c.table);
      c.count_before = value(work, "SELECT count(" + column + ") FROM " + c.table);
    }
  }
  for (const auto& row : work.exec(kInvalidIndexes)) impl_->invalid_before.insert(row[0].c_str());
  work.commit();
}

DataChecks DataValidator::measure_after(const std::string& conninfo) {
  auto connection = schema::live::connect(conninfo);
  pqxx::work work(*connection);
  DataChecks out;
  for (const auto& [table, before] : impl_->row_counts) {
    if (value(work, "SELECT to_regclass(" + work.quote(table) + ")::text").empty()) continue;
    DataCheck check{"row_count", table,
                    before,      value(work, "SELECT count(*) FROM " + table),
                    true,        "rows before = rows after"};
    check.ok = check.before == check.after;
    if (!check.ok) check.detail = "the table has " + check.after + " rows, it had " + before;
    out.checks.push_back(check);
  }
  for (const auto& c : impl_->columns) {
    const std::string column = schema::quote_ident(c.column);
    const std::string object = c.table + "." + column;
    const std::string type =
        value(work,
              "SELECT format_type(atttypid, atttypmod) FROM pg_catalog.pg_attribute WHERE "
              "attrelid = to_regclass(" +
                  work.quote(c.table) + ") AND attname = " + work.quote(c.column) +
                  " AND NOT attisdropped");
    if (type.empty()) continue;  // dropped or renamed by a reviewer's step
    DataCheck nulls{
        "no_new_nulls",
        object,
        c.nulls_before,
        value(work, "SELECT count(*) FROM " + c.table + " WHERE " + column + " IS NULL"),
        true,
        "NULLs after <= NULLs before (" + c.old_type + " -> " + type + ")"};
    nulls.ok = std::stoll(nulls.after) <= std::stoll(nulls.before);
    if (!nulls.ok)
      nulls.detail = "the conversion to " + type + " made " +
                     std::to_string(std::stoll(nulls.after) - std::stoll(nulls.before)) +
                     " values NULL";
    out.checks.push_back(nulls);
    static const std::regex numeric_ps(R"(numeric\((\d+),(\d+)\))");
    std::smatch m;
    if (c.number && type != c.old_type && std::regex_match(type, m, numeric_ps)) {
      const pqxx::result r = work.exec_params(
          "SELECT coalesce(sum(" + column + "), 0)::text, (abs(coalesce(sum(" + column +
              "), 0) - $1::numeric) <= $2::numeric * 0.5 * power(10::numeric, -$3::int))::text, "
              "trim_scale($2::numeric * 0.5 * power(10::numeric, -$3::int))::text FROM " +
              c.table,
          c.sum_before, c.count_before, m[2].str());
      DataCheck sum{
          "numeric_sum",
          object,
          c.sum_before,
          r[0][0].c_str(),
          std::string(r[0][1].c_str()) == "true",
          "|sum after - sum before| <= rows x 0.5 x 10^-" + m[2].str() + " = " + r[0][2].c_str()};
      if (!sum.ok)
        sum.detail =
            "the sum moved by more than rounding to " + m[2].str() + " digits can: " + sum.detail;
      out.checks.push_back(sum);
    }
  }
  for (const auto& c : impl_->constraints) {
    const std::string valid =
        value(work,
              "SELECT convalidated::text FROM pg_catalog.pg_constraint WHERE conrelid = "
              "to_regclass(" +
                  work.quote(c.table) + ") AND conname = " + work.quote(c.name));
    DataCheck check{"constraint_valid",
                    c.object,
                    "",
                    valid.empty() ? "missing" : valid,
                    valid == "true",
                    "every constraint the plan adds is VALID"};
    if (!check.ok)
      check.detail = valid.empty() ? "the constraint the plan adds is not there"
                                   : "the constraint is NOT VALID: existing rows were not checked";
    out.checks.push_back(check);
  }
  std::string new_invalid;
  for (const auto& row : work.exec(kInvalidIndexes))
    if (!impl_->invalid_before.count(row[0].c_str()))
      new_invalid += (new_invalid.empty() ? "" : ", ") + std::string(row[0].c_str());
  out.checks.push_back({"no_invalid_index", "", std::to_string(impl_->invalid_before.size()),
                        new_invalid.empty() ? "none new" : new_invalid, new_invalid.empty(),
                        new_invalid.empty() ? "no index is INVALID that was not before"
                                            : "INVALID indexes left: " + new_invalid});
  work.commit();
  return out;
}

}  // namespace pgdrift::planner
