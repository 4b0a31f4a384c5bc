// Plain text helpers shared by the line-based readers (targets, ignore and resolutions files,
// `alembic upgrade --sql` output).
#pragma once

#include <string>

namespace pgdrift::schema {

// `text` without leading and trailing blanks (space, tab, CR, LF).
std::string trim(const std::string& text);

}  // namespace pgdrift::schema
