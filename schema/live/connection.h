// Internal to the live introspector: opening a connection with pgdrift's defaults and turning
// libpq / libpqxx failures into ConnectionError messages that never show a password.
#pragma once

#include <memory>
#include <pqxx/connection>
#include <string>

namespace pgdrift::schema::live {

// `conninfo` with connect_timeout=10 added unless it sets one (URL or key=value form). An empty
// conninfo stays usable: libpq fills in the rest from the PG* environment variables.
std::string with_connect_timeout(const std::string& conninfo);
// Whether libpq knows `word` as a connection option ("host", "sslmode", ...).
bool is_conninfo_keyword(const std::string& word);

// How messages name the target: the redacted conninfo, or "(PG* environment)" when empty.
std::string describe_target(const std::string& conninfo);

// Where `conninfo` leads once libpq fills in what it leaves out from the PG* environment and
// its defaults (PQconninfoParse over PQconndefaults): "user@host:port/dbname", never a password.
// What reports and messages show for a connection given as "postgresql://" or by the
// environment.
std::string connection_label(const std::string& conninfo);

// Connects, or throws ConnectionError("cannot connect to <redacted conninfo>: <reason>").
std::unique_ptr<pqxx::connection> connect(const std::string& conninfo);

// `message` with every occurrence of the password of `conninfo` replaced by "***" (libpq can
// echo parts of a malformed connection string back in its errors).
std::string redact_message(const std::string& message, const std::string& conninfo);

}  // namespace pgdrift::schema::live
