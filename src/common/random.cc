#include "common/random.h"

#include <cmath>

namespace stylesweep {

std::uint64_t SplitMix64::next() {
  std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

double SplitMix64::uniform_open() {
  return (double(next() >> 11) + 0.5) * (1.0 / 9007199254740992.0);
}

double SplitMix64::normal() {
  constexpr double kTwoPi = 6.283185307179586476925286766559;
  double u1 = uniform_open();
  double u2 = uniform_open();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(kTwoPi * u2);
}

}  // namespace stylesweep
