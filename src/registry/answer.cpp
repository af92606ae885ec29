#include "registry/answer.h"

#include <fmt/format.h>

#include <initializer_list>
#include <map>
#include <nlohmann/json.hpp>
#include <vector>

#include "util/bounded_text.h"

namespace registry {
namespace {

using Json = nlohmann::json;

// Keeps the scalar values of the wanted members of a top-level object; skips everything else
// without building it, and stops at kMaxAnswerNesting.
class TopLevel : public nlohmann::json_sax<Json> {
 public:
  TopLevel(std::string_view body, std::initializer_list<std::string_view> wanted)
      : wanted_(wanted) {
    ok = Json::sax_parse(body, this) && object;
  }
  bool ok = false;
  bool object = false;  // the top level is an object
  bool too_deep = false;
  std::map<std::string, Json, std::less<>> got;

  const std::string* text(std::string_view name) const {
    auto it = got.find(name);
    return it != got.end() && it->second.is_string() ? &it->second.get_ref<const std::string&>()
                                                     : nullptr;
  }

  bool null() override { return value(nullptr); }
  bool boolean(bool v) override { return value(v); }
  bool number_integer(number_integer_t v) override { return value(v); }
  bool number_unsigned(number_unsigned_t v) override { return value(v); }
  bool number_float(number_float_t v, const string_t&) override { return value(v); }
  bool string(string_t& v) override { return value(std::move(v)); }
  bool binary(binary_t&) override { return value(nullptr); }
  bool key(string_t& k) override {
    current_.reset();
    if (depth_ == 1) {
      for (const auto w : wanted_) {
        if (w == k) current_ = std::move(k);
      }
    }
    return true;
  }
  bool start_object(std::size_t) override { return open(true); }
  bool start_array(std::size_t) override { return open(false); }
  bool end_object() override { return close(); }
  bool end_array() override { return close(); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;
  }

 private:
  bool value(Json v) {
    if (depth_ == 1 && current_) got[*current_] = std::move(v);
    current_.reset();
    return true;
  }
  bool open(bool is_object) {
    if (depth_ == 0) object = is_object;
    current_.reset();  // a wanted member whose value is a container: not a scalar
    if (++depth_ > kMaxAnswerNesting) {
      too_deep = true;
      return false;
    }
    return true;
  }
  bool close() {
    --depth_;
    return true;
  }

  std::vector<std::string_view> wanted_;
  std::optional<std::string> current_;
  int depth_ = 0;
};

std::string start_of(const Answer& a) {
  std::string text = util::bounded_text(a.body, 200);
  if (a.truncated) text += " (answer cut at the size limit)";
  return text;
}

}  // namespace

std::pair<int, std::string> error_of(const Answer& a) {
  const TopLevel t(a.body, {"message", "error_code"});
  if (t.ok) {
    if (const std::string* message = t.text("message")) {
      int code = 0;
      if (auto it = t.got.find("error_code"); it != t.got.end() && it->second.is_number_integer()) {
        const auto n = it->second.get<std::int64_t>();
        if (n >= 0 && n <= 1000000) code = static_cast<int>(n);
      }
      return {code, fmt::format("HTTP {} (error {}): {}", a.status, code,
                                util::bounded_text(*message, 1000))};
    }
  }
  return {0, fmt::format("HTTP {}: {}", a.status, start_of(a))};
}

std::optional<std::uint32_t> id_of(const Answer& a) {
  if (a.truncated) return std::nullopt;
  const TopLevel t(a.body, {"id"});
  if (!t.ok) return std::nullopt;
  auto it = t.got.find("id");
  if (it == t.got.end() || !it->second.is_number_unsigned()) return std::nullopt;
  const auto id = it->second.get<std::uint64_t>();
  if (id > 0xFFFFFFFFu) return std::nullopt;
  return static_cast<std::uint32_t>(id);
}

orders::SchemaLookup schema_answer(const Answer& a, std::size_t max_schema_bytes,
                                   std::size_t max_response_bytes) {
  if (a.status != 200) {
    auto message = error_of(a).second;
    if (a.status == 404) return orders::SchemaUnknown{std::move(message)};
    return orders::SchemaUnavailable{std::move(message)};  // the registry's trouble, not ours
  }
  if (a.truncated) {
    return orders::SchemaRefused{fmt::format(
        "the registry's answer is larger than schema.registry.max.response.bytes ({} bytes)",
        max_response_bytes)};
  }
  TopLevel t(a.body, {"schema", "schemaType"});
  if (t.too_deep) {
    return orders::SchemaRefused{
        fmt::format("the registry's answer is nested deeper than {} levels", kMaxAnswerNesting)};
  }
  if (!t.ok) {
    return orders::SchemaRefused{
        fmt::format("the registry's answer is not a JSON object: {}", start_of(a))};
  }
  const std::string* schema = t.text("schema");
  if (!schema) return orders::SchemaRefused{"no schema in the registry's answer"};
  if (const std::string* type = t.text("schemaType"); type && *type != "AVRO") {
    return orders::SchemaRefused{
        fmt::format("a {} schema, not Avro", util::bounded_text(*type, 40))};
  }
  if (schema->size() > max_schema_bytes) {
    return orders::SchemaRefused{fmt::format(
        "writer schema of {} bytes is larger than schema.registry.max.schema.bytes ({})",
        schema->size(), max_schema_bytes)};
  }
  return orders::SchemaFound{std::move(t.got.find("schema")->second.get_ref<std::string&>())};
}

}  // namespace registry
