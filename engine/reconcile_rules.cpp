// The --prefer-safer rules (docs/reconcile.md). Each rule looks at two definitions of one
// object and either decides which one to take, with a reason shown in the report, or does not
// decide: a conflict no rule decides stays unresolved.
#include <algorithm>
#include <cctype>
#include <optional>

#include "engine/reconcile.h"

namespace pgdrift::engine {

namespace {

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// "numeric(12,2)" -> "numeric"; array types are never matched by the type rules.
std::string base_type(const std::string& type) {
  auto paren = type.find('(');
  return paren == std::string::npos ? type : type.substr(0, paren);
}

constexpr long kUnbounded = -1 + (1L << 40);

// Longest string a text-like type holds; nullopt for other types.
std::optional<long> text_capacity(const std::string& type) {
  if (!is_text_like_type(type) || type.ends_with("[]")) return std::nullopt;
  auto open = type.find('(');
  if (open == std::string::npos) {
    // text and varchar without a length hold any string; a bare char is char(1).
    std::string base = base_type(type);
    return base == "character" || base == "char" || base == "bpchar" ? 1L : kUnbounded;
  }
  try {
    return std::stol(type.substr(open + 1));
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

// Bytes of an integer type, 0 for other types.
int integer_width(const std::string& type) {
  if (type == "smallint") return 2;
  if (type == "integer") return 4;
  if (type == "bigint") return 8;
  return 0;
}
}  // namespace

bool is_money_like_column(const std::string& column_name) {
  // Whole words of the name (split on '_'), so "amount", "total_amount", "price_cents" match
  // but "discount_code" does not match "count".
  static const std::vector<std::string> words = {
      "amount", "price",  "cost",    "total",  "balance", "income",  "salary", "fee",
      "fees",   "limit",  "budget",  "money",  "revenue", "payment", "tax",    "subtotal",
      "spent",  "refund", "deposit", "credit", "debit",   "wage",    "rate"};
  std::string name = lower(column_name);
  size_t start = 0;
  while (start <= name.size()) {
    size_t end = name.find('_', start);
    if (end == std::string::npos) end = name.size();
    std::string word = name.substr(start, end - start);
    if (std::find(words.begin(), words.end(), word) != words.end()) return true;
    start = end + 1;
  }
  return false;
}

bool is_id_column(const std::string& column_name) {
  std::string name = lower(column_name);
  return name == "id" || (name.size() > 3 && name.ends_with("_id"));
}

bool is_float_type(const std::string& type) {
  std::string base = base_type(type);
  return base == "real" || base == "double precision" || base == "float";
}

bool is_exact_numeric_type(const std::string& type) { return base_type(type) == "numeric"; }

bool is_text_like_type(const std::string& type) {
  std::string base = base_type(type);
  return base == "text" || base == "character varying" || base == "character" || base == "bpchar" ||
         base == "varchar" || base == "char";
}

RuleDecision wider_type(const std::string& a, const std::string& b) {
  auto ta = text_capacity(a), tb = text_capacity(b);
  if (ta && tb && *ta != *tb) {
    // char(n) vs varchar(n) has the same capacity: a matter of style (blank padding), no
    // rule. Different capacities: the wider one truncates and rejects nothing.
    int side = *ta > *tb ? 0 : 1;
    return {true, side,
            "wider text type: " + (side == 0 ? a : b) + " over " + (side == 0 ? b : a) +
                " (no existing value is too long for it)"};
  }
  int ia = integer_width(a), ib = integer_width(b);
  if (ia && ib && ia != ib) {
    int side = ia > ib ? 0 : 1;
    return {true, side,
            "wider integer type: " + (side == 0 ? a : b) + " over " + (side == 0 ? b : a) +
                " (no existing value overflows it)"};
  }
  const std::string tz = "timestamp with time zone", plain = "timestamp without time zone";
  if ((a == tz && b == plain) || (a == plain && b == tz))
    return {true, a == tz ? 0 : 1,
            "timestamptz over timestamp (an absolute instant; the plan converts existing values "
            "in the session time zone)"};
  return {};
}

RuleDecision safer_column(const schema::Column& a, const schema::Column& b) {
  auto aspects = schema::differing_column_aspects(a, b);
  // A type rule decides the whole column: the other aspects (a uuid's gen_random_uuid()
  // default, ...) belong with the type they were written for. A comment does not: when the
  // taken side has none and the other has one, the comment rule keeps it.
  auto decide = [&](int side, std::string reason) {
    RuleDecision d{true, side, std::move(reason)};
    const schema::Column& taken = side == 0 ? a : b;
    const schema::Column& other = side == 0 ? b : a;
    d.keep_other_comment = !taken.comment && other.comment;
    std::string list;
    for (const auto& x : aspects)
      if (x != "type" && !(x == "comment" && d.keep_other_comment))
        list += (list.empty() ? "" : ", ") + x;
    if (!list.empty()) d.reason += " (the whole column: " + list + " too)";
    if (d.keep_other_comment) d.reason += "; comment over none (the other definition's comment)";
    return d;
  };
  if (a.type != b.type) {
    if (is_money_like_column(a.name)) {
      if (is_exact_numeric_type(a.type) && is_float_type(b.type))
        return decide(0, "exact numeric over float (money-like column)");
      if (is_exact_numeric_type(b.type) && is_float_type(a.type))
        return decide(1, "exact numeric over float (money-like column)");
    }
    if (is_id_column(a.name)) {
      if (a.type == "uuid" && is_text_like_type(b.type))
        return decide(0, "uuid over text (id column)");
      if (b.type == "uuid" && is_text_like_type(a.type))
        return decide(1, "uuid over text (id column)");
    }
    if (RuleDecision w = wider_type(a.type, b.type); w.decided) return decide(w.side, w.reason);
    return {};
  }
  if (aspects == std::vector<std::string>{"not null"})
    return {true, a.not_null ? 0 : 1, "NOT NULL over nullable"};
  if (aspects == std::vector<std::string>{"comment"} && (!a.comment || !b.comment))
    return {true, a.comment ? 0 : 1, "comment over none"};
  return {};
}

RuleDecision comment_only(bool equal_without_comment, bool a_has_comment, bool b_has_comment) {
  if (equal_without_comment && a_has_comment != b_has_comment)
    return {true, a_has_comment ? 0 : 1, "comment over none"};
  return {};
}

}  // namespace pgdrift::engine
