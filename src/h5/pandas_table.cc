#include "h5/pandas_table.h"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "common/error.h"

namespace stylesweep::h5 {
namespace {

// A text in pickle protocol 0's unicode form (raw-unicode-escape): printable ASCII as it is,
// every other code point as \uXXXX or \UXXXXXXXX.
std::string pickled_text(const std::string& utf8) {
  std::string out = "V";
  for (std::size_t i = 0; i < utf8.size();) {
    const unsigned char lead = static_cast<unsigned char>(utf8[i]);
    const int length = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
    unsigned code = length == 1 ? lead : lead & (0x3F >> (length - 1));
    for (int k = 1; k < length && i + std::size_t(k) < utf8.size(); ++k) {
      code = (code << 6) | (static_cast<unsigned char>(utf8[i + std::size_t(k)]) & 0x3F);
    }
    i += std::size_t(length);
    if (code >= 0x20 && code < 0x7F && code != '\\') out += char(code);
    else if (code <= 0xFFFF) out += fmt::format("\\u{:04x}", code);
    else out += fmt::format("\\U{:08x}", code);
  }
  return out + "\n";
}

// A Python list of texts, pickled.
std::string pickled_list(const std::vector<std::string>& texts) {
  std::string out = "(l";
  for (const auto& text : texts) out += pickled_text(text) + "a";
  return out;
}

// What the attribute holds: text as pandas writes it (UTF-8), or a pickle (ASCII), as PyTables
// reads each back.
void set_text(const File& file, hid_t object, const std::string& name, const std::string& value, H5T_cset_t cset) {
  Handle type(H5Tcopy(H5T_C_S1));
  H5Tset_size(type.id(), std::max<std::size_t>(value.size(), 1));
  H5Tset_strpad(type.id(), H5T_STR_NULLTERM);
  H5Tset_cset(type.id(), cset);
  Handle space(H5Screate(H5S_SCALAR));
  std::string padded = value;
  padded.resize(std::max<std::size_t>(value.size(), 1), '\0');
  Handle attribute(H5Acreate2(object, name.c_str(), type.id(), space.id(), H5P_DEFAULT, H5P_DEFAULT));
  if (!attribute.valid() || H5Awrite(attribute.id(), type.id(), padded.data()) < 0) {
    throw io_error(file.path(), "cannot write attribute '" + name + "'");
  }
}

void set_text(const File& file, hid_t object, const std::string& name, const std::string& value) {
  set_text(file, object, name, value, H5T_CSET_UTF8);
}

void set_pickle(const File& file, hid_t object, const std::string& name, const std::string& pickle) {
  set_text(file, object, name, pickle, H5T_CSET_ASCII);
}

void set_int(const File& file, hid_t object, const std::string& name, std::int64_t value) {
  Handle space(H5Screate(H5S_SCALAR));
  Handle attribute(H5Acreate2(object, name.c_str(), H5T_STD_I64LE, space.id(), H5P_DEFAULT, H5P_DEFAULT));
  if (!attribute.valid() || H5Awrite(attribute.id(), H5T_NATIVE_INT64, &value) < 0) {
    throw io_error(file.path(), "cannot write attribute '" + name + "'");
  }
}

struct Blocks {
  std::vector<const FrameColumn*> numbers, texts;
  std::size_t text_width = 1;  // bytes per text cell
  std::size_t rows = 0;
};

Blocks blocks_of(const std::vector<FrameColumn>& columns, const std::string& where) {
  Blocks blocks;
  blocks.rows = columns.empty() ? 0 : columns.front().is_text ? columns.front().texts.size()
                                                               : columns.front().numbers.size();
  for (const FrameColumn& column : columns) {
    const std::size_t rows = column.is_text ? column.texts.size() : column.numbers.size();
    if (rows != blocks.rows) {
      throw Error(fmt::format("{}: column '{}' has {} rows, expected {}", where, column.name, rows, blocks.rows),
                  ErrorKind::kInternal);
    }
    (column.is_text ? blocks.texts : blocks.numbers).push_back(&column);
    for (const auto& text : column.texts) blocks.text_width = std::max(blocks.text_width, text.size());
  }
  return blocks;
}

std::vector<std::string> names_of(const std::vector<const FrameColumn*>& columns) {
  std::vector<std::string> names;
  for (const FrameColumn* column : columns) names.push_back(column->name);
  return names;
}

// pandas' row: the row number, then the number block, then the text block.
struct RowLayout {
  Handle type;
  std::size_t text_offset = 0, bytes = 0;
};

RowLayout row_layout(const Blocks& blocks) {
  const hsize_t numbers = blocks.numbers.size(), texts = blocks.texts.size();
  Handle text_type(H5Tcopy(H5T_C_S1));
  H5Tset_size(text_type.id(), blocks.text_width);
  H5Tset_strpad(text_type.id(), H5T_STR_NULLTERM);
  Handle number_block(H5Tarray_create2(H5T_IEEE_F64LE, 1, &numbers));
  Handle text_block(H5Tarray_create2(text_type.id(), 1, &texts));
  RowLayout layout;
  layout.text_offset = 8 + 8 * numbers;
  layout.bytes = layout.text_offset + blocks.text_width * texts;
  layout.type = Handle(H5Tcreate(H5T_COMPOUND, layout.bytes));
  H5Tinsert(layout.type.id(), "index", 0, H5T_STD_I64LE);
  H5Tinsert(layout.type.id(), "values_block_0", 8, number_block.id());
  H5Tinsert(layout.type.id(), "values_block_1", layout.text_offset, text_block.id());
  return layout;
}

std::vector<char> packed_rows(const Blocks& blocks, const RowLayout& layout) {
  std::vector<char> data(layout.bytes * blocks.rows, '\0');
  for (std::size_t row = 0; row < blocks.rows; ++row) {
    char* out = data.data() + row * layout.bytes;
    const std::int64_t index = std::int64_t(row);
    std::memcpy(out, &index, 8);
    for (std::size_t c = 0; c < blocks.numbers.size(); ++c) std::memcpy(out + 8 + 8 * c, &blocks.numbers[c]->numbers[row], 8);
    for (std::size_t c = 0; c < blocks.texts.size(); ++c) {
      const std::string& text = blocks.texts[c]->texts[row];
      std::memcpy(out + layout.text_offset + c * blocks.text_width, text.data(), text.size());
    }
  }
  return data;
}

// pandas' description of the frame, on the group.
void describe_frame(File& file, hid_t g, const std::vector<FrameColumn>& columns) {
  set_text(file, g, "CLASS", "GROUP");
  set_text(file, g, "TITLE", "");
  set_text(file, g, "VERSION", "1.0");
  set_text(file, g, "pandas_type", "frame_table");
  set_text(file, g, "pandas_version", "0.15.2");
  set_text(file, g, "table_type", "appendable_frame");
  set_text(file, g, "encoding", "UTF-8");
  set_text(file, g, "errors", "strict");
  set_text(file, g, "nan_rep", "nan");
  set_int(file, g, "levels", 1);
  set_pickle(file, g, "index_cols", "(l(I0\n" + pickled_text("index") + "ta.");
  set_pickle(file, g, "values_cols", pickled_list({"values_block_0", "values_block_1"}) + ".");
  std::vector<std::string> order;
  for (const FrameColumn& column : columns) order.push_back(column.name);
  set_pickle(file, g, "non_index_axes", "(l(I1\n" + pickled_list(order) + "ta.");
  set_pickle(file, g, "data_columns", "(l.");
}

// PyTables' description of the table, and which columns each block holds.
void describe_table(File& file, hid_t t, const Blocks& blocks) {
  set_text(file, t, "CLASS", "TABLE");
  set_text(file, t, "VERSION", "2.7");
  set_text(file, t, "TITLE", "");
  set_text(file, t, "FIELD_0_NAME", "index");
  set_text(file, t, "FIELD_1_NAME", "values_block_0");
  set_text(file, t, "FIELD_2_NAME", "values_block_1");
  set_int(file, t, "NROWS", std::int64_t(blocks.rows));
  set_text(file, t, "index_kind", "integer");
  set_pickle(file, t, "values_block_0_kind", pickled_list(names_of(blocks.numbers)) + ".");
  set_text(file, t, "values_block_0_dtype", "float64");
  set_pickle(file, t, "values_block_0_meta", "N.");
  set_pickle(file, t, "values_block_1_kind", pickled_list(names_of(blocks.texts)) + ".");
  set_text(file, t, "values_block_1_dtype", fmt::format("bytes{}", 8 * blocks.text_width));
  set_pickle(file, t, "values_block_1_meta", "N.");
}

}  // namespace

void write_pandas_table(File& file, const std::string& key, const std::vector<FrameColumn>& columns) {
  const Blocks blocks = blocks_of(columns, file.path() + ": " + key);
  if (blocks.numbers.empty() || blocks.texts.empty()) {
    throw Error(key + ": a pandas table here needs number and text columns", ErrorKind::kInternal);
  }
  const RowLayout layout = row_layout(blocks);
  const std::vector<char> data = packed_rows(blocks, layout);
  const Handle group = file.create_group(key);
  const std::string table_path = key + "/table";
  const hsize_t rows = blocks.rows, unlimited = H5S_UNLIMITED;
  const hsize_t chunk = std::max<hsize_t>(1, std::min<hsize_t>(4096, (1 << 16) / layout.bytes));
  Handle space(H5Screate_simple(1, &rows, &unlimited));
  Handle properties(H5Pcreate(H5P_DATASET_CREATE));
  H5Pset_chunk(properties.id(), 1, &chunk);
  Handle table(H5Dcreate2(file.id(), table_path.c_str(), layout.type.id(), space.id(), H5P_DEFAULT, properties.id(),
                          H5P_DEFAULT));
  if (!table.valid() || (rows > 0 && H5Dwrite(table.id(), layout.type.id(), H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data()) < 0)) {
    throw io_error(file.path(), table_path + ": cannot write the table");
  }
  describe_frame(file, group.id(), columns);
  describe_table(file, table.id(), blocks);
}

}  // namespace stylesweep::h5
