#include "tests/support/fixtures.h"

namespace pgdrift::testing {

std::string fixture_path(const std::string& relative) {
  return std::string(PGDRIFT_SOURCE_DIR) + "/fixtures/" + relative;
}

}  // namespace pgdrift::testing
