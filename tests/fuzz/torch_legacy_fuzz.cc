// The legacy torch.save reader and pastiche's importer on arbitrary bytes: the pickle machine,
// the storage section and the tensor checks must reject anything malformed with the project's
// Error, never crash, overflow or allocate what the file merely claims.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_support.h"
#include "vgg/pastiche_import.h"
#include "vgg/torch_legacy_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  stylesweep::fuzz::expect_only_errors([&] { stylesweep::read_torch_legacy_tensors("input.bin", bytes); });
  stylesweep::fuzz::expect_only_errors([&] { stylesweep::import_pastiche_weights("input.bin", bytes); });
  return 0;
}
