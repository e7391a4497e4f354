// The project's own pseudo-random generator (SplitMix64), so that random weights and seeds give the
// same numbers on every machine and libtorch version, unlike torch's generator.
#pragma once

#include <cstdint>

namespace stylesweep {

class SplitMix64 {
 public:
  explicit SplitMix64(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next();
  // Uniform in (0, 1): 53 random bits, never exactly 0, so log() is safe.
  double uniform_open();
  // Standard normal by Box-Muller; consumes two uniforms per call (no cached spare, so a
  // stream's values depend only on the seed and the call count).
  double normal();

 private:
  std::uint64_t state_;
};

}  // namespace stylesweep
