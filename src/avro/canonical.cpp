// STRIP, ORDER, FULLNAMES and PRIMITIVES fall out of writing only the kept attributes of the
// parsed tree in spec order; WHITESPACE, STRINGS and INTEGERS out of emitting compact JSON.
#include "avro/canonical.h"

#include <nlohmann/json.hpp>
#include <set>

namespace avro {

namespace {

std::string quoted(const std::string& s) {
  return nlohmann::json(s).dump();
}

class CanonicalWriter {
 public:
  void write(const Node& n) {
    switch (n.type) {
      case Type::kRecord:
      case Type::kEnum:
      case Type::kFixed:
        write_named(n);
        return;
      case Type::kArray:
        out_ += R"({"type":"array","items":)";
        write(*n.items);
        out_ += '}';
        return;
      case Type::kMap:
        out_ += R"({"type":"map","values":)";
        write(*n.items);
        out_ += '}';
        return;
      case Type::kUnion:
        out_ += '[';
        for (std::size_t i = 0; i < n.branches.size(); ++i) {
          if (i) out_ += ',';
          write(*n.branches[i]);
        }
        out_ += ']';
        return;
      default:
        out_ += quoted(std::string(type_name(n.type)));
        return;
    }
  }

  std::string take() { return std::move(out_); }

 private:
  void write_named(const Node& n) {
    // A named type is spelled out once; later occurrences are references by full name.
    if (!defined_.insert(n.fullname).second) {
      out_ += quoted(n.fullname);
      return;
    }
    out_ +=
        R"({"name":)" + quoted(n.fullname) + R"(,"type":")" + std::string(type_name(n.type)) + '"';
    if (n.type == Type::kRecord) {
      out_ += R"(,"fields":[)";
      for (std::size_t i = 0; i < n.fields.size(); ++i) {
        if (i) out_ += ',';
        out_ += R"({"name":)" + quoted(n.fields[i].name) + R"(,"type":)";
        write(*n.fields[i].type);
        out_ += '}';
      }
      out_ += ']';
    } else if (n.type == Type::kEnum) {
      out_ += R"(,"symbols":[)";
      for (std::size_t i = 0; i < n.symbols.size(); ++i) {
        if (i) out_ += ',';
        out_ += quoted(n.symbols[i]);
      }
      out_ += ']';
    } else {
      out_ += R"(,"size":)" + std::to_string(n.size);
    }
    out_ += '}';
  }

  std::string out_;
  std::set<std::string> defined_;
};

}  // namespace

std::string canonical_form(const Schema& schema) {
  CanonicalWriter w;
  w.write(schema.root());
  return w.take();
}

std::uint64_t crc64_avro(std::string_view bytes) {
  constexpr std::uint64_t kEmpty = 0xc15d213aa4d7a795ULL;
  static const auto kTable = [] {
    struct Table {
      std::uint64_t v[256];
    } t{};
    for (std::uint64_t i = 0; i < 256; ++i) {
      std::uint64_t fp = i;
      for (int j = 0; j < 8; ++j) fp = (fp >> 1) ^ (kEmpty & (~(fp & 1) + 1));
      t.v[i] = fp;
    }
    return t;
  }();
  std::uint64_t fp = kEmpty;
  for (unsigned char b : bytes) fp = (fp >> 8) ^ kTable.v[(fp ^ b) & 0xff];
  return fp;
}

}  // namespace avro
