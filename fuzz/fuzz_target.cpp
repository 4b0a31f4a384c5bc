// One libFuzzer target per reader: the reader is compiled in (PGDRIFT_FUZZ_READER, fuzz/
// CMakeLists.txt). Exceptions are the readers' located errors; a crash, a hang (libFuzzer's
// -timeout) or too much memory (-rss_limit_mb) is a finding (scripts/fuzz.sh).
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz/readers.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  pgdrift::fuzz::read_input(PGDRIFT_FUZZ_READER,
                            std::string(reinterpret_cast<const char*>(data), size));
  return 0;
}
