// What the parts of the HDF5 layer share: HDF5 objects made once per process.
#pragma once

#include <hdf5.h>

namespace stylesweep::h5::shared {

hid_t string_type();   // variable-length UTF-8 strings, as h5py reads str
hid_t scalar_space();  // the dataspace of a single value

}  // namespace stylesweep::h5::shared
