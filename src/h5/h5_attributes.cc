// File's attributes: writing them through one open handle per object, reading them through
// external links, and their types (strings, numbers, lists).
#include "h5/h5_file.h"
#include "h5/h5_shared.h"

#include "common/error.h"

namespace stylesweep::h5 {

bool File::attribute_is_text(const std::string& object_path, const std::string& name) const {
  OpenAttribute attribute = open_attribute(object_path, name);
  Handle type(H5Aget_type(attribute.id()));
  return H5Tget_class(type.id()) == H5T_STRING;
}

bool File::has_attribute(const std::string& object_path, const std::string& name) const {
  return exists(object_path) &&
         H5Aexists_by_name(id(), object_path.c_str(), name.c_str(), H5P_DEFAULT) > 0;
}

hid_t File::attribute_object(const std::string& object_path) {
  if (!attribute_object_.valid() || attribute_object_path_ != object_path) {
    attribute_object_ = Handle();
    attribute_object_ = open_object(object_path);
    attribute_object_path_ = object_path;
  }
  return attribute_object_.id();
}

void File::write_attribute(const std::string& object_path, const std::string& name, hid_t type,
                           const std::vector<hsize_t>& shape, const void* data) {
  const hid_t object = attribute_object(object_path);
  // An object this File created holds only the attributes written since: no need to ask.
  const bool may_exist = object_path != created_object_path_ ||
                         !created_object_attributes_.insert(name).second;
  if (may_exist && H5Aexists(object, name.c_str()) > 0) H5Adelete(object, name.c_str());
  Handle simple_space;
  if (!shape.empty()) simple_space = Handle(H5Screate_simple(int(shape.size()), shape.data(), nullptr));
  const hid_t space = shape.empty() ? shared::scalar_space() : simple_space.id();
  Handle attribute(H5Acreate2(object, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT));
  const bool empty = !shape.empty() && shape[0] == 0;
  if (!attribute.valid() || (!empty && H5Awrite(attribute.id(), type, data) < 0)) {
    fail_write(object_path, "cannot write attribute '" + name + "'");
  }
}

void File::set_attribute(const std::string& object_path, const std::string& name,
                         const std::string& value) {
  const char* pointer = value.c_str();
  write_attribute(object_path, name, shared::string_type(), {}, &pointer);
}

void File::set_attribute(const std::string& object_path, const std::string& name, double value) {
  write_attribute(object_path, name, H5T_NATIVE_DOUBLE, {}, &value);
}

void File::set_attribute(const std::string& object_path, const std::string& name,
                         std::int64_t value) {
  write_attribute(object_path, name, H5T_NATIVE_INT64, {}, &value);
}

void File::set_attribute(const std::string& object_path, const std::string& name,
                         const std::vector<double>& values) {
  write_attribute(object_path, name, H5T_NATIVE_DOUBLE, {hsize_t(values.size())}, values.data());
}

void File::set_attribute(const std::string& object_path, const std::string& name,
                         const std::vector<std::int64_t>& values) {
  write_attribute(object_path, name, H5T_NATIVE_INT64, {hsize_t(values.size())}, values.data());
}

void File::set_attribute(const std::string& object_path, const std::string& name,
                         const std::vector<std::string>& values) {
  std::vector<const char*> pointers;
  for (const auto& value : values) pointers.push_back(value.c_str());
  write_attribute(object_path, name, shared::string_type(), {hsize_t(values.size())},
                  pointers.data());
}

File::OpenAttribute File::open_attribute(const std::string& object_path, const std::string& name) const {
  if (!has_attribute(object_path, name)) fail(object_path, "missing attribute '" + name + "'");
  OpenAttribute opened;
  opened.object = open_object(object_path);
  opened.attribute = Handle(H5Aopen(opened.object.id(), name.c_str(), H5P_DEFAULT));
  if (!opened.attribute.valid()) fail(object_path, "cannot open attribute '" + name + "'");
  return opened;
}

std::vector<std::string> File::attribute_strings(const std::string& object_path,
                                                 const std::string& name) const {
  OpenAttribute attribute = open_attribute(object_path, name);
  Handle file_type(H5Aget_type(attribute.id()));
  if (H5Tget_class(file_type.id()) != H5T_STRING) {
    fail(object_path, "attribute '" + name + "' is not a string");
  }
  Handle space(H5Aget_space(attribute.id()));
  std::size_t count = std::size_t(H5Sget_simple_extent_npoints(space.id()));
  std::vector<std::string> values;
  if (H5Tis_variable_str(file_type.id()) > 0) {
    // In the file's character set: HDF5 converts no strings between ASCII and UTF-8, and h5py
    // writes both (a list of str as UTF-8, string_dtype('ascii') as ASCII).
    Handle memory_type(H5Tcopy(H5T_C_S1));
    H5Tset_size(memory_type.id(), H5T_VARIABLE);
    H5Tset_cset(memory_type.id(), H5Tget_cset(file_type.id()));
    std::vector<char*> pointers(count, nullptr);
    if (H5Aread(attribute.id(), memory_type.id(), pointers.data()) < 0) {
      fail(object_path, "cannot read attribute '" + name + "'");
    }
    for (char* pointer : pointers) values.emplace_back(pointer ? pointer : "");
    H5Dvlen_reclaim(memory_type.id(), space.id(), H5P_DEFAULT, pointers.data());
  } else {
    std::size_t width = H5Tget_size(file_type.id());
    std::vector<char> buffer(width * count + 1, '\0');
    if (H5Aread(attribute.id(), file_type.id(), buffer.data()) < 0) {
      fail(object_path, "cannot read attribute '" + name + "'");
    }
    for (std::size_t i = 0; i < count; ++i) {
      std::string value(buffer.data() + i * width, width);
      values.push_back(value.substr(0, value.find('\0')));
    }
  }
  return values;
}

std::string File::attribute_string(const std::string& object_path,
                                   const std::string& name) const {
  auto values = attribute_strings(object_path, name);
  if (values.size() != 1) fail(object_path, "attribute '" + name + "' is not a single string");
  return values[0];
}

std::vector<double> File::attribute_doubles(const std::string& object_path,
                                            const std::string& name) const {
  OpenAttribute attribute = open_attribute(object_path, name);
  Handle file_type(H5Aget_type(attribute.id()));
  H5T_class_t type_class = H5Tget_class(file_type.id());
  if (type_class != H5T_FLOAT && type_class != H5T_INTEGER) {
    fail(object_path, "attribute '" + name + "' is not numeric");
  }
  Handle space(H5Aget_space(attribute.id()));
  std::vector<double> values(std::size_t(H5Sget_simple_extent_npoints(space.id())));
  if (values.empty()) return values;  // HDF5 refuses to read into no buffer
  if (H5Aread(attribute.id(), H5T_NATIVE_DOUBLE, values.data()) < 0) {
    fail(object_path, "cannot read attribute '" + name + "'");
  }
  return values;
}

double File::attribute_double(const std::string& object_path, const std::string& name) const {
  auto values = attribute_doubles(object_path, name);
  if (values.size() != 1) fail(object_path, "attribute '" + name + "' is not a single number");
  return values[0];
}

std::int64_t File::attribute_int(const std::string& object_path, const std::string& name) const {
  OpenAttribute attribute = open_attribute(object_path, name);
  Handle file_type(H5Aget_type(attribute.id()));
  if (H5Tget_class(file_type.id()) != H5T_INTEGER) {
    fail(object_path, "attribute '" + name + "' is not an integer");
  }
  std::int64_t value = 0;
  if (H5Aread(attribute.id(), H5T_NATIVE_INT64, &value) < 0) {
    fail(object_path, "cannot read attribute '" + name + "'");
  }
  return value;
}

}  // namespace stylesweep::h5
