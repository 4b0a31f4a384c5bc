// Paths of the test fixtures checked into the repository.
#pragma once

#include <string>

namespace pgdrift::testing {

// PGDRIFT_SOURCE_DIR "/fixtures/" + relative.
std::string fixture_path(const std::string& relative);

}  // namespace pgdrift::testing
