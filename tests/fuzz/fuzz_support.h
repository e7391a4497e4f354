// Shared by the fuzz harnesses: a scratch directory made once per process, and the rule that an
// input may only fail with the project's Error; any other exception is a finding.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

#include "common/error.h"

namespace stylesweep::fuzz {

// mkdtemp under /dev/shm when it exists (fast), else /tmp; never removed while fuzzing.
std::string scratch_directory();

// Runs `body`; Error is an expected rejection, anything else aborts so libFuzzer reports it.
template <typename Body>
void expect_only_errors(Body&& body) {
  try {
    body();
  } catch (const Error&) {
  } catch (const std::exception& error) {
    std::fprintf(stderr, "unexpected exception (not stylesweep::Error): %s\n", error.what());
    std::abort();
  }
}

}  // namespace stylesweep::fuzz
