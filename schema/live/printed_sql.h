// Internal to the live introspector: taking apart the SQL text that pg_get_indexdef,
// pg_get_partkeydef and pg_get_triggerdef print, for the parts no catalog column holds in
// usable form. Every scanner here skips parentheses and commas inside quotes.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace pgdrift::schema::live {

// Splits `s` at commas outside parentheses, brackets and quotes; parts are trimmed.
std::vector<std::string> split_top_level(const std::string& s);

// Index of the ')' matching the '(' at `open`, or npos.
size_t matching_paren(const std::string& s, size_t open);

// One element of a printed key list ("(a + 1) COLLATE \"C\" text_ops", "lower(b)", "a DESC")
// split into the key ("(a + 1)", "lower(b)", "a") and what follows it (" COLLATE ...").
std::pair<std::string, std::string> split_key_element(const std::string& element);

// The key elements of `CREATE INDEX ... USING method (k1, k2) [INCLUDE (...)] [WHERE ...]`.
std::vector<std::string> index_key_elements(const std::string& index_def,
                                            const std::string& method);

// The collation named right after a key: " COLLATE \"C\" DESC" -> "\"C\"", else "".
std::string collation_after_key(const std::string& suffix);

// The condition of "... WHEN (cond) EXECUTE FUNCTION ..." of pg_get_triggerdef, without the
// outer parentheses; "" when there is none.
std::string trigger_when(const std::string& trigger_def);

}  // namespace pgdrift::schema::live
