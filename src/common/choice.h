// Enumerations that configs, options, the wire and HDF5 attributes hold as text. Each names its
// values once, in a ChoiceNames specialization next to the enum; every conversion goes through
// these helpers, so a value is parsed once, where it enters, and compared as an enum after that.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <type_traits>

namespace stylesweep {

// Specialize with `static constexpr std::array<const char*, N> names`, in the enum's order
// (the enum's values being 0 … N-1).
template <typename E>
struct ChoiceNames;

template <typename E, typename = void>
struct is_choice : std::false_type {};
template <typename E>
struct is_choice<E, std::void_t<decltype(ChoiceNames<E>::names)>> : std::true_type {};
template <typename E>
inline constexpr bool is_choice_v = is_choice<E>::value;

template <typename E>
const char* choice_name(E value) {
  return ChoiceNames<E>::names[std::size_t(value)];
}

template <typename E>
std::optional<E> parse_choice(const std::string& text) {
  const auto& names = ChoiceNames<E>::names;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (text == names[i]) return E(i);
  }
  return std::nullopt;
}

// "'lbfgs' or 'adam'", "'a', 'b' or 'c'": the values for messages.
template <typename E>
std::string choice_alternatives() {
  const auto& names = ChoiceNames<E>::names;
  std::string text;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) text += i + 1 == names.size() ? " or " : ", ";
    text += std::string("'") + names[i] + "'";
  }
  return text;
}

}  // namespace stylesweep
