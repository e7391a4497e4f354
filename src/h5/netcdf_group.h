// Writes an HDF5 group that follows the netCDF-4 data model, so that xarray opens it with
// engine="h5netcdf" and no options: each dimension is an HDF5 dimension scale (a coordinate
// variable of that name, or, for a dimension without coordinates, an empty float dataset named
// as netCDF names it), and each variable has its dimensions' scales attached, in order.
#pragma once

#include <string>
#include <vector>

#include "h5/h5_file.h"

namespace stylesweep::h5 {

class NetcdfGroup {
 public:
  // Creates the group (it must not exist).
  NetcdfGroup(File& file, std::string group);

  // A dimension with a coordinate variable holding these texts or numbers.
  void coordinate(const std::string& name, const std::vector<std::string>& values);
  void coordinate(const std::string& name, const std::vector<double>& values);
  // A dimension without a coordinate variable.
  void dimension(const std::string& name, hsize_t size);

  // A float64 variable over dimensions declared before, row-major.
  void variable(const std::string& name, const std::vector<std::string>& dimensions, const std::vector<double>& values);
  // A text variable over one dimension.
  void variable(const std::string& name, const std::string& dimension, const std::vector<std::string>& values);

  std::string path(const std::string& name) const { return group_ + "/" + name; }

 private:
  void make_scale(const std::string& name, const std::string& scale_name, hsize_t size);
  void attach(const std::string& name, const std::vector<std::string>& dimensions);
  hsize_t size_of(const std::string& dimension) const;

  File& file_;
  std::string group_;
  std::vector<std::pair<std::string, hsize_t>> dimensions_;
};

}  // namespace stylesweep::h5
