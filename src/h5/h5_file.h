// Thin RAII layer over the HDF5 C API: owning handles, and typed helpers for the attributes and
// datasets the project stores. Every failure becomes a stylesweep::Error naming the file and object;
// HDF5's own error-stack printing is switched off.
#pragma once

#include <hdf5.h>

#include <cstdint>
#include <set>
#include <string>
#include <vector>

namespace stylesweep::h5 {

// Owns one hid_t and closes it with the matching H5*close on destruction.
class Handle {
 public:
  Handle() = default;
  explicit Handle(hid_t id);
  ~Handle();
  Handle(Handle&& other) noexcept;
  Handle& operator=(Handle&& other) noexcept;
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;

  hid_t id() const { return id_; }
  bool valid() const { return id_ >= 0; }
  // Gives up ownership: the id stays open.
  hid_t release() {
    const hid_t id = id_;
    id_ = -1;
    return id;
  }

 private:
  void close();
  hid_t id_ = -1;
};

// A dataset's element type as the project cares about it.
enum class ElementType { kFloat32, kFloat64, kInt64, kUInt8, kString, kOther };

struct DatasetInfo {
  ElementType type = ElementType::kOther;
  std::vector<hsize_t> shape;
};

class File {
 public:
  // Throws Error naming the path when the file is missing or is not HDF5.
  static File open_read_only(const std::string& path);
  static File open_read_write(const std::string& path);
  // Truncates. With kCompact, datasets up to 16 KiB live in their object header: no separate
  // block to allocate, write and read back (a job's loss histories; cheaper by a fifth per job).
  enum class SmallDatasets { kContiguous, kCompact };
  static File create(const std::string& path, SmallDatasets small = SmallDatasets::kContiguous);

  const std::string& path() const { return path_; }
  hid_t id() const { return handle_.id(); }
  void flush();

  bool exists(const std::string& object_path) const;
  Handle open_group(const std::string& group_path) const;
  // Creates the group and any missing parents; without modification times so files are
  // reproducible byte for byte.
  Handle create_group(const std::string& group_path);
  std::vector<std::string> list_group(const std::string& group_path) const;

  DatasetInfo dataset_info(const std::string& dataset_path) const;
  std::vector<float> read_float32(const std::string& dataset_path) const;
  std::vector<double> read_float64(const std::string& dataset_path) const;
  std::vector<std::uint8_t> read_uint8(const std::string& dataset_path) const;

  void write_float32(const std::string& dataset_path, const std::vector<hsize_t>& shape,
                     const float* data);
  void write_float64(const std::string& dataset_path, const std::vector<hsize_t>& shape,
                     const double* data);
  // With `compress`, chunked and gzip-compressed from 4 KiB up: images are stored this way.
  void write_uint8(const std::string& dataset_path, const std::vector<hsize_t>& shape,
                   const std::uint8_t* data, bool compress);

  // 1-D variable-length UTF-8 strings (h5py reads them with .asstr()).
  void write_strings(const std::string& dataset_path, const std::vector<std::string>& values);
  std::vector<std::string> read_strings(const std::string& dataset_path) const;
  void remove(const std::string& object_path);
  // A link at `link_path` to `target_object` in another file (relative names resolve against
  // this file's directory when opened elsewhere).
  void link_external(const std::string& link_path, const std::string& target_file,
                     const std::string& target_object);
  // Copies an object (a job's group with its datasets, compressed chunks as they are) from
  // another open file, with the dimension scales attached inside it.
  void copy_from(const File& source, const std::string& source_path, const std::string& path);
  // Makes `scale_path` (1-D) a dimension scale called `name` and attaches it to `axis` of
  // `dataset_path`, as xarray and h5py's .dims read them.
  void attach_scale(const std::string& dataset_path, unsigned axis, const std::string& scale_path,
                    const std::string& name);
  // Closes the file now (flushing everything); the object is unusable afterwards.
  void close();

  // Attributes on any object ("/" for the root).
  bool has_attribute(const std::string& object_path, const std::string& name) const;
  void set_attribute(const std::string& object_path, const std::string& name,
                     const std::string& value);
  void set_attribute(const std::string& object_path, const std::string& name, double value);
  void set_attribute(const std::string& object_path, const std::string& name, std::int64_t value);
  void set_attribute(const std::string& object_path, const std::string& name,
                     const std::vector<double>& values);
  void set_attribute(const std::string& object_path, const std::string& name,
                     const std::vector<std::int64_t>& values);
  void set_attribute(const std::string& object_path, const std::string& name,
                     const std::vector<std::string>& values);
  std::string attribute_string(const std::string& object_path, const std::string& name) const;
  bool attribute_is_text(const std::string& object_path, const std::string& name) const;
  double attribute_double(const std::string& object_path, const std::string& name) const;
  std::int64_t attribute_int(const std::string& object_path, const std::string& name) const;
  std::vector<double> attribute_doubles(const std::string& object_path,
                                        const std::string& name) const;
  std::vector<std::string> attribute_strings(const std::string& object_path,
                                             const std::string& name) const;

 private:
  File(std::string path, Handle handle, SmallDatasets small = SmallDatasets::kContiguous)
      : path_(std::move(path)), handle_(std::move(handle)), small_datasets_(small) {}
  hid_t attribute_object(const std::string& object_path);
  [[noreturn]] void fail(const std::string& object_path, const std::string& reason) const;
  [[noreturn]] void fail_write(const std::string& object_path, const std::string& reason) const;
  Handle open_object(const std::string& object_path) const;
  // An attribute with its object held open: through an external link, the object keeps the
  // other file open while the attribute is read (HDF5 1.10 closes it otherwise).
  struct OpenAttribute {
    Handle object, attribute;
    hid_t id() const { return attribute.id(); }
  };
  OpenAttribute open_attribute(const std::string& object_path, const std::string& name) const;
  void write_dataset(const std::string& dataset_path, const std::vector<hsize_t>& shape,
                     hid_t memory_type, const void* data, bool compress);
  void read_dataset(const std::string& dataset_path, hid_t memory_type, void* out) const;
  void write_attribute(const std::string& object_path, const std::string& name, hid_t type,
                       const std::vector<hsize_t>& shape, const void* data);

  std::string path_;
  Handle handle_;
  SmallDatasets small_datasets_;
  // The object attributes were last written to, kept open: a job's group gets thirty in a row.
  std::string attribute_object_path_;
  Handle attribute_object_;
  // The object this File created last and the attributes written to it since.
  void remember_created(const std::string& object_path);
  std::string created_object_path_;
  std::set<std::string> created_object_attributes_;
};

// Call once early: stops HDF5 from printing its error stack to stderr.
void silence_library_errors();

}  // namespace stylesweep::h5
