// Connection strings: recognising them, redacting passwords, connecting with a timeout.
#include "schema/live/connection.h"

#include <libpq-fe.h>

#include <cctype>
#include <map>
#include <pqxx/except>
#include <vector>

#include "schema/live/introspect.h"

namespace pgdrift::schema::live {
namespace {

bool starts_with_url_scheme(const std::string& s) {
  return s.rfind("postgres://", 0) == 0 || s.rfind("postgresql://", 0) == 0;
}

// One "key = value" pair of a libpq key/value conninfo, as byte ranges of the string.
struct KeyValue {
  std::string key;
  size_t value_begin = 0;  // the value as written, quotes included
  size_t value_end = 0;
  std::string value;  // unquoted
};

// Splits a key/value conninfo the way libpq does: values are bare words or single-quoted with
// backslash escapes. Stops at the first malformed part (the caller then redacts nothing more).
std::vector<KeyValue> parse_key_values(const std::string& s) {
  std::vector<KeyValue> pairs;
  size_t i = 0;
  auto skip_space = [&] {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  };
  while (true) {
    skip_space();
    if (i >= s.size()) break;
    KeyValue kv;
    while (i < s.size() && s[i] != '=' && !std::isspace(static_cast<unsigned char>(s[i])))
      kv.key += s[i++];
    skip_space();
    if (i >= s.size() || s[i] != '=') break;
    ++i;
    skip_space();
    kv.value_begin = i;
    if (i < s.size() && s[i] == '\'') {
      ++i;
      while (i < s.size() && s[i] != '\'') {
        if (s[i] == '\\' && i + 1 < s.size()) ++i;
        kv.value += s[i++];
      }
      if (i < s.size()) ++i;  // closing quote
    } else {
      while (i < s.size() && !std::isspace(static_cast<unsigned char>(s[i]))) {
        if (s[i] == '\\' && i + 1 < s.size()) ++i;
        kv.value += s[i++];
      }
    }
    kv.value_end = i;
    pairs.push_back(std::move(kv));
  }
  return pairs;
}

std::string percent_decode(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// "password" in any letter case.
bool is_password_key(const std::string& key) {
  static const std::string kPassword = "password";
  if (key.size() != kPassword.size()) return false;
  for (size_t i = 0; i < key.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(key[i])) != kPassword[i]) return false;
  return true;
}

// The password libpq itself reads from `conninfo` (PQconninfoParse: URL or key=value, every
// spelling libpq accepts), or "" when there is none or libpq cannot parse the string.
std::string libpq_password(const std::string& conninfo) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &error);
  if (error) PQfreemem(error);
  if (!options) return "";
  std::string password;
  for (PQconninfoOption* o = options; o->keyword; ++o)
    if (std::string(o->keyword) == "password" && o->val) password = o->val;
  PQconninfoFree(options);
  return password;
}

// A URL's parts that may hold a password: [begin, end) ranges of the raw text.
struct Range {
  size_t begin;
  size_t end;
};

std::vector<Range> url_password_ranges(const std::string& url) {
  std::vector<Range> ranges;
  const size_t authority = url.find("://") + 3;
  // The last '@' before the query ends the user info, even when an unencoded '/' in the
  // password made libpq see the authority end earlier.
  const size_t query_start = url.find('?', authority);
  const size_t at = url.rfind('@', query_start == std::string::npos ? url.size() : query_start);
  if (at != std::string::npos && at >= authority) {
    const size_t colon = url.find(':', authority);
    if (colon != std::string::npos && colon < at) ranges.push_back({colon + 1, at});
  }
  // password=... among the query parameters
  const size_t query = url.find('?', authority);
  if (query != std::string::npos) {
    size_t p = query + 1;
    while (p < url.size()) {
      size_t amp = url.find('&', p);
      if (amp == std::string::npos) amp = url.size();
      const size_t eq = url.find('=', p);
      // Whatever the key's spelling (?PASSWORD=, ?%70assword=): libpq may reject it, but the
      // text still holds a password and must not be shown.
      if (eq != std::string::npos && eq < amp &&
          is_password_key(percent_decode(url.substr(p, eq - p))))
        ranges.push_back({eq + 1, amp});
      p = amp + 1;
    }
  }
  return ranges;
}

std::vector<Range> key_value_password_ranges(const std::string& conninfo) {
  std::vector<Range> ranges;
  for (const KeyValue& kv : parse_key_values(conninfo))
    if (is_password_key(kv.key)) ranges.push_back({kv.value_begin, kv.value_end});
  return ranges;
}

std::vector<Range> password_ranges(const std::string& conninfo) {
  return starts_with_url_scheme(conninfo) ? url_password_ranges(conninfo)
                                          : key_value_password_ranges(conninfo);
}

// The passwords written in `conninfo`, in every spelling an error message might echo.
std::vector<std::string> passwords_of(const std::string& conninfo) {
  std::vector<std::string> out;
  for (const Range& r : password_ranges(conninfo)) {
    const std::string raw = conninfo.substr(r.begin, r.end - r.begin);
    if (raw.empty()) continue;
    out.push_back(raw);
    if (starts_with_url_scheme(conninfo)) {
      out.push_back(percent_decode(raw));
      // With an unencoded '/', libpq reads "user:pass" up to the '/' as host:port and echoes
      // the part before the '/' as a bad port.
      if (const size_t slash = raw.find('/'); slash != std::string::npos && slash > 0)
        out.push_back(raw.substr(0, slash));
    } else {
      for (const KeyValue& kv : parse_key_values(conninfo))
        if (is_password_key(kv.key) && !kv.value.empty()) out.push_back(kv.value);
    }
  }
  if (const std::string parsed = libpq_password(conninfo); !parsed.empty()) out.push_back(parsed);
  return out;
}

// Whether libpq reads a connect_timeout from `conninfo` (any form libpq parses).
bool sets_connect_timeout(const std::string& conninfo) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &error);
  if (error) PQfreemem(error);
  if (!options) return false;  // libpq will say what is wrong when connecting
  bool set = false;
  for (PQconninfoOption* o = options; o->keyword; ++o)
    if (std::string(o->keyword) == "connect_timeout" && o->val && *o->val) set = true;
  PQconninfoFree(options);
  return set;
}

}  // namespace

bool is_conninfo_keyword(const std::string& word) {
  // libpq's own list (PQconndefaults), so every option it accepts is known, now and later.
  static const std::vector<std::string> keywords = [] {
    std::vector<std::string> out;
    if (PQconninfoOption* options = PQconndefaults()) {
      for (PQconninfoOption* o = options; o->keyword; ++o) out.emplace_back(o->keyword);
      PQconninfoFree(options);
    }
    return out;
  }();
  for (const auto& k : keywords)
    if (k == word) return true;
  return false;
}

bool is_connection_string(const std::string& source) {
  if (starts_with_url_scheme(source)) return true;
  // key=value form: the first word must be a libpq keyword followed by '='.
  size_t i = 0;
  while (i < source.size() && std::isspace(static_cast<unsigned char>(source[i]))) ++i;
  const size_t key_begin = i;
  while (i < source.size() &&
         (std::isalnum(static_cast<unsigned char>(source[i])) || source[i] == '_'))
    ++i;
  if (i == key_begin) return false;
  while (i < source.size() && std::isspace(static_cast<unsigned char>(source[i]))) ++i;
  return i < source.size() && source[i] == '=';
}

std::string redact_connection_string(const std::string& conninfo) {
  std::string out = conninfo;
  std::vector<Range> ranges = password_ranges(conninfo);
  // Replace from the back so earlier ranges keep their offsets.
  for (auto it = ranges.rbegin(); it != ranges.rend(); ++it)
    out.replace(it->begin, it->end - it->begin, "***");
  return out;
}

std::string redact_message(const std::string& message, const std::string& conninfo) {
  std::string out = message;
  for (const std::string& password : passwords_of(conninfo)) {
    for (size_t p = out.find(password); p != std::string::npos; p = out.find(password, p + 3))
      out.replace(p, password.size(), "***");
  }
  return out;
}

std::string with_connect_timeout(const std::string& conninfo) {
  if (sets_connect_timeout(conninfo)) return conninfo;
  if (starts_with_url_scheme(conninfo))
    return conninfo + (conninfo.find('?') == std::string::npos ? "?" : "&") + "connect_timeout=10";
  return conninfo.empty() ? "connect_timeout=10" : conninfo + " connect_timeout=10";
}

std::string describe_target(const std::string& conninfo) {
  return conninfo.empty() ? "(PG* environment)" : redact_connection_string(conninfo);
}

std::string connection_label(const std::string& conninfo) {
  std::map<std::string, std::string> value;
  if (PQconninfoOption* defaults = PQconndefaults()) {
    for (auto* o = defaults; o->keyword; ++o)
      if (o->val) value[o->keyword] = o->val;
    PQconninfoFree(defaults);
  }
  if (PQconninfoOption* given = PQconninfoParse(conninfo.c_str(), nullptr)) {
    for (auto* o = given; o->keyword; ++o)
      if (o->val && *o->val) value[o->keyword] = o->val;
    PQconninfoFree(given);
  }
  auto get = [&value](const char* key) {
    auto it = value.find(key);
    return it == value.end() ? std::string() : it->second;
  };
  std::string host = get("host").empty() ? get("hostaddr") : get("host");
  if (host.empty()) host = "local socket";
  const std::string user = get("user");
  const std::string dbname = get("dbname").empty() ? user : get("dbname");
  return (user.empty() ? "" : user + "@") + host + ":" +
         (get("port").empty() ? "5432" : get("port")) + "/" + dbname;
}

std::unique_ptr<pqxx::connection> connect(const std::string& conninfo) {
  const std::string shown = describe_target(conninfo);
  try {
    return std::make_unique<pqxx::connection>(with_connect_timeout(conninfo));
  } catch (const std::exception& e) {
    std::string reason = redact_message(e.what(), conninfo);
    while (!reason.empty() && std::isspace(static_cast<unsigned char>(reason.back())))
      reason.pop_back();
    throw ConnectionError("cannot connect to " + shown + ": " + reason);
  }
}

}  // namespace pgdrift::schema::live
