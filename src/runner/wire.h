// A minimal binary encoding for messages between ranks: fixed-width little-endian numbers,
// length-prefixed strings and arrays. Both ends run the same build, so no schema evolution.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "common/error.h"

namespace stylesweep {

class WireWriter {
 public:
  template <typename T>
  void number(T value) {
    static_assert(std::is_arithmetic_v<T>);
    const auto* bytes = reinterpret_cast<const char*>(&value);
    buffer_.append(bytes, sizeof(T));
  }
  void text(const std::string& value) {
    number<std::uint64_t>(value.size());
    buffer_.append(value);
  }
  template <typename T>
  void numbers(const std::vector<T>& values) {
    number<std::uint64_t>(values.size());
    buffer_.append(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(T));
  }
  void texts(const std::vector<std::string>& values) {
    number<std::uint64_t>(values.size());
    for (const auto& value : values) text(value);
  }
  std::string take() { return std::move(buffer_); }

 private:
  std::string buffer_;
};

class WireReader {
 public:
  explicit WireReader(const std::string& buffer) : buffer_(buffer) {}
  template <typename T>
  T number() {
    T value;
    std::memcpy(&value, take(sizeof(T)), sizeof(T));
    return value;
  }
  std::string text() {
    const auto size = number<std::uint64_t>();
    return std::string(take(size), size);
  }
  template <typename T>
  std::vector<T> numbers() {
    const auto count = number<std::uint64_t>();
    std::vector<T> values(count);
    if (count) std::memcpy(values.data(), take(count * sizeof(T)), count * sizeof(T));
    return values;
  }
  std::vector<std::string> texts() {
    const auto count = number<std::uint64_t>();
    std::vector<std::string> values;
    for (std::uint64_t i = 0; i < count; ++i) values.push_back(text());
    return values;
  }

 private:
  const char* take(std::uint64_t size) {
    if (size > buffer_.size() - offset_) throw Error("malformed message: truncated", ErrorKind::kInternal);
    const char* at = buffer_.data() + offset_;
    offset_ += size;
    return at;
  }
  const std::string& buffer_;
  std::size_t offset_ = 0;
};

}  // namespace stylesweep
