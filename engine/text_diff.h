// Text differences people can read: a unified diff of two texts (dtl), and SQL laid out one
// clause per line so that a view query, a policy expression or a function body that differs in
// one clause shows as that clause (drift text reports, the plan's Markdown report).
#pragma once

#include <string>

namespace pgdrift::engine {

// "--- <before_label>\n+++ <after_label>\n@@ ... @@\n..." line by line; "" when equal.
std::string unified_diff(const std::string& before, const std::string& after,
                         const std::string& before_label = "before",
                         const std::string& after_label = "after");

// One-line SQL with a line break before each top-level clause (SELECT, FROM, WHERE, GROUP BY,
// HAVING, WINDOW, ORDER BY, LIMIT, OFFSET, UNION / INTERSECT / EXCEPT, the JOINs, WITH, ON
// CONFLICT, RETURNING) and after each top-level comma of a select list; quoted text, dollar
// quotes and parentheses are left as they are. Text that already has line breaks (a function
// body as written) is returned unchanged.
std::string pretty_sql(const std::string& sql);

}  // namespace pgdrift::engine
