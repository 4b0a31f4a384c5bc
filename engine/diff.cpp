#include "engine/diff.h"

#include <algorithm>
#include <set>
#include <stdexcept>

#include "schema/canonical.h"

namespace pgdrift::engine {

using schema::quote_ident;

std::string change_kind_name(ChangeKind kind) {
  switch (kind) {
    case ChangeKind::Add:
      return "add";
    case ChangeKind::Drop:
      return "drop";
    case ChangeKind::Alter:
      return "alter";
  }
  return "alter";
}

ObjectRef top_level_ref(const std::string& kind, const std::string& key) {
  return {kind, key, "", "", key};
}

ObjectRef member_ref(const std::string& kind, const std::string& owner_kind,
                     const std::string& owner, const std::string& member) {
  return {kind, owner, owner_kind, member, owner + "." + quote_ident(member)};
}

ObjectRef index_ref(const std::string& owner_kind, const std::string& owner,
                    const std::string& schema_name, const std::string& index) {
  return {"index", owner, owner_kind, index, schema::quote_qualified(schema_name, index)};
}

std::string RenameChange::kind_name() const {
  switch (kind) {
    case Kind::Table:
      return "table";
    case Kind::Column:
      return "column";
    case Kind::Index:
      return "index";
    case Kind::Constraint:
      return "constraint";
  }
  return "table";
}

bool Changes::empty() const { return size() == 0; }

size_t Changes::size() const {
  return renames.size() + schemas.size() + extensions.size() + enums.size() +
         composite_types.size() + domains.size() + sequences.size() + functions.size() +
         aggregates.size() + collations.size() + tables.size() + views.size() + comments.size() +
         grants.size() + owners.size() + default_privileges.size();
}

bool trigger_altered_in_place(schema::Trigger from, schema::Trigger to) {
  from.enabled = to.enabled;
  from.comment = to.comment;
  return from == to;
}

namespace {

// Walks two sorted maps side by side, calling add/drop/both for each key.
template <class Map, class Add, class Drop, class Both>
void zip(const Map& from, const Map& to, Add add, Drop drop, Both both) {
  for (const auto& [key, value] : from) {
    auto it = to.find(key);
    if (it == to.end())
      drop(key, value);
    else
      both(key, value, it->second);
  }
  for (const auto& [key, value] : to)
    if (!from.count(key)) add(key, value);
}

template <class T>
ObjectChange<T> make_change(ChangeKind kind, const std::string& key, const T* from, const T* to) {
  ObjectChange<T> change;
  change.kind = kind;
  change.key = key;
  if (from) change.from = *from;
  if (to) change.to = *to;
  return change;
}

struct Differ {
  Changes out;
  bool privileges = false;
  const schema::Model* from_model = nullptr;
  const schema::Model* to_model = nullptr;

  static ObjectRef top(const std::string& kind, const std::string& key) {
    return top_level_ref(kind, key);
  }
  static ObjectRef member(const std::string& kind, const std::string& owner_kind,
                          const std::string& owner, const std::string& name) {
    return member_ref(kind, owner_kind, owner, name);
  }

  void comment(ObjectRef object, const std::optional<std::string>& from,
               const std::optional<std::string>& to) {
    if (from == to) return;
    out.comments.push_back({std::move(object), from, to});
  }

  void grants(ObjectRef object, std::vector<schema::Grant> from, std::vector<schema::Grant> to,
              bool dropped = false) {
    if (!privileges) return;
    const std::vector<schema::Grant> target_order = to;
    std::sort(from.begin(), from.end());
    std::sort(to.begin(), to.end());
    GrantChange change;
    change.object = std::move(object);
    change.object_dropped = dropped;
    std::set_difference(to.begin(), to.end(), from.begin(), from.end(),
                        std::back_inserter(change.granted));
    if (!dropped)
      std::set_difference(from.begin(), from.end(), to.begin(), to.end(),
                          std::back_inserter(change.revoked));
    if (change.granted.empty() && change.revoked.empty()) return;
    // Granted in the target's ACL order: PostgreSQL appends a new grantee's ACL item.
    schema::order_grants_as_acl(change.granted, target_order);
    change.from = std::move(from);
    change.to = std::move(to);
    out.grants.push_back(std::move(change));
  }

  // The privileges of an object the plan creates: those it gets from the default privileges
  // of the role running the plan that both sides have (the planner revokes default privileges
  // before its creates and grants new ones after them), then the target's.
  void added_grants(ObjectRef object, const std::string& object_type,
                    const std::string& schema_name, std::vector<schema::Grant> to) {
    if (!privileges) return;
    const auto a = schema::created_grants(*from_model, "", object_type, schema_name);
    const auto b = schema::created_grants(*to_model, "", object_type, schema_name);
    std::vector<schema::Grant> implicit;
    std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(implicit));
    const size_t before = out.grants.size();
    grants(std::move(object), implicit, std::move(to));
    if (out.grants.size() > before) out.grants.back().object_added = true;
  }

  // ALTER ... OWNER TO when the target declares an owner that differs.
  void owner(ObjectRef object, const std::string& from, const std::string& to) {
    if (!privileges || to.empty() || from == to) return;
    out.owners.push_back({std::move(object), from, to});
  }

  void default_privileges(const schema::Model& from, const schema::Model& to) {
    if (!privileges) return;
    auto effective = [](const schema::Model& m, const schema::DefaultPrivilege& d) {
      auto it =
          m.default_privileges.find(schema::default_privilege_key(d.role, d.schema, d.object_type));
      if (it != m.default_privileges.end()) return it->second.grants;
      return d.schema.empty() ? schema::builtin_default_grants(d.object_type)
                              : std::vector<schema::Grant>{};
    };
    std::map<std::string, const schema::DefaultPrivilege*> keys;
    for (const auto& [key, d] : from.default_privileges) keys[key] = &d;
    for (const auto& [key, d] : to.default_privileges) keys[key] = &d;
    for (const auto& [key, d] : keys) {
      DefaultPrivilegeChange c{key, d->role, d->schema,           d->object_type,
                               {},  {},      effective(from, *d), effective(to, *d)};
      std::sort(c.from.begin(), c.from.end());
      std::sort(c.to.begin(), c.to.end());
      std::set_difference(c.to.begin(), c.to.end(), c.from.begin(), c.from.end(),
                          std::back_inserter(c.granted));
      std::set_difference(c.from.begin(), c.from.end(), c.to.begin(), c.to.end(),
                          std::back_inserter(c.revoked));
      if (!c.granted.empty() || !c.revoked.empty()) out.default_privileges.push_back(std::move(c));
    }
  }

  // Comments of a table's sub-objects; `from` is null when the table is new.
  void table_comments(const std::string& key, const schema::Table* from, const schema::Table& to) {
    comment(top("table", key), from ? from->comment : std::nullopt, to.comment);
    for (const auto& c : to.columns) {
      const schema::Column* old = from ? from->find_column(c.name) : nullptr;
      comment(member("column", "table", key, c.name), old ? old->comment : std::nullopt, c.comment);
    }
    for (const auto& [name, c] : to.constraints) {
      const schema::Constraint* old = nullptr;
      if (from) {
        auto it = from->constraints.find(name);
        // A constraint that is recreated loses its comment: compare against nothing then.
        if (it != from->constraints.end() && same_without_comment(it->second, c)) old = &it->second;
      }
      comment(member("constraint", "table", key, name), old ? old->comment : std::nullopt,
              c.comment);
    }
    index_comments("table", key, to.schema, from ? &from->indexes : nullptr, to.indexes);
    for (const auto& [name, t] : to.triggers) {
      const schema::Trigger* old = nullptr;
      if (from) {
        auto it = from->triggers.find(name);
        if (it != from->triggers.end() && trigger_altered_in_place(it->second, t))
          old = &it->second;
      }
      comment(member("trigger", "table", key, name), old ? old->comment : std::nullopt, t.comment);
    }
    for (const auto& [name, p] : to.policies) {
      const schema::Policy* old = nullptr;
      if (from) {
        auto it = from->policies.find(name);
        if (it != from->policies.end()) old = &it->second;
      }
      comment(member("policy", "table", key, name), old ? old->comment : std::nullopt, p.comment);
    }
  }

  void index_comments(const std::string& owner_kind, const std::string& owner,
                      const std::string& schema_name,
                      const std::map<std::string, schema::Index>* from,
                      const std::map<std::string, schema::Index>& to) {
    for (const auto& [name, i] : to) {
      const schema::Index* old = nullptr;
      if (from) {
        auto it = from->find(name);
        if (it != from->end() && same_index(it->second, i)) old = &it->second;
      }
      comment(index_ref(owner_kind, owner, schema_name, name), old ? old->comment : std::nullopt,
              i.comment);
    }
  }

  // `b` is the target's: an INVALID target index is wanted valid (wanted_form).
  static bool same_index(schema::Index a, schema::Index b) {
    a.comment.reset();
    b.comment.reset();
    b.valid = true;
    return a == b;
  }

  // Owners are compared on their own (owner()), only with privileges.
  template <class T>
  static bool same_without_comment(T a, T b) {
    a.comment.reset();
    b.comment.reset();
    if constexpr (requires { a.owner; }) {
      a.owner.clear();
      b.owner.clear();
    }
    return a == b;
  }

  void diff_columns(TableChange& tc, const schema::Table& from, const schema::Table& to) {
    for (const auto& c : from.columns)
      if (!to.find_column(c.name)) tc.columns.push_back({ChangeKind::Drop, tc.key, c, {}, 0});
    for (const auto& c : to.columns) {
      const schema::Column* old = from.find_column(c.name);
      if (!old) {
        tc.columns.push_back({ChangeKind::Add, tc.key, {}, c, 0});
        continue;
      }
      unsigned changed = 0;
      if (old->type != c.type) changed |= kColumnType;
      if (old->collation != c.collation) changed |= kColumnCollation;
      if (old->not_null != c.not_null) changed |= kColumnNullability;
      if (old->default_expr != c.default_expr) changed |= kColumnDefault;
      if (old->identity != c.identity || old->identity_options != c.identity_options)
        changed |= kColumnIdentity;
      if (old->generated_expr != c.generated_expr) changed |= kColumnGenerated;
      if (changed) tc.columns.push_back({ChangeKind::Alter, tc.key, *old, c, changed});
    }
  }

  template <class T, class Change>
  void diff_members(const std::string& table, const std::map<std::string, T>& from,
                    const std::map<std::string, T>& to, std::vector<Change>& out_changes) {
    zip(
        from, to,
        [&](const std::string&, const T& v) {
          Change c;
          c.kind = ChangeKind::Add;
          c.table = table;
          c.to = v;
          out_changes.push_back(c);
        },
        [&](const std::string&, const T& v) {
          Change c;
          c.kind = ChangeKind::Drop;
          c.table = table;
          c.from = v;
          out_changes.push_back(c);
        },
        [&](const std::string&, const T& a, const T& b) {
          if (same_without_comment(a, b)) return;
          Change c;
          c.kind = ChangeKind::Alter;
          c.table = table;
          c.from = a;
          c.to = b;
          out_changes.push_back(c);
        });
  }

  // The target's indexes are compared as wanted (wanted_form): valid. So an INVALID source
  // index is rebuilt, whatever the target says of its validity, and an INVALID target index
  // stands for the index it was meant to be.
  void diff_indexes(const std::string& table, const std::string& schema_name,
                    const std::string& table_name, const std::map<std::string, schema::Index>& from,
                    const std::map<std::string, schema::Index>& to,
                    std::vector<IndexChange>& changes) {
    auto change = [&](ChangeKind kind, const schema::Index* a, const schema::Index* b) {
      IndexChange c;
      c.kind = kind;
      c.table = table;
      c.schema = schema_name;
      c.table_name = table_name;
      if (a) c.from = *a;
      if (b) {
        c.to = *b;
        c.to->valid = true;
      }
      if (kind != ChangeKind::Alter || !same_without_comment(*c.from, *c.to))
        changes.push_back(std::move(c));
    };
    zip(
        from, to,
        [&](const std::string&, const schema::Index& b) { change(ChangeKind::Add, nullptr, &b); },
        [&](const std::string&, const schema::Index& a) { change(ChangeKind::Drop, &a, nullptr); },
        [&](const std::string&, const schema::Index& a, const schema::Index& b) {
          change(ChangeKind::Alter, &a, &b);
        });
  }

  void diff_table(const std::string& key, const schema::Table& from, const schema::Table& to) {
    TableChange tc;
    tc.kind = ChangeKind::Alter;
    tc.key = key;
    tc.from = &from;
    tc.to = &to;
    if (from.options != to.options) tc.changed |= kTableOptions;
    if (from.rls_enabled != to.rls_enabled || from.rls_forced != to.rls_forced)
      tc.changed |= kTableRls;
    if (from.unlogged != to.unlogged) tc.changed |= kTablePersistence;
    if (from.replica_identity != to.replica_identity ||
        from.replica_identity_index != to.replica_identity_index)
      tc.changed |= kTableReplicaIdentity;
    if (from.inherits != to.inherits) tc.changed |= kTableInherits;
    if (from.kind != to.kind || from.partition_key != to.partition_key)
      tc.changed |= kTableStructure;
    if (from.partition_of != to.partition_of || from.partition_bound != to.partition_bound)
      tc.changed |= kTablePartition;
    diff_columns(tc, from, to);
    diff_members(key, from.constraints, to.constraints, tc.constraints);
    diff_indexes(key, to.schema, to.name, from.indexes, to.indexes, tc.indexes);
    diff_members(key, from.triggers, to.triggers, tc.triggers);
    diff_members(key, from.policies, to.policies, tc.policies);
    table_comments(key, &from, to);
    grants(top("table", key), from.grants, to.grants);
    owner(top("table", key), from.owner, to.owner);
    if (tc.changed || !tc.columns.empty() || !tc.constraints.empty() || !tc.indexes.empty() ||
        !tc.triggers.empty() || !tc.policies.empty())
      out.tables.push_back(std::move(tc));
  }

  void diff_view(const std::string& key, const schema::View& from, const schema::View& to) {
    ViewChange vc;
    vc.kind = ChangeKind::Alter;
    vc.key = key;
    vc.from = from;
    vc.to = to;
    // Populated is required only by `to`: WITH NO DATA says how the view is created, and a
    // view populated since (REFRESH, or any view pg_dump -s writes WITH NO DATA) matches it.
    vc.definition_changed = from.materialized != to.materialized || from.query != to.query ||
                            from.column_names != to.column_names ||
                            (to.with_data && !from.with_data);
    diff_indexes(key, to.schema, to.name, from.indexes, to.indexes, vc.indexes);
    diff_members(key, from.triggers, to.triggers, vc.triggers);
    view_comments(key, &from, to);
    grants(top(view_kind(to), key), from.grants, to.grants);
    owner(top(view_kind(to), key), from.owner, to.owner);
    vc.options_changed = from.options != to.options;
    if (vc.definition_changed || vc.options_changed || !vc.indexes.empty() || !vc.triggers.empty())
      out.views.push_back(std::move(vc));
  }

  void view_comments(const std::string& key, const schema::View* from, const schema::View& to) {
    const std::string kind = view_kind(to);
    comment(top(kind, key), from ? from->comment : std::nullopt, to.comment);
    for (const auto& [col, text] : to.column_comments) {
      std::optional<std::string> old;
      if (from) {
        auto it = from->column_comments.find(col);
        if (it != from->column_comments.end()) old = it->second;
      }
      comment(member("column", kind, key, col), old, text);
    }
    if (from)
      for (const auto& [col, text] : from->column_comments)
        if (!to.column_comments.count(col) && text) {
          comment(member("column", kind, key, col), text, std::nullopt);
        }
    index_comments(kind, key, to.schema, from ? &from->indexes : nullptr, to.indexes);
    for (const auto& [name, t] : to.triggers) {
      std::optional<std::string> old;
      if (from) {
        auto it = from->triggers.find(name);
        if (it != from->triggers.end() && trigger_altered_in_place(it->second, t))
          old = it->second.comment;
      }
      comment(member("trigger", kind, key, name), old, t.comment);
    }
  }

  static std::string view_kind(const schema::View& v) {
    return v.materialized ? "materialized_view" : "view";
  }
  static std::string function_kind(const schema::Function& f) {
    return f.procedure ? "procedure" : "function";
  }

  void run(const schema::Model& from, const schema::Model& to) {
    from_model = &from;
    to_model = &to;
    default_privileges(from, to);
    // Schemas.
    zip(
        from.schemas, to.schemas,
        [&](const std::string& k, const schema::Namespace& v) {
          out.schemas.push_back(make_change<schema::Namespace>(ChangeKind::Add, k, nullptr, &v));
          comment(top("schema", k), std::nullopt, v.comment);
          added_grants(top("schema", k), "SCHEMAS", "", v.grants);
          owner(top("schema", k), "", v.owner);
        },
        [&](const std::string& k, const schema::Namespace& v) {
          out.schemas.push_back(make_change<schema::Namespace>(ChangeKind::Drop, k, &v, nullptr));
        },
        [&](const std::string& k, const schema::Namespace& a, const schema::Namespace& b) {
          comment(top("schema", k), a.comment, b.comment);
          grants(top("schema", k), a.grants, b.grants);
          owner(top("schema", k), a.owner, b.owner);
        });
    // Extensions: a version or schema change is an alter.
    zip(
        from.extensions, to.extensions,
        [&](const std::string& k, const schema::Extension& v) {
          out.extensions.push_back(make_change<schema::Extension>(ChangeKind::Add, k, nullptr, &v));
          comment(top("extension", k), std::nullopt, v.comment);
        },
        [&](const std::string& k, const schema::Extension& v) {
          out.extensions.push_back(
              make_change<schema::Extension>(ChangeKind::Drop, k, &v, nullptr));
        },
        [&](const std::string& k, const schema::Extension& a, const schema::Extension& b) {
          if (!same_without_comment(a, b))
            out.extensions.push_back(make_change(ChangeKind::Alter, k, &a, &b));
          comment(top("extension", k), a.comment, b.comment);
        });
    // Enums.
    zip(
        from.enums, to.enums,
        [&](const std::string& k, const schema::EnumType& v) {
          EnumChange c{ChangeKind::Add, k, {}, v, {}, false};
          out.enums.push_back(c);
          comment(top("enum", k), std::nullopt, v.comment);
          owner(top("enum", k), "", v.owner);
        },
        [&](const std::string& k, const schema::EnumType& v) {
          out.enums.push_back({ChangeKind::Drop, k, v, {}, {}, false});
        },
        [&](const std::string& k, const schema::EnumType& a, const schema::EnumType& b) {
          comment(top("enum", k), a.comment, b.comment);
          owner(top("enum", k), a.owner, b.owner);
          if (a.values == b.values) return;
          EnumChange c{ChangeKind::Alter, k, a, b, {}, false};
          // Values kept must stay in the same relative order; otherwise recreate.
          std::vector<std::string> kept;
          for (const auto& v : b.values)
            if (std::find(a.values.begin(), a.values.end(), v) != a.values.end())
              kept.push_back(v);
            else
              c.added_values.push_back(v);
          c.needs_recreate = kept != a.values;
          out.enums.push_back(c);
        });
    // Composite types and domains.
    zip(
        from.composite_types, to.composite_types,
        [&](const std::string& k, const schema::CompositeType& v) {
          out.composite_types.push_back(make_change(ChangeKind::Add, k, (decltype(&v))nullptr, &v));
          comment(top("composite_type", k), std::nullopt, v.comment);
          owner(top("composite_type", k), "", v.owner);
        },
        [&](const std::string& k, const schema::CompositeType& v) {
          out.composite_types.push_back(
              make_change(ChangeKind::Drop, k, &v, (decltype(&v))nullptr));
        },
        [&](const std::string& k, const schema::CompositeType& a, const schema::CompositeType& b) {
          if (!same_without_comment(a, b))
            out.composite_types.push_back(make_change(ChangeKind::Alter, k, &a, &b));
          comment(top("composite_type", k), a.comment, b.comment);
          owner(top("composite_type", k), a.owner, b.owner);
        });
    zip(
        from.domains, to.domains,
        [&](const std::string& k, const schema::Domain& v) {
          out.domains.push_back(make_change(ChangeKind::Add, k, (decltype(&v))nullptr, &v));
          domain_comments(k, nullptr, v);
          owner(top("domain", k), "", v.owner);
        },
        [&](const std::string& k, const schema::Domain& v) {
          out.domains.push_back(make_change(ChangeKind::Drop, k, &v, (decltype(&v))nullptr));
        },
        [&](const std::string& k, const schema::Domain& a, const schema::Domain& b) {
          if (!same_without_comment(a, b))
            out.domains.push_back(make_change(ChangeKind::Alter, k, &a, &b));
          domain_comments(k, &a, b);
          owner(top("domain", k), a.owner, b.owner);
        });
    // Sequences.
    zip(
        from.sequences, to.sequences,
        [&](const std::string& k, const schema::Sequence& v) {
          out.sequences.push_back(make_change(ChangeKind::Add, k, (decltype(&v))nullptr, &v));
          comment(top("sequence", k), std::nullopt, v.comment);
          added_grants(top("sequence", k), "SEQUENCES", v.schema, v.grants);
          owner(top("sequence", k), "", v.owner);
        },
        [&](const std::string& k, const schema::Sequence& v) {
          out.sequences.push_back(make_change(ChangeKind::Drop, k, &v, (decltype(&v))nullptr));
        },
        [&](const std::string& k, const schema::Sequence& a, const schema::Sequence& b) {
          schema::Sequence x = a, y = b;
          x.grants.clear();
          y.grants.clear();
          if (!same_without_comment(x, y))
            out.sequences.push_back(make_change(ChangeKind::Alter, k, &a, &b));
          comment(top("sequence", k), a.comment, b.comment);
          grants(top("sequence", k), a.grants, b.grants);
          owner(top("sequence", k), a.owner, b.owner);
        });
    // Functions.
    zip(
        from.functions, to.functions,
        [&](const std::string& k, const schema::Function& v) {
          out.functions.push_back({ChangeKind::Add, k, {}, v, false});
          comment(top(function_kind(v), k), std::nullopt, v.comment);
          added_grants(top(function_kind(v), k), "FUNCTIONS", v.schema, v.grants);
          owner(top(function_kind(v), k), "", v.owner);
        },
        [&](const std::string& k, const schema::Function& v) {
          out.functions.push_back({ChangeKind::Drop, k, v, {}, false});
        },
        [&](const std::string& k, const schema::Function& a, const schema::Function& b) {
          schema::Function x = a, y = b;
          x.grants.clear();
          y.grants.clear();
          if (!same_without_comment(x, y)) {
            bool recreate = a.procedure != b.procedure || a.returns != b.returns;
            for (size_t i = 0; !recreate && i < a.arguments.size(); ++i)
              recreate = a.arguments[i].name != b.arguments[i].name ||
                         a.arguments[i].mode != b.arguments[i].mode ||
                         (a.arguments[i].default_expr && !b.arguments[i].default_expr);
            if (a.arguments.size() != b.arguments.size()) recreate = true;
            out.functions.push_back({ChangeKind::Alter, k, a, b, recreate});
          }
          comment(top(function_kind(b), k), a.comment, b.comment);
          grants(top(function_kind(b), k), a.grants, b.grants);
          owner(top(function_kind(b), k), a.owner, b.owner);
        });
    // Aggregates and collations: anything but the comment (and privileges) re-creates them.
    zip(
        from.aggregates, to.aggregates,
        [&](const std::string& k, const schema::Aggregate& v) {
          out.aggregates.push_back(make_change(ChangeKind::Add, k, (decltype(&v))nullptr, &v));
          comment(top("aggregate", k), std::nullopt, v.comment);
          grants(top("aggregate", k), {}, v.grants);
        },
        [&](const std::string& k, const schema::Aggregate& v) {
          out.aggregates.push_back(make_change(ChangeKind::Drop, k, &v, (decltype(&v))nullptr));
        },
        [&](const std::string& k, const schema::Aggregate& a, const schema::Aggregate& b) {
          schema::Aggregate x = a, y = b;
          x.grants.clear();
          y.grants.clear();
          if (!same_without_comment(x, y))
            out.aggregates.push_back(make_change(ChangeKind::Alter, k, &a, &b));
          comment(top("aggregate", k), a.comment, b.comment);
          grants(top("aggregate", k), a.grants, b.grants);
        });
    zip(
        from.collations, to.collations,
        [&](const std::string& k, const schema::Collation& v) {
          out.collations.push_back(make_change(ChangeKind::Add, k, (decltype(&v))nullptr, &v));
          comment(top("collation", k), std::nullopt, v.comment);
        },
        [&](const std::string& k, const schema::Collation& v) {
          out.collations.push_back(make_change(ChangeKind::Drop, k, &v, (decltype(&v))nullptr));
        },
        [&](const std::string& k, const schema::Collation& a, const schema::Collation& b) {
          if (!same_without_comment(a, b))
            out.collations.push_back(make_change(ChangeKind::Alter, k, &a, &b));
          comment(top("collation", k), a.comment, b.comment);
        });
    // Tables.
    zip(
        from.tables, to.tables,
        [&](const std::string& k, const schema::Table& v) {
          TableChange tc;
          tc.kind = ChangeKind::Add;
          tc.key = k;
          tc.to = &v;
          out.tables.push_back(tc);
          table_comments(k, nullptr, v);
          added_grants(top("table", k), "TABLES", v.schema, v.grants);
          owner(top("table", k), "", v.owner);
        },
        [&](const std::string& k, const schema::Table& v) {
          TableChange tc;
          tc.kind = ChangeKind::Drop;
          tc.key = k;
          tc.from = &v;
          out.tables.push_back(tc);
        },
        [&](const std::string& k, const schema::Table& a, const schema::Table& b) {
          diff_table(k, a, b);
        });
    // Views.
    zip(
        from.views, to.views,
        [&](const std::string& k, const schema::View& v) {
          ViewChange vc;
          vc.kind = ChangeKind::Add;
          vc.key = k;
          vc.to = v;
          out.views.push_back(vc);
          view_comments(k, nullptr, v);
          added_grants(top(view_kind(v), k), "TABLES", v.schema, v.grants);
          owner(top(view_kind(v), k), "", v.owner);
        },
        [&](const std::string& k, const schema::View& v) {
          ViewChange vc;
          vc.kind = ChangeKind::Drop;
          vc.key = k;
          vc.from = v;
          out.views.push_back(vc);
        },
        [&](const std::string& k, const schema::View& a, const schema::View& b) {
          diff_view(k, a, b);
        });
  }

  void domain_comments(const std::string& k, const schema::Domain* from, const schema::Domain& to) {
    comment(top("domain", k), from ? from->comment : std::nullopt, to.comment);
    for (const auto& [name, c] : to.checks) {
      std::optional<std::string> old;
      if (from) {
        auto it = from->checks.find(name);
        if (it != from->checks.end() && same_without_comment(it->second, c))
          old = it->second.comment;
      }
      comment(member("constraint", "domain", k, name), old, c.comment);
    }
  }
};

}  // namespace

schema::Model compared_form(const schema::Model& model, const DiffOptions& options) {
  schema::Model m = model;
  if (!options.compare_privileges) schema::strip_privileges(m);
  return m;
}

bool has_invalid_index(const schema::Model& model) {
  auto any_invalid = [](const std::map<std::string, schema::Index>& indexes) {
    return std::any_of(indexes.begin(), indexes.end(),
                       [](const auto& entry) { return !entry.second.valid; });
  };
  for (const auto& [key, t] : model.tables)
    if (any_invalid(t.indexes)) return true;
  for (const auto& [key, v] : model.views)
    if (any_invalid(v.indexes)) return true;
  return false;
}

schema::Model wanted_form(const schema::Model& target) {
  schema::Model m = target;
  for (auto& [key, t] : m.tables)
    for (auto& [name, i] : t.indexes) i.valid = true;
  for (auto& [key, v] : m.views)
    for (auto& [name, i] : v.indexes) i.valid = true;
  return m;
}

namespace {

[[noreturn]] void both_names_exist(const std::string& what, const std::string& old_name,
                                   const std::string& new_name) {
  throw std::runtime_error(what + " " + new_name + " is annotated pgdrift:renamed-from " +
                           old_name + ", but the source has both " + old_name + " and " + new_name +
                           ": remove the annotation (the rename is done) or the "
                           "object named " +
                           old_name);
}

// Pairs the annotated members of one table (`src`: the source table it continues).
void pair_member_renames(const schema::Table& src, const std::string& key,
                         const schema::Table& target, std::vector<RenameChange>& out) {
  auto add = [&](RenameChange::Kind kind, const std::string& what, const std::string& old_name,
                 const std::string& new_name, bool has_old, bool has_new) {
    if (!has_old || old_name == new_name) return;
    if (has_new)
      both_names_exist(what + " of " + key, quote_ident(old_name), quote_ident(new_name));
    out.push_back({kind, key, target.schema, old_name, new_name});
  };
  for (const auto& c : target.columns)
    if (!c.renamed_from.empty())
      add(RenameChange::Kind::Column, "column", c.renamed_from.name, c.name,
          src.find_column(c.renamed_from.name) != nullptr, src.find_column(c.name) != nullptr);
  for (const auto& [name, c] : target.constraints)
    if (!c.renamed_from.empty())
      add(RenameChange::Kind::Constraint, "constraint", c.renamed_from.name, name,
          src.constraints.count(c.renamed_from.name) != 0, src.constraints.count(name) != 0);
  for (const auto& [name, i] : target.indexes)
    if (!i.renamed_from.empty())
      add(RenameChange::Kind::Index, "index", i.renamed_from.name, name,
          src.indexes.count(i.renamed_from.name) != 0, src.indexes.count(name) != 0);
}

bool relation_exists(const schema::Model& m, const std::string& key) {
  return m.tables.count(key) != 0 || m.views.count(key) != 0 || m.sequences.count(key) != 0;
}

void rename_in(std::vector<std::string>& names, const std::string& from, const std::string& to) {
  for (auto& n : names)
    if (n == from) n = to;
}

// A column rename recurses to partitions and inheritance children, as in PostgreSQL.
void rename_column(schema::Model& m, const std::string& key, const std::string& from,
                   const std::string& to) {
  auto it = m.tables.find(key);
  if (it == m.tables.end()) return;
  schema::Table& t = it->second;
  if (schema::Column* c = t.find_column(from)) c->name = to;
  for (auto& [name, con] : t.constraints) {
    rename_in(con.columns, from, to);
    rename_in(con.include, from, to);
    for (auto& e : con.exclusion_elements)
      if (e.expr == from) e.expr = to;
  }
  for (auto& [name, ix] : t.indexes) {
    for (auto& k : ix.keys)
      if (k.column == from) k.column = to;
    rename_in(ix.include, from, to);
  }
  for (auto& [name, tr] : t.triggers) rename_in(tr.update_columns, from, to);
  for (auto& [other_key, other] : m.tables)
    for (auto& [name, con] : other.constraints)
      if (con.foreign_key && con.foreign_key->ref_table == key)
        rename_in(con.foreign_key->ref_columns, from, to);
  const std::string old_owner = key + "." + quote_ident(from);
  for (auto& [seq_key, seq] : m.sequences)
    if (seq.owned_by == old_owner) seq.owned_by = key + "." + quote_ident(to);
  std::vector<std::string> children;
  for (const auto& [child_key, child] : m.tables)
    if (child.partition_of == key ||
        std::find(child.inherits.begin(), child.inherits.end(), key) != child.inherits.end())
      children.push_back(child_key);
  for (const auto& child : children) rename_column(m, child, from, to);
}

template <class T>
void rename_entry(std::map<std::string, T>& members, const std::string& from,
                  const std::string& to) {
  auto node = members.extract(from);
  if (node.empty()) return;
  node.key() = to;
  node.mapped().name = to;
  members.insert(std::move(node));
}

}  // namespace

std::vector<RenameChange> pair_renames(const schema::Model& from, const schema::Model& to) {
  std::vector<RenameChange> out;
  std::map<std::string, std::string> source_of;  // target table key -> source table key
  for (const auto& [key, t] : to.tables) {
    if (t.renamed_from.empty()) continue;
    const std::string old_key = schema::qualified_key(t.schema, t.renamed_from.name);
    if (old_key == key || !from.tables.count(old_key)) continue;
    if (relation_exists(from, key)) both_names_exist("table", old_key, key);
    for (const auto& [other, source] : source_of)
      if (source == old_key)
        throw std::runtime_error("tables " + other + " and " + key +
                                 " are both annotated pgdrift:renamed-from " + old_key);
    source_of[key] = old_key;
    out.push_back({RenameChange::Kind::Table, key, t.schema, t.renamed_from.name, t.name});
  }
  for (const auto& [key, t] : to.tables) {
    auto src_key = source_of.count(key) ? source_of[key] : key;
    auto src = from.tables.find(src_key);
    if (src != from.tables.end()) pair_member_renames(src->second, key, t, out);
  }
  return out;
}

schema::Model apply_renames(const schema::Model& from, const std::vector<RenameChange>& renames) {
  schema::Model m = from;
  for (const auto& r : renames) {
    if (r.kind == RenameChange::Kind::Table) {
      const std::string old_key = schema::qualified_key(r.schema, r.from_name);
      auto node = m.tables.extract(old_key);
      if (node.empty()) continue;
      node.key() = r.table;
      node.mapped().name = r.to_name;
      m.tables.insert(std::move(node));
      for (auto& [key, t] : m.tables) {
        for (auto& [name, con] : t.constraints)
          if (con.foreign_key && con.foreign_key->ref_table == old_key)
            con.foreign_key->ref_table = r.table;
        if (t.partition_of == old_key) t.partition_of = r.table;
        rename_in(t.inherits, old_key, r.table);
      }
      for (auto& [seq_key, seq] : m.sequences) {
        auto [table, column] = schema::split_owned_by(seq.owned_by);
        if (table == old_key) seq.owned_by = r.table + "." + column;
      }
      continue;
    }
    auto it = m.tables.find(r.table);
    if (it == m.tables.end()) continue;
    switch (r.kind) {
      case RenameChange::Kind::Column:
        rename_column(m, r.table, r.from_name, r.to_name);
        break;
      case RenameChange::Kind::Constraint:
        rename_entry(it->second.constraints, r.from_name, r.to_name);
        break;
      case RenameChange::Kind::Index:
        rename_entry(it->second.indexes, r.from_name, r.to_name);
        break;
      case RenameChange::Kind::Table:
        break;
    }
  }
  return m;
}

// No copy of either model (but the renamed source when the target renames something): grants
// are skipped by the comparison itself when not compared.
Changes diff_models(const schema::Model& from, const schema::Model& to,
                    const DiffOptions& options) {
  std::vector<RenameChange> renames = pair_renames(from, to);
  Differ differ;
  differ.privileges = options.compare_privileges;
  if (renames.empty()) {
    differ.run(from, to);
  } else {
    auto renamed = std::make_shared<const schema::Model>(apply_renames(from, renames));
    differ.run(*renamed, to);
    differ.out.owned_models.push_back(std::move(renamed));
  }
  differ.out.renames = std::move(renames);
  return std::move(differ.out);
}

namespace {

std::shared_ptr<const schema::Model> owned(schema::Model&& model) {
  return std::make_shared<const schema::Model>(std::move(model));
}

}  // namespace

Changes diff_models(schema::Model&& from, const schema::Model& to, const DiffOptions& options) {
  auto kept = owned(std::move(from));
  Changes changes = diff_models(*kept, to, options);
  changes.owned_models.push_back(std::move(kept));
  return changes;
}

Changes diff_models(const schema::Model& from, schema::Model&& to, const DiffOptions& options) {
  auto kept = owned(std::move(to));
  Changes changes = diff_models(from, *kept, options);
  changes.owned_models.push_back(std::move(kept));
  return changes;
}

Changes diff_models(schema::Model&& from, schema::Model&& to, const DiffOptions& options) {
  auto kept_from = owned(std::move(from));
  auto kept_to = owned(std::move(to));
  Changes changes = diff_models(*kept_from, *kept_to, options);
  changes.owned_models.push_back(std::move(kept_from));
  changes.owned_models.push_back(std::move(kept_to));
  return changes;
}

namespace {

std::string column_aspect_names(unsigned changed) {
  std::string out;
  auto add = [&](unsigned flag, const char* name) {
    if (changed & flag) out += std::string(out.empty() ? "" : ", ") + name;
  };
  add(kColumnType, "type");
  add(kColumnNullability, "nullability");
  add(kColumnDefault, "default");
  add(kColumnIdentity, "identity");
  add(kColumnGenerated, "generated");
  add(kColumnCollation, "collation");
  return out;
}

template <class Change>
std::string member_line(const std::string& what, const Change& c, const std::string& name) {
  return change_kind_name(c.kind) + " " + what + " " + c.table + "." + quote_ident(name);
}

std::string index_line(const IndexChange& c) {
  std::string line = member_line("index", c, c.to ? c.to->name : c.from->name);
  if (c.rebuilds_invalid())
    line += ": INVALID (a failed CREATE INDEX CONCURRENTLY left it), rebuilt";
  else if (c.kind == ChangeKind::Drop && !c.from->valid)
    line += ": INVALID (a failed CREATE INDEX CONCURRENTLY left it)";
  return line;
}

}  // namespace

std::vector<std::string> describe_changes(const Changes& changes) {
  std::vector<std::string> lines;
  auto simple = [&](const std::string& what, ChangeKind kind, const std::string& key) {
    lines.push_back(change_kind_name(kind) + " " + what + " " + key);
  };
  for (const auto& r : changes.renames) {
    const std::string owner =
        r.kind == RenameChange::Kind::Table ? quote_ident(r.schema) + "." : r.table + ".";
    lines.push_back("rename " + r.kind_name() + " " + owner + quote_ident(r.from_name) + " to " +
                    quote_ident(r.to_name));
  }
  for (const auto& c : changes.schemas) simple("schema", c.kind, c.key);
  for (const auto& c : changes.extensions) simple("extension", c.kind, c.key);
  for (const auto& c : changes.enums) {
    std::string line = change_kind_name(c.kind) + " type " + c.key;
    if (c.kind == ChangeKind::Alter)
      line += c.needs_recreate ? ": values removed or reordered" : ": values added";
    lines.push_back(line);
  }
  for (const auto& c : changes.composite_types) simple("type", c.kind, c.key);
  for (const auto& c : changes.domains) simple("domain", c.kind, c.key);
  for (const auto& c : changes.sequences) simple("sequence", c.kind, c.key);
  for (const auto& c : changes.functions) simple("function", c.kind, c.key);
  for (const auto& c : changes.aggregates) simple("aggregate", c.kind, c.key);
  for (const auto& c : changes.collations) simple("collation", c.kind, c.key);
  for (const auto& t : changes.tables) {
    if (t.kind != ChangeKind::Alter || t.changed) simple("table", t.kind, t.key);
    for (const auto& c : t.columns) {
      std::string name = c.to ? c.to->name : c.from->name;
      std::string line = member_line("column", c, name);
      if (c.kind == ChangeKind::Alter) line += ": " + column_aspect_names(c.changed);
      lines.push_back(line);
    }
    for (const auto& c : t.constraints)
      lines.push_back(member_line("constraint", c, c.to ? c.to->name : c.from->name));
    for (const auto& c : t.indexes) lines.push_back(index_line(c));
    for (const auto& c : t.triggers)
      lines.push_back(member_line("trigger", c, c.to ? c.to->name : c.from->name));
    for (const auto& c : t.policies)
      lines.push_back(member_line("policy", c, c.to ? c.to->name : c.from->name));
  }
  for (const auto& v : changes.views) {
    if (v.kind != ChangeKind::Alter || v.definition_changed || v.options_changed)
      simple("view", v.kind, v.key);
    for (const auto& c : v.indexes) lines.push_back(index_line(c));
    for (const auto& c : v.triggers)
      lines.push_back(member_line("trigger", c, c.to ? c.to->name : c.from->name));
  }
  for (const auto& c : changes.comments)
    lines.push_back("comment on " + c.object.kind + " " + c.object.name);
  for (const auto& g : changes.grants)
    lines.push_back("privileges on " + g.object.kind + " " + g.object.name);
  for (const auto& o : changes.owners)
    lines.push_back("owner of " + o.object.kind + " " + o.object.name + ": " +
                    (o.from.empty() ? "(new)" : o.from) + " -> " + o.to);
  for (const auto& d : changes.default_privileges) lines.push_back("default privileges " + d.key);
  return lines;
}

}  // namespace pgdrift::engine
