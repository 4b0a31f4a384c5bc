// The --prefer-safer rules (docs/reconcile.md). Each rule looks at two definitions of one
// object and either decides which one to take, with a reason shown in the report, or does not
// decide: a conflict no rule decides stays unresolved.
#include <algorithm>
#include <cctype>

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

std::vector<std::string> column_aspects(const schema::Column& a, const schema::Column& b) {
  std::vector<std::string> aspects;
  if (a.type != b.type) aspects.push_back("type");
  if (a.not_null != b.not_null) aspects.push_back("not null");
  if (a.default_expr != b.default_expr) aspects.push_back("default");
  if (a.identity != b.identity || a.identity_options != b.identity_options)
    aspects.push_back("identity");
  if (a.generated_expr != b.generated_expr) aspects.push_back("generated");
  if (a.collation != b.collation) aspects.push_back("collation");
  if (a.comment != b.comment) aspects.push_back("comment");
  if (a.grants != b.grants) aspects.push_back("grants");
  return aspects;
}

RuleDecision safer_column(const schema::Column& a, const schema::Column& b) {
  RuleDecision d;
  auto aspects = column_aspects(a, b);
  auto others = [&](const char* decided) {
    std::string list;
    for (const auto& x : aspects)
      if (x != decided) list += (list.empty() ? "" : ", ") + x;
    return list.empty() ? std::string() : " (with its " + list + ")";
  };
  if (a.type != b.type) {
    // A type rule decides the whole column: the other aspects (a uuid's gen_random_uuid()
    // default, ...) belong with the type they were written for.
    if (is_money_like_column(a.name)) {
      if (is_exact_numeric_type(a.type) && is_float_type(b.type))
        return {true, 0, "exact numeric over float (money-like column)" + others("type")};
      if (is_exact_numeric_type(b.type) && is_float_type(a.type))
        return {true, 1, "exact numeric over float (money-like column)" + others("type")};
    }
    if (is_id_column(a.name)) {
      if (a.type == "uuid" && is_text_like_type(b.type))
        return {true, 0, "uuid over text (id column)" + others("type")};
      if (b.type == "uuid" && is_text_like_type(a.type))
        return {true, 1, "uuid over text (id column)" + others("type")};
    }
    return d;
  }
  if (aspects == std::vector<std::string>{"not null"})
    return {true, a.not_null ? 0 : 1, "NOT NULL over nullable"};
  if (aspects == std::vector<std::string>{"comment"} && (!a.comment || !b.comment))
    return {true, a.comment ? 0 : 1, "comment over none"};
  return d;
}

RuleDecision comment_only(bool equal_without_comment, bool a_has_comment, bool b_has_comment) {
  if (equal_without_comment && a_has_comment != b_has_comment)
    return {true, a_has_comment ? 0 : 1, "comment over none"};
  return {};
}

}  // namespace pgdrift::engine
