// Alembic revision files, read statically: the module's revision / down_revision and the
// op.* calls of upgrade(). Translation of the calls is in alembic_ops.cpp.
#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "schema/history/alembic_reader.h"
#include "schema/history/history.h"

namespace pgdrift::schema::history {

namespace alembic {

void RevisionReader::problem(int line, const std::string& message) {
  m_.problems.push_back(Problem{SourceLocation{m_.file, line}, message});
  m_.partial = true;
}

void RevisionReader::emit(int line, const std::string& sql) {
  m_.statements.push_back(Statement{sql, SourceLocation{m_.file, line}});
}

std::string RevisionReader::resolve(const std::string& dotted) const {
  std::string head = dotted.substr(0, dotted.find('.'));
  std::string rest = dotted.size() > head.size() ? dotted.substr(head.size()) : "";
  auto it = imports_.find(head);
  if (it != imports_.end()) return it->second + rest;
  // The conventional aliases, for files whose imports were not seen (e.g. a trimmed file).
  if (head == "sa") return "sqlalchemy" + rest;
  if (head == "op") return "alembic.op" + rest;
  if (head == "postgresql" || head == "pg") return "sqlalchemy.dialects.postgresql" + rest;
  return dotted;
}

std::string RevisionReader::sqlalchemy_name(const std::string& dotted) const {
  std::string full = resolve(dotted);
  if (full.rfind("sqlalchemy.", 0) != 0) return "";
  std::string name = full.substr(std::string("sqlalchemy.").size());
  for (const char* module :
       {"dialects.postgresql.", "types.", "sql.expression.", "sql.", "schema.", "sql.sqltypes."})
    if (name.rfind(module, 0) == 0) return name.substr(std::string(module).size());
  return name;
}

const Value* RevisionReader::deref(const Value* value) const {
  for (int hops = 0; value && value->kind == Value::Name && hops < 8; ++hops) {
    auto it = variables_.find(value->text);
    if (it == variables_.end()) break;
    value = it->second.get();
  }
  return value;
}

namespace {

bool harmless_call(const std::string& callee) {
  // Logging does not change the schema; everything else that is not op.* is reported.
  std::string head = callee.substr(0, callee.find('.'));
  return callee == "print" || head == "logger" || head == "logging" || head == "log" ||
         head == "LOGGER";
}

}  // namespace

void RevisionReader::read_module(const std::vector<python::Statement>& module) {
  const python::Statement* upgrade = nullptr;
  if (!module.empty() && module[0].kind == python::Statement::Expr &&
      module[0].value->kind == Value::String) {  // docstring: its first line names the revision
    std::istringstream doc(module[0].value->text);
    std::string line;
    while (std::getline(doc, line)) {
      line.erase(0, line.find_first_not_of(" \t\r"));
      line.erase(line.find_last_not_of(" \t\r") + 1);
      if (!line.empty()) {
        m_.name = line;
        break;
      }
    }
  }
  for (const auto& s : module) {
    if (s.kind == python::Statement::Import) {
      for (const auto& [local, path] : s.imports) imports_[local] = path;
    } else if (s.kind == python::Statement::Assign) {
      for (const auto& target : s.targets)
        if (!target.empty()) variables_[target] = s.value;
    } else if (s.kind == python::Statement::Def && s.keyword == "upgrade") {
      upgrade = &s;
    }
  }
  auto read_ids = [&](const char* var, std::vector<std::string>& out, bool required) {
    auto it = variables_.find(var);
    if (it == variables_.end()) {
      if (required) problem(1, std::string("no `") + var + " = ...` assignment");
      return;
    }
    const Value& v = *it->second;
    if (v.kind == Value::String) {
      out.push_back(v.text);
    } else if (v.kind == Value::Tuple || v.kind == Value::List) {
      for (const auto& item : v.items) {
        if (item->kind == Value::String)
          out.push_back(item->text);
        else
          problem(v.line, std::string(var) + " is not a string literal");
      }
    } else if (v.kind != Value::None) {
      problem(v.line, std::string(var) + " is not statically readable");
    }
  };
  std::vector<std::string> ids;
  read_ids("revision", ids, true);
  if (!ids.empty()) m_.id = ids.front();
  read_ids("down_revision", m_.parents, false);
  if (!upgrade) {
    problem(1, "no upgrade() function");
    return;
  }
  for (size_t i = 0; i < upgrade->body.size(); ++i) {
    const auto& s = upgrade->body[i];
    switch (s.kind) {
      case python::Statement::Pass:
        break;
      case python::Statement::Import:
        for (const auto& [local, path] : s.imports) imports_[local] = path;
        break;
      case python::Statement::Expr: {
        const Value& v = *s.value;
        if (v.kind == Value::String) break;  // docstring
        if (v.kind != Value::Call) {
          problem(s.line, "expression not statically readable: " + v.text);
          break;
        }
        std::string full = resolve(v.text);
        if (full.rfind("alembic.op.", 0) == 0) {
          op_call(full.substr(std::string("alembic.op.").size()), v, "", nullptr);
        } else if (!harmless_call(v.text)) {
          problem(s.line, "call to " + v.text + "() is not statically readable");
        }
        break;
      }
      case python::Statement::Assign: {
        const Value& v = *s.value;
        if (v.kind == Value::Call && resolve(v.text).rfind("alembic.op.", 0) == 0)
          problem(s.line, v.text + "() is not statically readable (database access at run time)");
        for (const auto& target : s.targets)
          if (!target.empty()) variables_[target] = s.value;
        break;
      }
      case python::Statement::With: {
        const Value& ctx = *s.value;
        if (ctx.kind != Value::Call || resolve(ctx.text) != "alembic.op.batch_alter_table" ||
            s.targets.empty()) {
          problem(s.line, "`with` block not statically readable");
          break;
        }
        const Value* table_arg = ctx.items.empty() ? ctx.kwarg("table_name") : ctx.items[0].get();
        auto table = string_value(deref(table_arg), "batch_alter_table table name");
        if (!table) break;
        const std::string& alias = s.targets[0];
        for (const auto& b : s.body) {
          if (b.kind == python::Statement::Pass) continue;
          if (b.kind == python::Statement::Expr && b.value->kind == Value::String) continue;
          if (b.kind != python::Statement::Expr || b.value->kind != Value::Call ||
              b.value->text.rfind(alias + ".", 0) != 0) {
            problem(b.line, "statement in batch_alter_table block not statically readable");
            continue;
          }
          op_call(b.value->text.substr(alias.size() + 1), *b.value, *table, ctx.kwarg("schema"));
        }
        break;
      }
      case python::Statement::Other:
        if (s.keyword == "return" && i + 1 == upgrade->body.size()) break;
        problem(s.line, "Python `" + s.keyword + "` in upgrade() is not statically readable");
        break;
      case python::Statement::Def:
        problem(s.line, "nested function in upgrade() is not statically readable");
        break;
    }
  }
}

}  // namespace alembic

namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot read");
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// "0002_mood.py" -> "mood"; "a0d5ecc53667_sync_models.py" -> "sync models"
std::string name_from_file(const std::string& file) {
  std::string stem = std::filesystem::path(file).stem().string();
  size_t underscore = stem.find('_');
  if (underscore != std::string::npos && underscore > 0 &&
      std::all_of(stem.begin(), stem.begin() + underscore,
                  [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); }))
    stem = stem.substr(underscore + 1);
  std::replace(stem.begin(), stem.end(), '_', ' ');
  return stem;
}

}  // namespace

Migration read_alembic_text(const std::string& text, const std::string& file,
                            std::vector<std::string>& created_enums) {
  Migration m;
  m.file = file;
  alembic::RevisionReader reader(m, created_enums);
  try {
    reader.read_module(python::parse_module(text));
  } catch (const python::SyntaxError& e) {
    // The file is no Python (or beyond the reader's limits): nothing of it is read.
    m.problems.push_back(Problem{SourceLocation{file, e.line()},
                                 "Python syntax error: " + e.message(), e.column(), true});
    m.partial = true;
  }
  if (m.name.empty()) m.name = name_from_file(file);
  return m;
}

Migration read_alembic_file(const std::string& file, std::vector<std::string>& created_enums) {
  return read_alembic_text(read_text(file), file, created_enums);
}

History read_alembic(const std::string& dir) {
  namespace fs = std::filesystem;
  fs::path versions = dir;
  if (fs::is_directory(versions / "versions")) versions /= "versions";
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(versions))
    if (entry.is_regular_file() && entry.path().extension() == ".py" &&
        entry.path().filename() != "__init__.py")
      files.push_back(entry.path().string());
  std::sort(files.begin(), files.end());

  // Read every file first (cheap), order them, then translate in replay order so that enum
  // types are created by the first migration that uses them in chain order.
  std::vector<Migration> unordered;
  std::vector<std::string> scratch_enums;
  for (const auto& f : files) unordered.push_back(read_alembic_file(f, scratch_enums));
  History h;
  h.kind = "alembic";
  h.path = dir;
  order_history(h, unordered);
  std::vector<std::string> created_enums;
  for (auto& m : h.ordered) m = read_alembic_file(m.file, created_enums);
  return h;
}

}  // namespace pgdrift::schema::history
