// What every engine benchmark starts with: arguments WEIGHTS CONTENT STYLE THREADS ..., the
// device chosen as a lone worker's would be (THREADS 0: all cores) and the engine on it.
#pragma once

#include <cstdlib>
#include <iostream>
#include <memory>

#include "engine/device.h"
#include "engine/stylize.h"

namespace stylesweep {

// Null, after printing the usage line, when fewer than `arguments` arguments were given.
inline std::unique_ptr<StyleEngine> open_bench_engine(int argc, char** argv, int arguments, const char* usage) {
  if (argc < arguments + 1) {
    std::cerr << "usage: " << usage << "\n";
    return nullptr;
  }
  const DeviceChoice device = choose_device(0, 1, std::atoi(argv[4]));
  apply_device(device);
  return std::make_unique<StyleEngine>(argv[1], device.name);
}

}  // namespace stylesweep
