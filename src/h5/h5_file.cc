#include "h5/h5_file.h"
#include "h5/h5_shared.h"

#include <hdf5_hl.h>
#include <unistd.h>

#include <numeric>

#include <fmt/format.h>

#include "common/durable_file.h"
#include "common/error.h"

namespace stylesweep::h5 {

Handle::Handle(hid_t id) : id_(id) {}
Handle::~Handle() { close(); }
Handle::Handle(Handle&& other) noexcept : id_(other.id_) { other.id_ = -1; }
Handle& Handle::operator=(Handle&& other) noexcept {
  if (this != &other) {
    close();
    id_ = other.id_;
    other.id_ = -1;
  }
  return *this;
}

void Handle::close() {
  if (id_ < 0) return;
  switch (H5Iget_type(id_)) {
    case H5I_FILE: H5Fclose(id_); break;
    case H5I_GROUP: H5Gclose(id_); break;
    case H5I_DATASET: H5Dclose(id_); break;
    case H5I_DATASPACE: H5Sclose(id_); break;
    case H5I_DATATYPE: H5Tclose(id_); break;
    case H5I_ATTR: H5Aclose(id_); break;
    case H5I_GENPROP_LST: H5Pclose(id_); break;
    default: H5Oclose(id_); break;
  }
  id_ = -1;
}

void silence_library_errors() {
  // A file whose close failed (a full disk) stays in HDF5's tables, and HDF5 1.10's exit handler
  // then crashes trying to flush it again. Every file this project writes is closed and
  // committed explicitly, so the exit handler has nothing to do: turn it off before the library
  // starts (later calls return an error, harmlessly).
  static const bool no_exit_handler = [] { return H5dont_atexit() >= 0; }();
  (void)no_exit_handler;
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}

namespace {

// Datasets smaller than this are stored uncompressed even when asked (see write_uint8).
constexpr std::size_t kCompressFromBytes = 4096;

// The most a compact dataset holds (File::SmallDatasets::kCompact); HDF5 allows up to 64 KiB.
constexpr std::size_t kCompactUpToBytes = 16 * 1024;

// Reproducible files: no modification times in object headers.
Handle untimed_creation_properties(hid_t property_class) {
  Handle properties(H5Pcreate(property_class));
  H5Pset_obj_track_times(properties.id(), false);
  return properties;
}

// Objects every file uses unchanged, created once for the process instead of once per write
// (a job's group gets some fifty writes): the library holds them until it shuts down.
hid_t lasting(Handle handle) { return handle.release(); }

hid_t untimed_group_properties() {
  static const hid_t properties = lasting(untimed_creation_properties(H5P_GROUP_CREATE));
  return properties;
}

hid_t untimed_dataset_properties(H5D_layout_t layout) {
  static const hid_t contiguous = lasting(untimed_creation_properties(H5P_DATASET_CREATE));
  static const hid_t compact = [] {
    Handle properties = untimed_creation_properties(H5P_DATASET_CREATE);
    H5Pset_layout(properties.id(), H5D_COMPACT);
    return lasting(std::move(properties));
  }();
  return layout == H5D_COMPACT ? compact : contiguous;
}

}  // namespace

hid_t shared::scalar_space() {
  static const hid_t space = lasting(Handle(H5Screate(H5S_SCALAR)));
  return space;
}

namespace {

std::string parent_of(const std::string& object_path) {
  auto slash = object_path.find_last_of('/');
  if (slash == std::string::npos || slash == 0) return "/";
  return object_path.substr(0, slash);
}

void check_openable(const std::string& path) {
  if (existing_file_size(path, "an HDF5 file") == 0) throw file_error(path, "empty file (0 bytes), expected an HDF5 file", ErrorKind::kBadInput);
  if (H5Fis_hdf5(path.c_str()) <= 0) {
    throw file_error(path, "not an HDF5 file (no HDF5 signature; truncated or another format)", ErrorKind::kBadInput);
  }
}

}  // namespace

File File::open_read_only(const std::string& path) {
  silence_library_errors();
  check_openable(path);
  Handle handle(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
  if (!handle.valid()) throw file_error(path, "cannot open HDF5 file (corrupt or truncated)", ErrorKind::kBadInput);
  return File(path, std::move(handle));
}

File File::open_read_write(const std::string& path) {
  silence_library_errors();
  check_openable(path);
  Handle handle(H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT));
  if (!handle.valid()) throw file_error(path, "cannot open HDF5 file for writing", ErrorKind::kBadInput);
  return File(path, std::move(handle));
}

File File::create(const std::string& path, SmallDatasets small) {
  silence_library_errors();
  Handle handle(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT));
  if (!handle.valid()) {
    const std::string reason = write_failure_reason(path);
    ::unlink(path.c_str());  // HDF5 may leave a stub behind
    throw file_error(path, "cannot create HDF5 file: " + reason, write_failure_kind(path));
  }
  return File(path, std::move(handle), small);
}

void File::fail(const std::string& object_path, const std::string& reason) const {
  throw file_error(path_, object_path + ": " + reason, ErrorKind::kBadInput);
}

void File::fail_write(const std::string& object_path, const std::string& reason) const {
  // HDF5 does not say why a write failed; most often it is the disk, so ask the file system.
  throw file_error(path_, object_path + ": " + reason + " (" + write_failure_reason(path_) + ")",
                   write_failure_kind(path_));
}

void File::flush() {
  if (H5Fflush(id(), H5F_SCOPE_GLOBAL) < 0) fail_write("/", "flush failed");
}

bool File::exists(const std::string& object_path) const {
  if (object_path == "/") return true;
  // Most paths asked about have a parent that exists: one lookup then. Otherwise each prefix
  // must exist before H5Lexists may be asked about the next.
  if (H5Lexists(id(), parent_of(object_path).c_str(), H5P_DEFAULT) > 0) {
    return H5Lexists(id(), object_path.c_str(), H5P_DEFAULT) > 0;
  }
  std::string prefix;
  for (std::size_t start = 1; start <= object_path.size();) {
    std::size_t end = object_path.find('/', start);
    if (end == std::string::npos) end = object_path.size();
    prefix = object_path.substr(0, end);
    if (H5Lexists(id(), prefix.c_str(), H5P_DEFAULT) <= 0) return false;
    start = end + 1;
  }
  return true;
}

Handle File::open_object(const std::string& object_path) const {
  Handle object(H5Oopen(id(), object_path.c_str(), H5P_DEFAULT));
  if (!object.valid()) fail(object_path, "missing");
  return object;
}

Handle File::open_group(const std::string& group_path) const {
  Handle group(H5Gopen2(id(), group_path.c_str(), H5P_DEFAULT));
  if (!group.valid()) fail(group_path, "missing group");
  return group;
}

Handle File::create_group(const std::string& group_path) {
  // One lookup in the usual case; H5Lexists fails (< 0) when a parent is missing.
  const htri_t present = group_path == "/" ? 1 : H5Lexists(id(), group_path.c_str(), H5P_DEFAULT);
  if (present > 0) return open_group(group_path);
  if (present < 0) create_group(parent_of(group_path));
  Handle group(H5Gcreate2(id(), group_path.c_str(), H5P_DEFAULT, untimed_group_properties(),
                          H5P_DEFAULT));
  if (!group.valid()) fail_write(group_path, "cannot create group");
  remember_created(group_path);
  return group;
}

void File::remember_created(const std::string& object_path) {
  created_object_path_ = object_path;
  created_object_attributes_.clear();
}

std::vector<std::string> File::list_group(const std::string& group_path) const {
  Handle group = open_group(group_path);
  H5G_info_t info;
  H5Gget_info(group.id(), &info);
  std::vector<std::string> names;
  for (hsize_t i = 0; i < info.nlinks; ++i) {
    ssize_t size = H5Lget_name_by_idx(group.id(), ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0,
                                      H5P_DEFAULT);
    std::string name(std::size_t(size), '\0');
    H5Lget_name_by_idx(group.id(), ".", H5_INDEX_NAME, H5_ITER_INC, i, name.data(),
                       std::size_t(size) + 1, H5P_DEFAULT);
    names.push_back(name);
  }
  return names;
}

DatasetInfo File::dataset_info(const std::string& dataset_path) const {
  if (!exists(dataset_path)) fail(dataset_path, "missing dataset");
  Handle dataset(H5Dopen2(id(), dataset_path.c_str(), H5P_DEFAULT));
  if (!dataset.valid()) fail(dataset_path, "not a dataset");
  Handle type(H5Dget_type(dataset.id()));
  Handle space(H5Dget_space(dataset.id()));
  DatasetInfo info;
  int rank = H5Sget_simple_extent_ndims(space.id());
  info.shape.resize(std::size_t(std::max(rank, 0)));
  H5Sget_simple_extent_dims(space.id(), info.shape.data(), nullptr);
  H5T_class_t type_class = H5Tget_class(type.id());
  std::size_t size = H5Tget_size(type.id());
  if (type_class == H5T_FLOAT && size == 4) info.type = ElementType::kFloat32;
  if (type_class == H5T_FLOAT && size == 8) info.type = ElementType::kFloat64;
  if (type_class == H5T_INTEGER && size == 8 && H5Tget_sign(type.id()) == H5T_SGN_2) {
    info.type = ElementType::kInt64;
  }
  if (type_class == H5T_INTEGER && size == 1 && H5Tget_sign(type.id()) == H5T_SGN_NONE) {
    info.type = ElementType::kUInt8;
  }
  if (type_class == H5T_STRING) info.type = ElementType::kString;
  return info;
}

namespace {
std::size_t element_count(const std::vector<hsize_t>& shape) {
  return std::accumulate(shape.begin(), shape.end(), std::size_t{1},
                         [](std::size_t a, hsize_t b) { return a * std::size_t(b); });
}
}  // namespace

void File::read_dataset(const std::string& dataset_path, hid_t memory_type, void* out) const {
  Handle dataset(H5Dopen2(id(), dataset_path.c_str(), H5P_DEFAULT));
  if (!dataset.valid()) fail(dataset_path, "missing dataset");
  if (H5Dread(dataset.id(), memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out) < 0) {
    fail(dataset_path, "read failed (corrupt or truncated file)");
  }
}

std::vector<float> File::read_float32(const std::string& dataset_path) const {
  std::vector<float> values(element_count(dataset_info(dataset_path).shape));
  read_dataset(dataset_path, H5T_NATIVE_FLOAT, values.data());
  return values;
}

std::vector<double> File::read_float64(const std::string& dataset_path) const {
  std::vector<double> values(element_count(dataset_info(dataset_path).shape));
  read_dataset(dataset_path, H5T_NATIVE_DOUBLE, values.data());
  return values;
}

std::vector<std::uint8_t> File::read_uint8(const std::string& dataset_path) const {
  std::vector<std::uint8_t> values(element_count(dataset_info(dataset_path).shape));
  read_dataset(dataset_path, H5T_NATIVE_UINT8, values.data());
  return values;
}

void File::write_dataset(const std::string& dataset_path, const std::vector<hsize_t>& shape,
                         hid_t memory_type, const void* data, bool compress) {
  // One lookup in the usual case (a new dataset in an existing group); < 0: a parent is missing.
  const htri_t present = H5Lexists(id(), dataset_path.c_str(), H5P_DEFAULT);
  if (present < 0) create_group(parent_of(dataset_path));
  if (attribute_object_path_ == dataset_path) attribute_object_ = Handle();  // being replaced
  if (present > 0 && H5Ldelete(id(), dataset_path.c_str(), H5P_DEFAULT) < 0) {
    fail_write(dataset_path, "cannot replace dataset");
  }
  Handle space(H5Screate_simple(int(shape.size()), shape.data(), nullptr));
  const std::size_t bytes = element_count(shape) * H5Tget_size(memory_type);
  // Variable-length strings (the index) take more room in the file than in memory: not compact.
  const bool compact = small_datasets_ == SmallDatasets::kCompact && bytes <= kCompactUpToBytes &&
                       H5Tis_variable_str(memory_type) <= 0;
  Handle chunked;
  hid_t properties = untimed_dataset_properties(compact ? H5D_COMPACT : H5D_CONTIGUOUS);
  // Compressing a few hundred bytes (a thumbnail) costs more than it saves.
  if (compress && bytes >= kCompressFromBytes) {
    chunked = untimed_creation_properties(H5P_DATASET_CREATE);
    H5Pset_chunk(chunked.id(), int(shape.size()), shape.data());
    H5Pset_deflate(chunked.id(), 4);
    properties = chunked.id();
  }
  Handle dataset(H5Dcreate2(id(), dataset_path.c_str(), memory_type, space.id(), H5P_DEFAULT,
                            properties, H5P_DEFAULT));
  if (!dataset.valid()) fail_write(dataset_path, "cannot create dataset");
  remember_created(dataset_path);
  if (element_count(shape) > 0 &&
      H5Dwrite(dataset.id(), memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0) {
    fail_write(dataset_path, "write failed");
  }
}

void File::write_float32(const std::string& dataset_path, const std::vector<hsize_t>& shape,
                         const float* data) {
  write_dataset(dataset_path, shape, H5T_NATIVE_FLOAT, data, false);
}

void File::write_float64(const std::string& dataset_path, const std::vector<hsize_t>& shape,
                         const double* data) {
  write_dataset(dataset_path, shape, H5T_NATIVE_DOUBLE, data, false);
}

void File::write_uint8(const std::string& dataset_path, const std::vector<hsize_t>& shape,
                       const std::uint8_t* data, bool compress) {
  write_dataset(dataset_path, shape, H5T_NATIVE_UINT8, data, compress);
}

// Variable-length UTF-8 strings: what h5py reads back as str.
hid_t shared::string_type() {
  static const hid_t type = [] {
    Handle type(H5Tcopy(H5T_C_S1));
    H5Tset_size(type.id(), H5T_VARIABLE);
    H5Tset_cset(type.id(), H5T_CSET_UTF8);
    return lasting(std::move(type));
  }();
  return type;
}

void File::write_strings(const std::string& dataset_path, const std::vector<std::string>& values) {
  std::vector<const char*> pointers;
  for (const auto& value : values) pointers.push_back(value.c_str());
  write_dataset(dataset_path, {hsize_t(values.size())}, shared::string_type(), pointers.data(), false);
}

std::vector<std::string> File::read_strings(const std::string& dataset_path) const {
  Handle dataset(H5Dopen2(id(), dataset_path.c_str(), H5P_DEFAULT));
  if (!dataset.valid()) fail(dataset_path, "missing dataset");
  Handle space(H5Dget_space(dataset.id()));
  const std::size_t count = std::size_t(H5Sget_simple_extent_npoints(space.id()));
  const hid_t type = shared::string_type();
  std::vector<char*> pointers(count, nullptr);
  if (count && H5Dread(dataset.id(), type, H5S_ALL, H5S_ALL, H5P_DEFAULT, pointers.data()) < 0) {
    fail(dataset_path, "read failed (not a string dataset?)");
  }
  std::vector<std::string> values;
  for (char* pointer : pointers) values.emplace_back(pointer ? pointer : "");
  if (count) H5Dvlen_reclaim(type, space.id(), H5P_DEFAULT, pointers.data());
  return values;
}

void File::remove(const std::string& object_path) {
  attribute_object_ = Handle();  // it may be the object removed
  created_object_path_.clear();
  if (exists(object_path) && H5Ldelete(id(), object_path.c_str(), H5P_DEFAULT) < 0) {
    fail_write(object_path, "cannot remove");
  }
}

void File::link_external(const std::string& link_path, const std::string& target_file,
                         const std::string& target_object) {
  if (parent_of(link_path) != "/") create_group(parent_of(link_path));
  if (H5Lcreate_external(target_file.c_str(), target_object.c_str(), id(), link_path.c_str(),
                         H5P_DEFAULT, H5P_DEFAULT) < 0) {
    fail_write(link_path, "cannot create external link to " + target_file);
  }
}

void File::attach_scale(const std::string& dataset_path, unsigned axis, const std::string& scale_path,
                        const std::string& name) {
  Handle dataset(H5Dopen2(id(), dataset_path.c_str(), H5P_DEFAULT));
  Handle scale(H5Dopen2(id(), scale_path.c_str(), H5P_DEFAULT));
  if (!dataset.valid() || !scale.valid() ||
      (H5DSis_scale(scale.id()) <= 0 && H5DSset_scale(scale.id(), name.c_str()) < 0) ||
      H5DSattach_scale(dataset.id(), scale.id(), axis) < 0) {
    throw io_error(path(), fmt::format("{}: cannot attach {} as the scale of axis {}", dataset_path, scale_path, axis));
  }
}

namespace {

// A dimension-scale attachment inside a copied group: dataset, axis, scale (paths in the copy).
struct ScaleAttachment {
  std::string dataset, scale, name;
  unsigned axis = 0;
};

struct AttachmentSearch {
  std::string source_root, copy_root;
  std::vector<ScaleAttachment> found;
  std::string dataset;  // the one whose scales are being iterated
  unsigned axis = 0;
};

herr_t note_scale(hid_t, unsigned, hid_t scale, void* data) {
  auto& search = *static_cast<AttachmentSearch*>(data);
  char path[1024], name[256] = "";
  const ssize_t length = H5Iget_name(scale, path, sizeof(path));
  const std::string prefix = search.source_root + "/";
  if (length <= 0 || std::string(path).rfind(prefix, 0) != 0) return 0;  // outside the copy: left as is
  H5DSget_scale_name(scale, name, sizeof(name));
  search.found.push_back({search.dataset, search.copy_root + "/" + (path + prefix.size()), name, search.axis});
  return 0;
}

herr_t find_attachments(hid_t group, const char* name, const H5L_info_t*, void* data) {
  auto& search = *static_cast<AttachmentSearch*>(data);
  if (H5Aexists_by_name(group, name, "DIMENSION_LIST", H5P_DEFAULT) <= 0) return 0;
  Handle dataset(H5Dopen2(group, name, H5P_DEFAULT));
  if (!dataset.valid()) return 0;
  Handle space(H5Dget_space(dataset.id()));
  search.dataset = search.copy_root + "/" + name;
  for (int axis = 0; axis < H5Sget_simple_extent_ndims(space.id()); ++axis) {
    search.axis = unsigned(axis);
    H5DSiterate_scales(dataset.id(), unsigned(axis), nullptr, note_scale, &search);
  }
  return 0;
}

}  // namespace

void File::copy_from(const File& source, const std::string& source_path, const std::string& path) {
  if (parent_of(path) != "/") create_group(parent_of(path));
  if (H5Ocopy(source.id(), source_path.c_str(), id(), path.c_str(), H5P_DEFAULT, H5P_DEFAULT) < 0) {
    fail_write(path, "cannot copy " + source_path + " from " + source.path());
  }
  // H5Ocopy keeps dimension-scale attributes but not what their references point to (HDF5 issue
  // 6200): the attachments inside the copied group are made again, from the source's.
  Handle group(H5Gopen2(source.id(), source_path.c_str(), H5P_DEFAULT));
  if (!group.valid()) return;  // a dataset: no attachments inside it
  AttachmentSearch search{source_path, path, {}, "", 0};
  H5Lvisit(group.id(), H5_INDEX_NAME, H5_ITER_NATIVE, find_attachments, &search);
  for (const ScaleAttachment& attachment : search.found) {
    for (const auto& [object, attribute] : {std::pair{attachment.dataset, "DIMENSION_LIST"},
                                            std::pair{attachment.scale, "REFERENCE_LIST"}}) {
      if (H5Aexists_by_name(id(), object.c_str(), attribute, H5P_DEFAULT) > 0) {
        H5Adelete_by_name(id(), object.c_str(), attribute, H5P_DEFAULT);
      }
    }
  }
  for (const ScaleAttachment& attachment : search.found) {
    attach_scale(attachment.dataset, attachment.axis, attachment.scale, attachment.name);
  }
}

void File::close() {
  attribute_object_ = Handle();
  handle_ = Handle();
}

}  // namespace stylesweep::h5
