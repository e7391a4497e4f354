#include "h5/netcdf_group.h"

#include <hdf5_hl.h>

#include <fmt/format.h>

#include "common/error.h"

namespace stylesweep::h5 {

NetcdfGroup::NetcdfGroup(File& file, std::string group) : file_(file), group_(std::move(group)) {
  file_.create_group(group_);
}

void NetcdfGroup::make_scale(const std::string& name, const std::string& scale_name, hsize_t size) {
  Handle dataset(H5Dopen2(file_.id(), path(name).c_str(), H5P_DEFAULT));
  if (!dataset.valid() || H5DSset_scale(dataset.id(), scale_name.c_str()) < 0) {
    throw io_error(file_.path(), path(name) + ": cannot make it a dimension scale");
  }
  dimensions_.emplace_back(name, size);
}

void NetcdfGroup::coordinate(const std::string& name, const std::vector<std::string>& values) {
  file_.write_strings(path(name), values);
  make_scale(name, name, values.size());
}

void NetcdfGroup::coordinate(const std::string& name, const std::vector<double>& values) {
  file_.write_float64(path(name), {hsize_t(values.size())}, values.data());
  make_scale(name, name, values.size());
}

void NetcdfGroup::dimension(const std::string& name, hsize_t size) {
  // netCDF's own marker for a dimension that is not a variable; its data is never read.
  const std::vector<float> nothing(size, 0.0f);
  file_.write_float32(path(name), {size}, nothing.data());
  make_scale(name, fmt::format("This is a netCDF dimension but not a netCDF variable.{:>10}", size), size);
}

hsize_t NetcdfGroup::size_of(const std::string& dimension) const {
  for (const auto& [name, size] : dimensions_) {
    if (name == dimension) return size;
  }
  throw Error(path(dimension) + ": no such dimension declared", ErrorKind::kInternal);
}

void NetcdfGroup::attach(const std::string& name, const std::vector<std::string>& dimensions) {
  Handle variable(H5Dopen2(file_.id(), path(name).c_str(), H5P_DEFAULT));
  for (std::size_t axis = 0; axis < dimensions.size(); ++axis) {
    Handle scale(H5Dopen2(file_.id(), path(dimensions[axis]).c_str(), H5P_DEFAULT));
    if (!variable.valid() || !scale.valid() || H5DSattach_scale(variable.id(), scale.id(), unsigned(axis)) < 0) {
      throw io_error(file_.path(), fmt::format("{}: cannot attach dimension '{}'", path(name), dimensions[axis]));
    }
  }
}

void NetcdfGroup::variable(const std::string& name, const std::vector<std::string>& dimensions,
                           const std::vector<double>& values) {
  std::vector<hsize_t> shape;
  for (const auto& dimension : dimensions) shape.push_back(size_of(dimension));
  file_.write_float64(path(name), shape, values.data());
  attach(name, dimensions);
}

void NetcdfGroup::variable(const std::string& name, const std::string& dimension,
                           const std::vector<std::string>& values) {
  file_.write_strings(path(name), values);
  attach(name, {dimension});
}

}  // namespace stylesweep::h5
