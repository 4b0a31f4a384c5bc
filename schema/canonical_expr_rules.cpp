// The canonical form's rewrite rules (docs/canonical-form.md numbers them) and normalise_node,
// which applies them bottom-up until none applies. Each rule returns true when it changed *slot;
// the rules that depend on the column types of the expression take the call's Context.
#include <algorithm>
#include <cctype>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "schema/canonical_expr.h"
#include "schema/interval_text.h"
#include "schema/parse_tree.h"
#include "schema/pg_builtins.h"
#include "schema/type_conversion.h"

namespace pgdrift::schema::canon {

using parse_tree::last_name;
using parse_tree::string_value;

namespace {

std::string cast_type(const PgQuery__TypeName* type) {
  try {
    return canonical_type(type, "public");
  } catch (const CanonicalError&) {
    return "";  // e.g. %TYPE or a serial name: no rule applies
  }
}

bool is_numeric_type(const std::string& type) {
  return type == "smallint" || type == "integer" || type == "bigint" || type == "real" ||
         type == "double precision" || type == "numeric" || type.rfind("numeric(", 0) == 0;
}

// A plain decimal number: -?digits[.digits] or -?.digits (no exponent, no spaces).
bool is_plain_number(const std::string& s) {
  size_t i = (!s.empty() && s[0] == '-') ? 1 : 0;
  bool digits = false, dot = false;
  for (; i < s.size(); ++i) {
    if (s[i] >= '0' && s[i] <= '9') {
      digits = true;
    } else if (s[i] == '.' && !dot) {
      dot = true;
    } else {
      return false;
    }
  }
  return digits;
}

// A plain number as PostgreSQL's numeric_out prints the value numeric_in makes of it: leading
// zeros go and a bare fraction gets its "0" (".50" -> "0.50", "007" -> "7", "-0.0" -> "0.0"),
// but the digits after the point stay: numeric keeps its scale, so `DEFAULT 20.0` is stored and
// printed as 20.0, apart from `DEFAULT 20` (and 20.00), and a dump tells them apart.
std::string numeric_out_text(const std::string& s) {
  const bool negative = !s.empty() && s[0] == '-';
  std::string digits = s.substr(negative ? 1 : 0);
  const size_t dot = digits.find('.');
  std::string whole = digits.substr(0, dot);
  std::string fraction = dot == std::string::npos ? "" : digits.substr(dot + 1);
  whole.erase(0, std::min(whole.find_first_not_of('0'), whole.size()));
  if (whole.empty()) whole = "0";
  std::string out = whole + (fraction.empty() ? "" : "." + fraction);
  const bool zero = whole == "0" && fraction.find_first_not_of('0') == std::string::npos;
  return negative && !zero ? "-" + out : out;
}

// Set an A_Const to the number `text` (a plain number): Integer when it fits, else Float.
void set_number(PgQuery__AConst* c, const std::string& text) {
  std::string number = numeric_out_text(text);
  switch (c->val_case) {
    case PG_QUERY__A__CONST__VAL_SVAL:
      pg_query__string__free_unpacked(c->sval, nullptr);
      break;
    case PG_QUERY__A__CONST__VAL_FVAL:
      pg_query__float__free_unpacked(c->fval, nullptr);
      break;
    case PG_QUERY__A__CONST__VAL_IVAL:
      pg_query__integer__free_unpacked(c->ival, nullptr);
      break;
    case PG_QUERY__A__CONST__VAL_BOOLVAL:
      pg_query__boolean__free_unpacked(c->boolval, nullptr);
      break;
    case PG_QUERY__A__CONST__VAL_BSVAL:
      pg_query__bit_string__free_unpacked(c->bsval, nullptr);
      break;
    default:
      break;
  }
  bool integral = number.find('.') == std::string::npos && number.size() <= 10;
  long long value = integral ? std::strtoll(number.c_str(), nullptr, 10) : 0;
  if (integral && value >= INT32_MIN && value <= INT32_MAX) {
    c->val_case = PG_QUERY__A__CONST__VAL_IVAL;
    c->ival = make_message<PgQuery__Integer, pg_query__integer__init>();
    c->ival->ival = static_cast<int32_t>(value);
  } else {
    c->val_case = PG_QUERY__A__CONST__VAL_FVAL;
    c->fval = make_message<PgQuery__Float, pg_query__float__init>();
    c->fval->fval = strdup(number.c_str());
  }
}

bool boolean_literal(const std::string& s, bool& value) {
  std::string lower;
  for (char ch : s) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (lower == "t" || lower == "true" || lower == "y" || lower == "yes" || lower == "on" ||
      lower == "1") {
    value = true;
    return true;
  }
  if (lower == "f" || lower == "false" || lower == "n" || lower == "no" || lower == "off" ||
      lower == "0") {
    value = false;
    return true;
  }
  return false;
}

// Types an untyped literal resolves to the same way in every context where PostgreSQL adds a
// cast to them implicitly: the text family (an unknown literal becomes text wherever text would
// do) and regclass (`nextval('s')` resolves nextval(regclass)). Casts to every other type carry
// meaning (`now() - '1 day'` fails where `now() - '1 day'::interval` works), so they stay.
bool is_text_like_type(const std::string& type) {
  return type == "text" || type == "character varying" || type == "bpchar" || type == "name" ||
         type.rfind("character varying(", 0) == 0 || type.rfind("character(", 0) == 0;
}
bool is_integer_type(const std::string& type) {
  return type == "smallint" || type == "integer" || type == "bigint";
}

bool is_float_type(const std::string& type) { return type == "real" || type == "double precision"; }

// The text of the constant PostgreSQL makes of the plain number `text` given as a string to the
// numeric `type` (`'007'::bigint` is '7'::bigint, `'1.50'::double precision` is '1.5'::double
// precision); the text as written where the type's output is not known here.
std::string typed_number_text(const std::string& text, const std::string& type) {
  if (is_integer_type(type) || type.rfind("numeric", 0) == 0) return numeric_out_text(text);
  if (!is_float_type(type)) return text;
  std::string number = numeric_out_text(text);
  if (number.find('.') != std::string::npos) {
    while (number.back() == '0') number.pop_back();
    if (number.back() == '.') number.pop_back();
  }
  if (number == "-0") return text;  // float keeps its negative zero
  size_t digits = 0;
  for (char ch : number) digits += ch >= '0' && ch <= '9';
  // float8out / float4out print the shortest text that reads back exactly: the digits as written
  // when there are few enough of them.
  return digits <= (type == "real" ? 6u : 15u) ? number : text;
}

// A number, or a string holding a plain number, cast to the numeric `type` is that number when
// PostgreSQL prints the two alike: returns the number's text, the string literal turned into the
// number; nullopt when the cast means more. A number cast to another numeric type prints as the
// number where the cast is implicit (`(0)::numeric` in a numeric default, unless it would round
// it: `1.5::integer`). A string cast to `type` is a constant of that type, printed as the bare
// number only when the bare number is a constant of that type by itself (checked with
// pg_get_expr on PostgreSQL 15): `'5'::integer` is 5, `'1.5'::numeric` is 1.5,
// `'3000000000'::bigint` is the literal 3000000000; `'2'::bigint`, `'1'::numeric`,
// `'1'::smallint` and `'1.5'::real` stay typed constants, apart from 2, (1)::numeric ...
std::optional<std::string> exact_number_for(PgQuery__AConst* c, const std::string& type) {
  const bool is_string = c->val_case == PG_QUERY__A__CONST__VAL_SVAL;
  std::string text = is_string                                     ? c->sval->sval
                     : c->val_case == PG_QUERY__A__CONST__VAL_FVAL ? c->fval->fval
                     : c->val_case == PG_QUERY__A__CONST__VAL_IVAL ? std::to_string(c->ival->ival)
                                                                   : "";
  if (!is_plain_number(text)) return std::nullopt;
  if (is_integer_type(type) && text.find('.') != std::string::npos) return std::nullopt;
  if (is_string) {
    if (number_literal_type(numeric_out_text(text)) != type) {
      const std::string typed = typed_number_text(text, type);
      if (typed != text) {
        std::free(c->sval->sval);
        c->sval->sval = strdup(typed.c_str());
      }
      return std::nullopt;
    }
    set_number(c, text);
  }
  return text;
}

// The literal `arg` cast to `type` becomes a constant that means the same without the cast:
// rewrites `arg` in place and returns true, or returns false (the cast stays).
bool untyped_literal_for(PgQuery__AConst* c, const std::string& type) {
  if (is_text_like_type(type) || type == "regclass") {
    return true;  // any literal (also NULL::text): resolves to text / regclass where needed
  }
  if (c->isnull) return false;
  const bool is_string = c->val_case == PG_QUERY__A__CONST__VAL_SVAL;
  if (is_numeric_type(type)) return exact_number_for(c, type).has_value();
  if (type == "boolean") {
    if (c->val_case == PG_QUERY__A__CONST__VAL_BOOLVAL) return true;
    bool value = false;
    if (!is_string || !boolean_literal(c->sval->sval, value)) return false;
    pg_query__string__free_unpacked(c->sval, nullptr);
    c->val_case = PG_QUERY__A__CONST__VAL_BOOLVAL;
    c->boolval = make_message<PgQuery__Boolean, pg_query__boolean__init>();
    c->boolval->boolval = value;
    return true;
  }
  return false;
}

// ---- rules: each returns true when it changed *slot ------------------------------------------

// Casts PostgreSQL adds where an untyped literal means the same (see untyped_literal_for), on
// and on text-like column references: `(0)::numeric`, `'x'::text`, `'-1'::integer`,
// `(status)::text` (casts on ARRAY[...] are pushed into the elements, push_cast_into_array).
// A cast marked kTargetCastMark is a whole view target (drop_target_cast).

// A constant cast as a whole view target keeps every cast that changes the column's type:
// `'1'::numeric AS n` is a numeric column, `1 AS n` an integer one. Dropped only when the
// literal has that type by itself (`1::integer`, `1.5::numeric`, `'t'::boolean`, `'x'::text`,
// whose unknown type becomes text in a view); `'1'::numeric` (a numeric constant) and
// `(1)::numeric` (an integer cast) stay apart, as pg_get_viewdef prints them.
bool drop_target_cast(PgQuery__AConst* c, const std::string& type) {
  if (type == "text") return true;
  if (c->isnull) return false;
  if (is_numeric_type(type)) {
    const std::optional<std::string> text = exact_number_for(c, type);
    return text && number_literal_type(*text) == type;
  }
  if (type == "boolean") return untyped_literal_for(c, type);
  return false;
}

bool is_varchar_type(const std::string& type) {
  return type == "character varying" || type.rfind("character varying(", 0) == 0;
}
bool is_bpchar_type(const std::string& type) {
  return type == "bpchar" || type.rfind("character(", 0) == 0;
}

// Whether `column::cast` prints the same as the bare column, given what is known of the
// column's type (column_type_of). Checked against pg_get_expr on PostgreSQL 15:
//  - ::text on a text column is a no-op PostgreSQL does not store; on a varchar column (or a
//    domain over text / varchar) it is the coercion PostgreSQL inserts itself wherever the
//    column meets text, printed `(c)::text` whether written or not;
//  - ::character varying on a varchar column and ::bpchar on a char(n) column are no-ops;
//  - every other cast is meaning: `tenant_id::text` on a bigint, char(n) -> text (a text
//    comparison instead of a bpchar one), name / enum / uuid -> text. An unknown column type
//    keeps the cast as written, which stays executable.
// Without a lookup (nullopt) the type-blind form is kept: text, varchar and bpchar casts go
// (views, whose columns' types are not known here).
bool drop_column_cast(const std::optional<std::string>& column_type, const std::string& cast) {
  if (!column_type) return cast == "text" || cast == "character varying" || cast == "bpchar";
  const std::string& column = *column_type;
  if (cast == "text") return column == "text" || is_varchar_type(column);
  if (cast == "character varying") return is_varchar_type(column);
  if (cast == "bpchar") return is_bpchar_type(column);
  return false;
}

// `(x::character varying[(n)])::text` -> `x::character varying[(n)]`: PostgreSQL inserts the
// varchar -> text coercion wherever a varchar meets text and prints it as a cast. Only with
// column types given (expressions of a table): in a view's SELECT list the outer cast decides
// the column's type.
bool drop_text_cast_of_varchar_cast(const Context& ctx, PgQuery__Node** slot) {
  PgQuery__Node* node = *slot;
  if (!ctx.knows_column_types() || node->node_case != PG_QUERY__NODE__NODE_TYPE_CAST ||
      node->type_cast->arg == nullptr ||
      node->type_cast->arg->node_case != PG_QUERY__NODE__NODE_TYPE_CAST ||
      cast_type(node->type_cast->type_name) != "text" ||
      !is_varchar_type(cast_type(node->type_cast->arg->type_cast->type_name))) {
    return false;
  }
  PgQuery__Node* arg = node->type_cast->arg;
  node->type_cast->arg = nullptr;
  replace(slot, arg);
  return true;
}

// A canonical type without its typmods, as the cast on an untyped literal facing a column of
// that type prints: "timestamp(3) without time zone" -> "timestamp without time zone",
// "numeric(10,2)" -> "numeric", "character(3)" -> "bpchar".
std::string without_typmods(const std::string& type) {
  std::string out;
  int depth = 0;
  for (char ch : type) {
    if (ch == '(') ++depth;
    if (depth == 0) out += ch;
    if (ch == ')' && depth > 0) --depth;
  }
  if (out == "character") return "bpchar";
  return out;
}

bool drop_cast(const Context& ctx, PgQuery__Node** slot) {
  PgQuery__Node* node = *slot;
  if (node->node_case != PG_QUERY__NODE__NODE_TYPE_CAST) return false;
  PgQuery__TypeCast* cast = node->type_cast;
  PgQuery__Node* arg = cast->arg;
  if (arg == nullptr) return false;
  std::string type = cast_type(cast->type_name);
  if (type.empty()) return false;

  bool drop = false;
  if (is_const(arg) && cast->location == kTargetCastMark) {
    drop = drop_target_cast(arg->a_const, type);
  } else if (is_const(arg)) {
    drop = untyped_literal_for(arg->a_const, type);
  } else if (is_column_ref(arg)) {
    drop = drop_column_cast(column_type_of(ctx, arg), type);
  }
  if (!drop) return false;
  cast->arg = nullptr;
  replace(slot, arg);
  return true;
}

// Number literals written the long way round are the number PostgreSQL stores: 007.50 = 7.50,
// .5 = 0.5 (numeric_out_text; trailing fractional zeros are the value's scale and stay).
bool normalise_number(PgQuery__Node** slot) {
  PgQuery__Node* node = *slot;
  if (!is_const(node) || node->a_const->val_case != PG_QUERY__A__CONST__VAL_FVAL) return false;
  std::string text = node->a_const->fval->fval;
  if (!is_plain_number(text) || numeric_out_text(text) == text) return false;
  set_number(node->a_const, text);
  return true;
}

bool has_operator_name(const PgQuery__AExpr* expr, const char* name) {
  return expr->n_name == 1 && string_value(expr->name[0]) == name;
}

// `'a'::T` where T is a type the cast is kept for (see untyped_literal_for).
bool is_typed_string_literal(const PgQuery__Node* n) {
  return n != nullptr && n->node_case == PG_QUERY__NODE__NODE_TYPE_CAST &&
         is_string_const(n->type_cast->arg);
}

// True when the subtree references a column (PostgreSQL's contain_vars_of_level, roughly).
bool contains_column_ref(const PgQuery__Node* node) {
  if (is_column_ref(node)) return true;
  bool found = false;
  auto* message = const_cast<ProtobufCMessage*>(&node->base);  // only read
  parse_tree::walk_children(
      message, [&](PgQuery__Node** child) { found = found || contains_column_ref(*child); });
  return found;
}

// `x = ANY (ARRAY[a, b])` -> `x IN (a, b)`, `x <> ALL (ARRAY[...])` -> `x NOT IN (...)`.
// PostgreSQL stores IN lists as = ANY(ARRAY[...]); the IN form is the one that stays executable
// once the element casts are gone: `status IN ('a', 'b')` resolves the literals as the enum,
// `status = ANY (ARRAY['a', 'b'])` builds a text[] and fails.
bool any_to_in(PgQuery__Node** slot) {
  PgQuery__Node* node = *slot;
  if (node->node_case != PG_QUERY__NODE__NODE_A_EXPR) return false;
  PgQuery__AExpr* expr = node->a_expr;
  const bool any =
      expr->kind == PG_QUERY__A__EXPR__KIND__AEXPR_OP_ANY && has_operator_name(expr, "=");
  const bool all =
      expr->kind == PG_QUERY__A__EXPR__KIND__AEXPR_OP_ALL && has_operator_name(expr, "<>");
  if ((!any && !all) || expr->rexpr == nullptr ||
      expr->rexpr->node_case != PG_QUERY__NODE__NODE_A_ARRAY_EXPR ||
      expr->rexpr->a_array_expr->n_elements < 2) {
    return false;  // an IN list never becomes a one-element array (see in_list_as_postgres)
  }
  PgQuery__AArrayExpr* array = expr->rexpr->a_array_expr;
  for (size_t i = 0; i < array->n_elements; ++i) {
    if (contains_column_ref(array->elements[i])) return false;  // written as = ANY (ARRAY[..])
  }
  auto* list = make_message<PgQuery__List, pg_query__list__init>();
  list->n_items = array->n_elements;
  list->items = array->elements;
  array->n_elements = 0;
  array->elements = nullptr;
  free_node(expr->rexpr);
  expr->rexpr = make_node();
  expr->rexpr->node_case = PG_QUERY__NODE__NODE_LIST;
  expr->rexpr->list = list;
  expr->kind = PG_QUERY__A__EXPR__KIND__AEXPR_IN;
  return true;
}

// The element type of an IN list with a typed left side is the left side's type, and that is
// the type PostgreSQL casts the list's literals to: `m IN ('a'::mood, 'b'::mood)` ->
// `m IN ('a', 'b')`. Kept when the literals have different types (written on purpose).
bool drop_in_list_casts(PgQuery__Node** slot) {
  PgQuery__Node* node = *slot;
  if (node->node_case != PG_QUERY__NODE__NODE_A_EXPR) return false;
  PgQuery__AExpr* expr = node->a_expr;
  if (expr->kind != PG_QUERY__A__EXPR__KIND__AEXPR_IN || expr->lexpr == nullptr ||
      is_const(expr->lexpr) || is_typed_string_literal(expr->lexpr) || expr->rexpr == nullptr ||
      expr->rexpr->node_case != PG_QUERY__NODE__NODE_LIST) {
    return false;
  }
  PgQuery__List* list = expr->rexpr->list;
  std::string type;
  for (size_t i = 0; i < list->n_items; ++i) {
    if (!is_typed_string_literal(list->items[i])) return false;
    std::string item_type = cast_type(list->items[i]->type_cast->type_name);
    if (item_type.empty() || (i > 0 && item_type != type)) return false;
    type = item_type;
  }
  for (size_t i = 0; i < list->n_items; ++i) {
    PgQuery__Node* literal = list->items[i]->type_cast->arg;
    list->items[i]->type_cast->arg = nullptr;
    replace(&list->items[i], literal);
  }
  return list->n_items > 0;
}

// `column <cmp> 'literal'::T` -> `column <cmp> 'literal'`: facing a column, an untyped literal
// takes the column's type, which is the cast PostgreSQL adds (`d > '2020-01-01'::date` for a
// date column); likewise facing any expression whose type is known to be T. Only for
// comparisons: `now() - '1 day'::interval` keeps its cast.
bool drop_cast_facing_column(const Context& ctx, PgQuery__Node** slot) {
  PgQuery__Node* node = *slot;
  if (node->node_case != PG_QUERY__NODE__NODE_A_EXPR) return false;
  PgQuery__AExpr* expr = node->a_expr;
  if (expr->kind != PG_QUERY__A__EXPR__KIND__AEXPR_OP) return false;
  bool comparison = false;
  for (const char* op : {"=", "<>", "<", "<=", ">", ">="})
    comparison |= has_operator_name(expr, op);
  if (!comparison) return false;
  PgQuery__Node** literal = nullptr;
  if (is_typed_string_literal(expr->rexpr) && !is_typed_string_literal(expr->lexpr)) {
    literal = &expr->rexpr;
  } else if (is_typed_string_literal(expr->lexpr) && !is_typed_string_literal(expr->rexpr)) {
    literal = &expr->lexpr;
  }
  if (literal == nullptr) return false;
  const PgQuery__Node* other = *literal == expr->rexpr ? expr->lexpr : expr->rexpr;
  const std::string type = cast_type((*literal)->type_cast->type_name);
  if (type.empty()) return false;
  if (is_column_ref(other)) {
    // With the column's type known, only the cast PostgreSQL itself adds to an untyped literal
    // facing that column goes: `d > '2020-01-01'::timestamp` on a date column compares with a
    // timestamp (a cross-type operator), and an unknown column keeps what was written.
    const std::optional<std::string> column_type = column_type_of(ctx, other);
    if (column_type && (column_type->empty() || without_typmods(*column_type) != type)) {
      return false;
    }
  } else {
    // Facing any other expression, only when its type is known and is T: an untyped literal
    // next to a value of type T is taken as T (the operator T op T), `to_tsvector(b) <> ''`
    // is stored `<> ''::tsvector`; `now() > '2020-01-01'::date` keeps its cast.
    const std::string other_type = expression_type(ctx, other);
    if (other_type.empty() || other_type == kUnknownType || other_type != resolution_type(type)) {
      return false;
    }
  }
  PgQuery__Node* value = (*literal)->type_cast->arg;
  (*literal)->type_cast->arg = nullptr;
  replace(literal, value);
  return true;
}

// LIKE / ILIKE / SIMILAR TO (and NOT ...) carry their operator name already (~~, ~~*, !~~,
// !~~*, ~, !~); PostgreSQL prints the operator form (SIMILAR TO's pattern is already wrapped
// in similar_to_escape() by the grammar).
bool like_to_operator(PgQuery__Node** slot) {
  PgQuery__Node* node = *slot;
  if (node->node_case != PG_QUERY__NODE__NODE_A_EXPR) return false;
  PgQuery__AExpr* expr = node->a_expr;
  if (expr->kind != PG_QUERY__A__EXPR__KIND__AEXPR_LIKE &&
      expr->kind != PG_QUERY__A__EXPR__KIND__AEXPR_ILIKE &&
      expr->kind != PG_QUERY__A__EXPR__KIND__AEXPR_SIMILAR) {
    return false;
  }
  expr->kind = PG_QUERY__A__EXPR__KIND__AEXPR_OP;
  return true;
}

// `a BETWEEN x AND y` -> `a >= x AND a <= y`; NOT BETWEEN -> `a < x OR a > y`;
// BETWEEN SYMMETRIC -> `(a >= x AND a <= y) OR (a >= y AND a <= x)`;
// NOT BETWEEN SYMMETRIC -> `(a < x OR a > y) AND (a < y OR a > x)` (what PostgreSQL stores).
bool expand_between(PgQuery__Node** slot) {
  PgQuery__Node* node = *slot;
  if (node->node_case != PG_QUERY__NODE__NODE_A_EXPR) return false;
  PgQuery__AExpr* expr = node->a_expr;
  const PgQuery__AExprKind kind = expr->kind;
  bool negated = kind == PG_QUERY__A__EXPR__KIND__AEXPR_NOT_BETWEEN ||
                 kind == PG_QUERY__A__EXPR__KIND__AEXPR_NOT_BETWEEN_SYM;
  bool symmetric = kind == PG_QUERY__A__EXPR__KIND__AEXPR_BETWEEN_SYM ||
                   kind == PG_QUERY__A__EXPR__KIND__AEXPR_NOT_BETWEEN_SYM;
  if (!negated && !symmetric && kind != PG_QUERY__A__EXPR__KIND__AEXPR_BETWEEN) return false;
  if (expr->lexpr == nullptr || expr->rexpr == nullptr ||
      expr->rexpr->node_case != PG_QUERY__NODE__NODE_LIST || expr->rexpr->list->n_items != 2) {
    return false;
  }
  PgQuery__List* bounds = expr->rexpr->list;
  PgQuery__Node* low = bounds->items[0];
  PgQuery__Node* high = bounds->items[1];
  bounds->items[0] = nullptr;
  bounds->items[1] = nullptr;
  PgQuery__Node* value = expr->lexpr;
  expr->lexpr = nullptr;

  const PgQuery__BoolExprType inner =
      negated ? PG_QUERY__BOOL_EXPR_TYPE__OR_EXPR : PG_QUERY__BOOL_EXPR_TYPE__AND_EXPR;
  const char* low_op = negated ? "<" : ">=";
  const char* high_op = negated ? ">" : "<=";
  // Build the swapped half first: it needs copies of the operands the first half takes.
  PgQuery__Node* swapped = nullptr;
  if (symmetric) {
    swapped = make_bool_expr(inner, make_operator(low_op, copy_of(value), copy_of(high)),
                             make_operator(high_op, copy_of(value), copy_of(low)));
  }
  PgQuery__Node* value_copy = copy_of(value);
  PgQuery__Node* result = make_bool_expr(inner, make_operator(low_op, value, low),
                                         make_operator(high_op, value_copy, high));
  if (symmetric) {
    result = make_bool_expr(
        negated ? PG_QUERY__BOOL_EXPR_TYPE__AND_EXPR : PG_QUERY__BOOL_EXPR_TYPE__OR_EXPR, result,
        swapped);
  }
  replace(slot, result);
  return true;
}

// AND inside AND / OR inside OR are flattened: the grammar only flattens to the left, and
// PostgreSQL prints BETWEEN inside an AND as a nested AND.
bool flatten_bool(PgQuery__Node** slot) {
  PgQuery__Node* node = *slot;
  if (node->node_case != PG_QUERY__NODE__NODE_BOOL_EXPR) return false;
  PgQuery__BoolExpr* expr = node->bool_expr;
  if (expr->boolop == PG_QUERY__BOOL_EXPR_TYPE__NOT_EXPR) return false;
  auto same_op = [&](const PgQuery__Node* arg) {
    return arg != nullptr && arg->node_case == PG_QUERY__NODE__NODE_BOOL_EXPR &&
           arg->bool_expr->boolop == expr->boolop;
  };
  size_t total = 0;
  bool nested = false;
  for (size_t i = 0; i < expr->n_args; ++i) {
    if (same_op(expr->args[i])) {
      nested = true;
      total += expr->args[i]->bool_expr->n_args;
    } else {
      ++total;
    }
  }
  if (!nested) return false;
  PgQuery__Node** args = make_node_array(total);
  size_t out = 0;
  for (size_t i = 0; i < expr->n_args; ++i) {
    PgQuery__Node* arg = expr->args[i];
    if (same_op(arg)) {
      PgQuery__BoolExpr* inner = arg->bool_expr;
      for (size_t k = 0; k < inner->n_args; ++k) args[out++] = inner->args[k];
      inner->n_args = 0;
      std::free(inner->args);
      inner->args = nullptr;
      free_node(arg);
    } else {
      args[out++] = arg;
    }
  }
  std::free(expr->args);
  expr->args = args;
  expr->n_args = total;
  return true;
}

// `pg_catalog.lower(x)` -> `lower(x)` for plain calls (PostgreSQL prints catalog functions
// unqualified); calls in SQL syntax (TRIM, EXTRACT, ...) keep their pg_catalog name so the
// deparser can still print the SQL syntax.
bool unqualify_catalog_function(PgQuery__Node** slot) {
  PgQuery__Node* node = *slot;
  if (node->node_case != PG_QUERY__NODE__NODE_FUNC_CALL) return false;
  PgQuery__FuncCall* call = node->func_call;
  if (call->n_funcname != 2 || call->funcformat == PG_QUERY__COERCION_FORM__COERCE_SQL_SYNTAX ||
      string_value(call->funcname[0]) != "pg_catalog") {
    return false;
  }
  free_node(call->funcname[0]);
  call->funcname[0] = call->funcname[1];
  call->n_funcname = 1;
  return true;
}

// `'public.s'` -> `'s'`: the name a regclass string gives, without the default schema (the
// quoting of the rest kept as written); nullopt when it names no relation of schema public.
std::optional<std::string> regclass_without_public(const std::string& name) {
  std::vector<std::string> raw_parts(1);
  std::vector<std::string> folded_parts(1);
  bool quoted = false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    if (c == '"') {
      if (quoted && i + 1 < name.size() && name[i + 1] == '"') {
        raw_parts.back() += "\"\"";
        folded_parts.back() += '"';
        ++i;
        continue;
      }
      quoted = !quoted;
      raw_parts.back() += c;
    } else if (c == '.' && !quoted) {
      raw_parts.emplace_back();
      folded_parts.emplace_back();
    } else {
      raw_parts.back() += c;
      folded_parts.back() +=
          quoted ? c : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  auto trim = [](const std::string& t) {
    const size_t b = t.find_first_not_of(" \t\n");
    return b == std::string::npos ? std::string()
                                  : t.substr(b, t.find_last_not_of(" \t\n") - b + 1);
  };
  if (quoted || raw_parts.size() != 2 || trim(folded_parts[0]) != "public") return std::nullopt;
  std::string rest = trim(raw_parts[1]);
  if (rest.empty()) return std::nullopt;
  return rest;
}

bool unqualify_public_string(PgQuery__Node* node) {
  if (!is_string_const(node)) return false;
  PgQuery__String* value = node->a_const->sval;
  auto rest = regclass_without_public(value->sval);
  if (!rest) return false;
  std::free(value->sval);
  value->sval = strdup(rest->c_str());
  return true;
}

// Drops the leading `public` of a name list of `count` parts (public.f, public.t.c).
bool drop_public_name(PgQuery__Node**& names, size_t& count, size_t qualified_count) {
  if (count != qualified_count || string_value(names[0]) != "public") return false;
  free_node(names[0]);
  for (size_t i = 1; i < count; ++i) names[i - 1] = names[i];
  --count;
  return true;
}

// Names of schema public are written unqualified, whoever wrote them: public is the default
// schema of the model (the loader's, and the catalog's search_path pg_catalog, public), but
// pg_dump qualifies everything (search_path ''), and so does the catalog for a role without
// USAGE on public. Functions `public.f(x)` -> `f(x)`, operators `OPERATOR(public.@@)` -> `@@`,
// column references `public.t.c` -> `t.c`, and relation names in regclass strings
// `'public.s'::regclass` / `nextval('public.s')` -> `'s'` (before rule 1 drops the cast).
// Relations in FROM are unqualified by unqualify_public_relations, after the view rules.
bool unqualify_public_names(PgQuery__Node** slot) {
  PgQuery__Node* node = *slot;
  switch (node->node_case) {
    case PG_QUERY__NODE__NODE_FUNC_CALL: {
      PgQuery__FuncCall* call = node->func_call;
      if (drop_public_name(call->funcname, call->n_funcname, 2)) return true;
      const std::string name = last_name(call->funcname, call->n_funcname);
      const bool catalog =
          call->n_funcname == 1 ||
          (call->n_funcname == 2 && string_value(call->funcname[0]) == "pg_catalog");
      if (catalog && call->n_args >= 1 &&
          (name == "nextval" || name == "currval" || name == "setval"))
        return unqualify_public_string(call->args[0]);
      return false;
    }
    case PG_QUERY__NODE__NODE_A_EXPR:
      return drop_public_name(node->a_expr->name, node->a_expr->n_name, 2);
    case PG_QUERY__NODE__NODE_COLUMN_REF:
      return drop_public_name(node->column_ref->fields, node->column_ref->n_fields, 3);
    case PG_QUERY__NODE__NODE_TYPE_CAST:
      return cast_type(node->type_cast->type_name) == "regclass" &&
             unqualify_public_string(node->type_cast->arg);
    default:
      return false;
  }
}

// Cast target types: `x::int4`, `x::integer` and the catalog's `x::integer` must print alike.
// The deparser prints pg_catalog-qualified int2/int4/int8/float4/float8/bool/numeric/varchar/
// time[stamp][tz]/interval with their SQL names and every other pg_catalog type qualified, so
// the first group is qualified and the rest unqualified. bpchar stays as written: a bare
// `char` would mean char(1).
bool normalise_cast_type(PgQuery__Node** slot) {
  PgQuery__Node* node = *slot;
  if (node->node_case != PG_QUERY__NODE__NODE_TYPE_CAST || node->type_cast->type_name == nullptr) {
    return false;
  }
  static const std::map<std::string, std::string> internal_names = {{"int", "int4"},
                                                                    {"integer", "int4"},
                                                                    {"int4", "int4"},
                                                                    {"smallint", "int2"},
                                                                    {"int2", "int2"},
                                                                    {"bigint", "int8"},
                                                                    {"int8", "int8"},
                                                                    {"real", "float4"},
                                                                    {"float4", "float4"},
                                                                    {"float8", "float8"},
                                                                    {"bool", "bool"},
                                                                    {"boolean", "bool"},
                                                                    {"decimal", "numeric"},
                                                                    {"numeric", "numeric"},
                                                                    {"varchar", "varchar"},
                                                                    {"time", "time"},
                                                                    {"timetz", "timetz"},
                                                                    {"timestamp", "timestamp"},
                                                                    {"timestamptz", "timestamptz"},
                                                                    {"interval", "interval"}};
  PgQuery__TypeName* type = node->type_cast->type_name;
  for (size_t i = 0; i < type->n_names; ++i) {
    if (type->names[i]->node_case != PG_QUERY__NODE__NODE_STRING) return false;
  }
  if (type->n_names == 1) {
    auto it = internal_names.find(type->names[0]->string->sval);
    if (it == internal_names.end()) {
      // A user type (enum, domain, extension type) is qualified like canonical_type does:
      // the catalog prints `'a'::mood` or `'a'::app.mood` depending on the search_path.
      if (is_builtin_type_name(type->names[0]->string->sval)) return false;
      PgQuery__Node** names = make_node_array(2);
      names[0] = make_string_node("public");
      names[1] = type->names[0];
      std::free(type->names);
      type->names = names;
      type->n_names = 2;
      return true;
    }
    PgQuery__Node** names = make_node_array(2);
    names[0] = make_string_node("pg_catalog");
    names[1] = make_string_node(it->second.c_str());
    free_node(type->names[0]);
    std::free(type->names);
    type->names = names;
    type->n_names = 2;
    return true;
  }
  if (type->n_names == 2 && std::strcmp(type->names[0]->string->sval, "pg_catalog") == 0 &&
      internal_names.count(type->names[1]->string->sval) == 0) {
    free_node(type->names[0]);
    type->names[0] = type->names[1];
    type->n_names = 1;
    return true;
  }
  return false;
}

// IN lists as PostgreSQL's transformAExprIn stores them: the items that reference no column
// form one `= ANY (ARRAY[...])` (our IN form) only when there are at least two of them; every
// other item becomes its own comparison, ORed (AND for NOT IN) after it:
// `x IN ('a')` -> `x = 'a'`, `x NOT IN ('a')` -> `x <> 'a'`, `a IN (b, 1)` -> `a = b OR a = 1`,
// `a IN (b, 1, 2)` -> `a IN (1, 2) OR a = b`. Row IN lists are left alone.
bool in_list_as_postgres(Context& ctx, PgQuery__Node** slot) {
  PgQuery__Node* node = *slot;
  if (node->node_case != PG_QUERY__NODE__NODE_A_EXPR) return false;
  PgQuery__AExpr* expr = node->a_expr;
  if (expr->kind != PG_QUERY__A__EXPR__KIND__AEXPR_IN || expr->lexpr == nullptr ||
      expr->lexpr->node_case == PG_QUERY__NODE__NODE_ROW_EXPR || expr->rexpr == nullptr ||
      expr->rexpr->node_case != PG_QUERY__NODE__NODE_LIST || expr->rexpr->list->n_items == 0) {
    return false;
  }
  PgQuery__List* list = expr->rexpr->list;
  std::vector<PgQuery__Node*> constants, columns, all;
  for (size_t i = 0; i < list->n_items; ++i) {
    (contains_column_ref(list->items[i]) ? columns : constants).push_back(list->items[i]);
    all.push_back(list->items[i]);
  }
  if (constants.size() >= 2 && columns.empty()) return false;
  const bool negated = has_operator_name(expr, "<>");
  const char* op = negated ? "<>" : "=";
  const PgQuery__BoolExprType join =
      negated ? PG_QUERY__BOOL_EXPR_TYPE__AND_EXPR : PG_QUERY__BOOL_EXPR_TYPE__OR_EXPR;
  for (size_t i = 0; i < list->n_items; ++i) list->items[i] = nullptr;
  PgQuery__Node* left = expr->lexpr;
  expr->lexpr = nullptr;
  PgQuery__Node* result = nullptr;
  const std::vector<PgQuery__Node*>* pairwise = &all;
  if (constants.size() >= 2) {
    result = make_in_list(op, copy_of(left), constants);
    pairwise = &columns;
  }
  for (PgQuery__Node* item : *pairwise) {
    PgQuery__Node* comparison = make_operator(op, copy_of(left), item);
    result = result == nullptr ? comparison : make_bool_expr(join, result, comparison);
  }
  free_node(left);
  replace(slot, result);
  normalise_node(ctx, slot);  // the new comparisons get the rules too (casts facing a column, ...)
  return true;
}

// Row comparisons with = and <> are stored pairwise (make_row_comparison_op):
// `(a, b) = (1, 2)` -> `a = 1 AND b = 2`, `(a, b) <> (1, 2)` -> `a <> 1 OR b <> 2`.
bool expand_row_equality(Context& ctx, PgQuery__Node** slot) {
  PgQuery__Node* node = *slot;
  if (node->node_case != PG_QUERY__NODE__NODE_A_EXPR) return false;
  PgQuery__AExpr* expr = node->a_expr;
  const bool equal = has_operator_name(expr, "=");
  if (expr->kind != PG_QUERY__A__EXPR__KIND__AEXPR_OP ||
      (!equal && !has_operator_name(expr, "<>")) || expr->lexpr == nullptr ||
      expr->rexpr == nullptr || expr->lexpr->node_case != PG_QUERY__NODE__NODE_ROW_EXPR ||
      expr->rexpr->node_case != PG_QUERY__NODE__NODE_ROW_EXPR ||
      expr->lexpr->row_expr->n_args != expr->rexpr->row_expr->n_args ||
      expr->lexpr->row_expr->n_args == 0) {
    return false;
  }
  PgQuery__RowExpr* left = expr->lexpr->row_expr;
  PgQuery__RowExpr* right = expr->rexpr->row_expr;
  PgQuery__Node* result = nullptr;
  for (size_t i = 0; i < left->n_args; ++i) {
    PgQuery__Node* comparison = make_operator(equal ? "=" : "<>", left->args[i], right->args[i]);
    left->args[i] = nullptr;
    right->args[i] = nullptr;
    result = result == nullptr ? comparison
                               : make_bool_expr(equal ? PG_QUERY__BOOL_EXPR_TYPE__AND_EXPR
                                                      : PG_QUERY__BOOL_EXPR_TYPE__OR_EXPR,
                                                result, comparison);
  }
  replace(slot, result);
  normalise_node(ctx, slot);
  return true;
}

// PostgreSQL prints every row constructor as ROW(...): `(a, b) > (0, 0)` is stored as
// `ROW(a, b) > ROW(0, 0)`.
bool explicit_row(PgQuery__Node** slot) {
  PgQuery__Node* node = *slot;
  if (node->node_case != PG_QUERY__NODE__NODE_ROW_EXPR ||
      node->row_expr->row_format == PG_QUERY__COERCION_FORM__COERCE_EXPLICIT_CALL) {
    return false;
  }
  node->row_expr->row_format = PG_QUERY__COERCION_FORM__COERCE_EXPLICIT_CALL;
  return true;
}

// Bit-string constants are stored as bit values and printed in binary with a cast:
// `x'1F'` -> `'00011111'::"bit"`, `b'101'` -> `'101'::"bit"`.
bool bit_string_as_cast(PgQuery__Node** slot) {
  PgQuery__Node* node = *slot;
  if (!is_const(node) || node->a_const->isnull ||
      node->a_const->val_case != PG_QUERY__A__CONST__VAL_BSVAL) {
    return false;
  }
  const std::string raw = node->a_const->bsval->bsval;  // "x1F" / "b101", as the scanner keeps it
  if (raw.empty()) return false;
  std::string bits;
  if (raw[0] == 'b' || raw[0] == 'B') {
    bits = raw.substr(1);
  } else if (raw[0] == 'x' || raw[0] == 'X') {
    for (size_t i = 1; i < raw.size(); ++i) {
      const char ch = static_cast<char>(std::tolower(static_cast<unsigned char>(raw[i])));
      int value = ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
      if (value < 0) return false;
      for (int bit = 3; bit >= 0; --bit) bits += ((value >> bit) & 1) ? '1' : '0';
    }
  } else {
    return false;
  }
  pg_query__bit_string__free_unpacked(node->a_const->bsval, nullptr);
  node->a_const->val_case = PG_QUERY__A__CONST__VAL_SVAL;
  node->a_const->sval = make_message<PgQuery__String, pg_query__string__init>();
  node->a_const->sval->sval = strdup(bits.c_str());

  *slot = make_cast(node, "bit");  // `node` now hangs below the cast: nothing to free
  return true;
}

// Every leaf of the (possibly nested) ARRAY[...] is a constant or a cast.
bool array_of_typed_leaves(const PgQuery__AArrayExpr* array) {
  if (array->n_elements == 0) return false;
  for (size_t i = 0; i < array->n_elements; ++i) {
    const PgQuery__Node* element = array->elements[i];
    if (element->node_case == PG_QUERY__NODE__NODE_A_ARRAY_EXPR) {
      if (!array_of_typed_leaves(element->a_array_expr)) return false;
    } else if (!is_const(element) && element->node_case != PG_QUERY__NODE__NODE_TYPE_CAST) {
      return false;
    }
  }
  return true;
}

// Wraps every leaf of `array` not already cast to `element_type` in a copy of `element_cast`
// (a TypeCast without argument).
void cast_array_leaves(PgQuery__AArrayExpr* array, const PgQuery__Node* element_cast,
                       const std::string& element_type) {
  for (size_t i = 0; i < array->n_elements; ++i) {
    PgQuery__Node*& element = array->elements[i];
    if (element->node_case == PG_QUERY__NODE__NODE_A_ARRAY_EXPR) {
      cast_array_leaves(element->a_array_expr, element_cast, element_type);
    } else if (element->node_case != PG_QUERY__NODE__NODE_TYPE_CAST ||
               cast_type(element->type_cast->type_name) != element_type) {
      PgQuery__Node* cast = copy_of(element_cast);
      cast->type_cast->arg = element;
      element = cast;
    }
  }
}

// `ARRAY[a, b]::T[]` is built as an array of T directly (transformTypeCast hands the type down
// to transformArrayExpr), so PostgreSQL stores `ARRAY[a::T, b::T]` with no cast on the array:
// `ARRAY[current_date::text]::text[]` -> `ARRAY[current_date::text]`, `ARRAY[1, 2]::bigint[]`
// -> `ARRAY[1::bigint, 2::bigint]` (-> `ARRAY[1, 2]` by rule 1). Only when every element is a
// constant or a cast, whose type is known; `ARRAY[col]::T[]` keeps its cast.
bool push_cast_into_array(Context& ctx, PgQuery__Node** slot) {
  PgQuery__Node* node = *slot;
  if (node->node_case != PG_QUERY__NODE__NODE_TYPE_CAST || node->type_cast->arg == nullptr ||
      node->type_cast->arg->node_case != PG_QUERY__NODE__NODE_A_ARRAY_EXPR ||
      node->type_cast->type_name == nullptr || node->type_cast->type_name->n_array_bounds == 0 ||
      !array_of_typed_leaves(node->type_cast->arg->a_array_expr)) {
    return false;
  }
  const std::string array_type = cast_type(node->type_cast->type_name);
  if (array_type.size() <= 2 || array_type.compare(array_type.size() - 2, 2, "[]") != 0) {
    return false;
  }
  const std::string element_type = array_type.substr(0, array_type.size() - 2);
  PgQuery__Node* array = node->type_cast->arg;
  node->type_cast->arg = nullptr;
  PgQuery__TypeName* type = node->type_cast->type_name;
  for (size_t i = 0; i < type->n_array_bounds; ++i) free_node(type->array_bounds[i]);
  std::free(type->array_bounds);
  type->array_bounds = nullptr;
  type->n_array_bounds = 0;
  cast_array_leaves(array->a_array_expr, node, element_type);
  replace(slot, array);       // frees the cast, which served as the element cast template
  normalise_node(ctx, slot);  // the new element casts get the rules
  return true;
}

// `f(...)::text` where every pg_catalog f returns text: the cast is a no-op PostgreSQL does
// not store: `current_setting('a.b', true)::text` -> `current_setting('a.b', true)`.
bool drop_text_cast_of_text_function(PgQuery__Node** slot) {
  PgQuery__Node* node = *slot;
  if (node->node_case != PG_QUERY__NODE__NODE_TYPE_CAST || node->type_cast->arg == nullptr ||
      node->type_cast->arg->node_case != PG_QUERY__NODE__NODE_FUNC_CALL ||
      cast_type(node->type_cast->type_name) != "text") {
    return false;
  }
  const PgQuery__FuncCall* call = node->type_cast->arg->func_call;
  const bool catalog = call->n_funcname == 1 ||
                       (call->n_funcname == 2 && string_value(call->funcname[0]) == "pg_catalog");
  if (!catalog || !is_text_function(last_name(call->funcname, call->n_funcname))) return false;
  PgQuery__Node* arg = node->type_cast->arg;
  node->type_cast->arg = nullptr;
  replace(slot, arg);
  return true;
}

// `f(a, VARIADIC ARRAY[b, c])` -> `f(a, b, c)`: PostgreSQL folds the variadic arguments of
// index expressions (and other simplified expressions) into an explicit array; both call the
// same function with the same arguments.
bool spread_variadic_array(PgQuery__Node** slot) {
  PgQuery__Node* node = *slot;
  if (node->node_case != PG_QUERY__NODE__NODE_FUNC_CALL || !node->func_call->func_variadic ||
      node->func_call->n_args == 0) {
    return false;
  }
  PgQuery__FuncCall* call = node->func_call;
  PgQuery__Node* last = call->args[call->n_args - 1];
  if (last->node_case != PG_QUERY__NODE__NODE_A_ARRAY_EXPR || last->a_array_expr->n_elements == 0) {
    return false;
  }
  PgQuery__AArrayExpr* array = last->a_array_expr;
  const size_t total = call->n_args - 1 + array->n_elements;
  PgQuery__Node** args = make_node_array(total);
  for (size_t i = 0; i + 1 < call->n_args; ++i) args[i] = call->args[i];
  for (size_t i = 0; i < array->n_elements; ++i) args[call->n_args - 1 + i] = array->elements[i];
  array->n_elements = 0;
  std::free(array->elements);
  array->elements = nullptr;
  free_node(last);
  std::free(call->args);
  call->args = args;
  call->n_args = total;
  call->func_variadic = false;
  return true;
}

// A money amount as cash_out prints it with lc_monetary C: `1.999` -> `$2.00`, `-1.5` ->
// `-$1.50`, `1000` -> `$1,000.00` (cash_in rounds half up to cents). Empty when `text` is not a
// plain amount (then it stays as written).
std::string money_text(const std::string& text) {
  size_t i = 0, end = text.size();
  auto skip_spaces = [&] {
    while (i < end && text[i] == ' ') ++i;
    while (end > i && text[end - 1] == ' ') --end;
  };
  skip_spaces();
  bool negative = false;
  if (i < end && text[i] == '(' && text[end - 1] == ')') {
    negative = true;
    ++i;
    --end;
    skip_spaces();
  }
  if (i < end && text[i] == '-') {
    negative = true;
    ++i;
  }
  if (i < end && text[i] == '$') ++i;
  std::string whole, fraction;
  bool dot = false;
  for (; i < end; ++i) {
    const char ch = text[i];
    if (ch >= '0' && ch <= '9') {
      (dot ? fraction : whole) += ch;
    } else if (ch == ',' && !dot) {
      continue;
    } else if (ch == '.' && !dot) {
      dot = true;
    } else {
      return "";
    }
  }
  if (whole.empty() && fraction.empty()) return "";
  if (whole.size() > 15) return "";  // keep far from int64 overflow
  long long cents = whole.empty() ? 0 : std::stoll(whole);
  cents = cents * 100 + (fraction.size() > 0 ? fraction[0] - '0' : 0) * 10 +
          (fraction.size() > 1 ? fraction[1] - '0' : 0);
  if (fraction.size() > 2 && fraction[2] >= '5') ++cents;
  std::string digits = std::to_string(cents / 100);
  std::string grouped;
  for (size_t k = 0; k < digits.size(); ++k) {
    if (k > 0 && (digits.size() - k) % 3 == 0) grouped += ',';
    grouped += digits[k];
  }
  const long long rest = cents % 100;
  return std::string(negative && cents != 0 ? "-" : "") + "$" + grouped + "." +
         static_cast<char>('0' + rest / 10) + static_cast<char>('0' + rest % 10);
}

// `'1.999'::money` is stored as the amount cash_in reads, printed `'$2.00'::money`.
bool normalise_money_literal(PgQuery__Node** slot) {
  PgQuery__Node* node = *slot;
  if (node->node_case != PG_QUERY__NODE__NODE_TYPE_CAST || !is_string_const(node->type_cast->arg) ||
      cast_type(node->type_cast->type_name) != "money") {
    return false;
  }
  PgQuery__String* value = node->type_cast->arg->a_const->sval;
  const std::string amount = money_text(value->sval);
  if (amount.empty() || amount == value->sval) return false;
  std::free(value->sval);
  value->sval = strdup(amount.c_str());
  return true;
}

// `CASE ... ELSE NULL END` (also `ELSE NULL::T`) -> `CASE ... END`: PostgreSQL adds the ELSE
// NULL to a CASE without ELSE, typed as the CASE's result.
bool drop_case_else_null(PgQuery__Node** slot) {
  PgQuery__Node* node = *slot;
  if (node->node_case != PG_QUERY__NODE__NODE_CASE_EXPR || node->case_expr->defresult == nullptr) {
    return false;
  }
  const PgQuery__Node* result = node->case_expr->defresult;
  if (result->node_case == PG_QUERY__NODE__NODE_TYPE_CAST) result = result->type_cast->arg;
  if (!is_const(result) || !result->a_const->isnull) return false;
  free_node(node->case_expr->defresult);
  node->case_expr->defresult = nullptr;
  return true;
}

// `'1 hour'::interval` -> `'01:00:00'::interval`, `'2 weeks'::interval` -> `'14 days'::interval`:
// an interval constant is stored as its value and printed by interval_out, after the type's
// fields and precision applied (`'90'::interval minute` -> `'01:30:00'::interval minute`,
// `'1.5'::interval hour` -> `'01:00:00'::interval hour`). Text interval_output_text does not
// follow stays as written.
bool normalise_interval_literal(PgQuery__Node** slot) {
  PgQuery__Node* node = *slot;
  if (node->node_case != PG_QUERY__NODE__NODE_TYPE_CAST || !is_string_const(node->type_cast->arg))
    return false;
  const PgQuery__TypeName* type = node->type_cast->type_name;
  if (type == nullptr || type->n_array_bounds > 0 || type->n_typmods > 2 || type->n_names == 0 ||
      type->n_names > 2 || last_name(type->names, type->n_names) != "interval" ||
      (type->n_names == 2 && string_value(type->names[0]) != "pg_catalog")) {
    return false;
  }
  int mods[2] = {interval_field::kFullRange, interval_field::kFullPrecision};
  for (size_t i = 0; i < type->n_typmods; ++i) {
    const PgQuery__Node* mod = type->typmods[i];
    if (!is_const(mod) || mod->a_const->val_case != PG_QUERY__A__CONST__VAL_IVAL) return false;
    mods[i] = mod->a_const->ival->ival;
  }
  PgQuery__String* text = node->type_cast->arg->a_const->sval;
  const std::optional<std::string> value = interval_output_text(text->sval, mods[0], mods[1]);
  if (!value || *value == text->sval) return false;
  std::free(text->sval);
  text->sval = strdup(value->c_str());
  return true;
}

// The rules in the order they are tried; the first that changes *slot wins.
bool apply_one_rule(Context& ctx, PgQuery__Node** slot) {
  return unqualify_public_names(slot) || bit_string_as_cast(slot) ||
         push_cast_into_array(ctx, slot) || drop_cast(ctx, slot) || normalise_number(slot) ||
         normalise_interval_literal(slot) || any_to_in(slot) || in_list_as_postgres(ctx, slot) ||
         drop_in_list_casts(slot) || expand_row_equality(ctx, slot) || explicit_row(slot) ||
         explicit_timezone_under_cast(slot) || drop_text_cast_of_text_function(slot) ||
         drop_text_cast_of_varchar_cast(ctx, slot) || spread_variadic_array(slot) ||
         normalise_money_literal(slot) || drop_case_else_null(slot) ||
         drop_cast_facing_column(ctx, slot) || like_to_operator(slot) || expand_between(slot) ||
         flatten_bool(slot) || unqualify_catalog_function(slot) || normalise_cast_type(slot) ||
         coerce_function_arguments(ctx, slot) || coerce_operator_operands(ctx, slot) ||
         coerce_to_common_types(ctx, slot);
}

}  // namespace

bool drop_interval_constant_fields(PgQuery__Node* node) {
  if (node->node_case != PG_QUERY__NODE__NODE_TYPE_CAST || !is_string_const(node->type_cast->arg))
    return false;
  PgQuery__TypeName* type = node->type_cast->type_name;
  if (type == nullptr || type->n_typmods == 0 || type->n_array_bounds > 0 ||
      last_name(type->names, type->n_names) != "interval") {
    return false;
  }
  // Only a value already in interval_out's form: without the fields, other text would read
  // differently ('90' is minutes under `minute`, seconds without).
  const std::string text = node->type_cast->arg->a_const->sval->sval;
  if (interval_output_text(text) != text) return false;
  for (size_t k = 0; k < type->n_typmods; ++k) free_node(type->typmods[k]);
  std::free(type->typmods);
  type->typmods = nullptr;
  type->n_typmods = 0;
  return true;
}

std::optional<std::string> column_type_of(const Context& ctx, const PgQuery__Node* ref) {
  if (ctx.resolved_column_types != nullptr) {
    auto found = ctx.resolved_column_types->find(ref->column_ref);
    return found == ctx.resolved_column_types->end() ? "" : found->second;
  }
  if (ctx.column_types == nullptr) return std::nullopt;
  if (ctx.subquery_depth > 0) return "";
  const PgQuery__ColumnRef* column = ref->column_ref;
  // `c`, or `new.c` / `old.c` / `t.c` (trigger WHEN, a table-qualified CHECK).
  if (column->n_fields == 0 || column->n_fields > 2) return "";
  const PgQuery__Node* last = column->fields[column->n_fields - 1];
  if (last->node_case != PG_QUERY__NODE__NODE_STRING) return "";  // `t.*`
  return (*ctx.column_types)(last->string->sval);
}

std::string number_literal_type(const std::string& text) {
  const size_t sign = !text.empty() && text[0] == '-' ? 1 : 0;
  if (text.size() == sign) return "numeric";
  for (size_t i = sign; i < text.size(); ++i)
    if (text[i] < '0' || text[i] > '9') return "numeric";  // a fraction or an exponent
  if (text.size() - sign > 19) return "numeric";
  const long long value = std::strtoll(text.c_str(), nullptr, 10);
  if (value >= INT32_MIN && value <= INT32_MAX) return "integer";
  // strtoll saturates: 19 digits beyond int64 are numeric.
  return value == LLONG_MAX || value == LLONG_MIN ? "numeric" : "bigint";
}

// `(x AT TIME ZONE z)::T`: the deparser prints the cast without parentheses, which reads back
// as `x AT TIME ZONE (z::T)`. Under a cast the call is spelled as the function it is,
// `timezone(z, x)::T`, which keeps its meaning.
bool explicit_timezone_under_cast(PgQuery__Node** slot) {
  PgQuery__Node* node = *slot;
  if (node->node_case != PG_QUERY__NODE__NODE_TYPE_CAST || node->type_cast->arg == nullptr ||
      node->type_cast->arg->node_case != PG_QUERY__NODE__NODE_FUNC_CALL) {
    return false;
  }
  PgQuery__FuncCall* call = node->type_cast->arg->func_call;
  if (call->funcformat != PG_QUERY__COERCION_FORM__COERCE_SQL_SYNTAX ||
      last_name(call->funcname, call->n_funcname) != "timezone") {
    return false;
  }
  call->funcformat = PG_QUERY__COERCION_FORM__COERCE_EXPLICIT_CALL;
  unqualify_catalog_function(&node->type_cast->arg);
  return true;
}

// Children first, then the rules on this node until none applies.
void normalise_node(Context& ctx, PgQuery__Node** slot) {
  TypeCacheScope cache(ctx);
  // Columns inside a sub-SELECT belong to the relations it reads: the lookup does not apply.
  const bool subquery = (*slot)->node_case == PG_QUERY__NODE__NODE_SELECT_STMT;
  if (subquery) ++ctx.subquery_depth;
  parse_tree::walk_children(&(*slot)->base,
                            [&](PgQuery__Node** child) { normalise_node(ctx, child); });
  if (subquery) --ctx.subquery_depth;
  for (int guard = 0; guard < 100 && apply_one_rule(ctx, slot); ++guard) {
    forget_types(ctx, *slot);  // the rule changed the tree under *slot
  }
}

void unqualify_public_relations(PgQuery__Node** slot) {
  PgQuery__Node* node = *slot;
  if (node->node_case == PG_QUERY__NODE__NODE_RANGE_VAR && node->range_var->schemaname != nullptr &&
      std::strcmp(node->range_var->schemaname, "public") == 0) {
    std::free(node->range_var->schemaname);
    node->range_var->schemaname = strdup("");
  }
  parse_tree::walk_children(&node->base,
                            [](PgQuery__Node** child) { unqualify_public_relations(child); });
}

}  // namespace pgdrift::schema::canon
