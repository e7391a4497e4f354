// CPU time of the calling thread or of the whole process, for load figures that waiting for a
// core does not inflate.
#pragma once

#include <ctime>

namespace stylesweep {

inline double thread_cpu_seconds() {
  timespec cpu{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu);
  return double(cpu.tv_sec) + 1e-9 * double(cpu.tv_nsec);
}

inline double process_cpu_seconds() {
  timespec cpu{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu);
  return double(cpu.tv_sec) + 1e-9 * double(cpu.tv_nsec);
}

}  // namespace stylesweep
