#include "schema/live/targets.h"

#include <fstream>
#include <sstream>

#include "schema/live/connection.h"
#include "schema/live/introspect.h"
#include "schema/text.h"

namespace pgdrift::schema::live {

Target parse_target(const std::string& text) {
  auto eq = text.find('=');
  if (eq != std::string::npos) {
    std::string name = trim(text.substr(0, eq));
    std::string rest = trim(text.substr(eq + 1));
    bool plain_name = !name.empty() && name.find_first_of(" '\"/:") == std::string::npos;
    if (plain_name && !is_conninfo_keyword(name) && is_connection_string(rest)) return {name, rest};
  }
  return {redact_connection_string(text), text};
}

std::vector<Target> parse_targets(const std::string& text, const std::string& filename) {
  std::vector<Target> targets;
  std::istringstream in(text);
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.size() > kMaxTargetLine)
      throw TargetsError(filename + ":" + std::to_string(number) + ": line longer than " +
                         std::to_string(kMaxTargetLine) + " bytes (not a targets file?)");
    line = trim(line);
    if (line.empty() || line[0] == '#') continue;
    targets.push_back(parse_target(line));
  }
  if (targets.empty()) throw TargetsError(filename + ": no targets in file");
  return targets;
}

std::vector<Target> read_targets(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw TargetsError(path + ": cannot read targets file");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_targets(text.str(), path);
}

}  // namespace pgdrift::schema::live
