// Running a program and waiting for it: the one posix_spawn wrapper (the scratch cluster runs
// initdb, pg_ctl and psql with it; the tests run pgdrift and psql).
#pragma once

#include <string>
#include <vector>

namespace pgdrift::pg {

struct ProcessResult {
  int exit_code = -1;  // -1 when it did not run or did not exit normally
  std::string error;   // set when it could not be started
};

// Runs argv (argv[0] searched in PATH) with stdin from /dev/null and stdout / stderr written
// to the given descriptors (the caller closes them), in `cwd` when not empty, and waits.
ProcessResult run_process(const std::vector<std::string>& argv, int out_fd, int err_fd,
                          const std::string& cwd = "");

}  // namespace pgdrift::pg
