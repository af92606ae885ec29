#pragma once
// Limits for JSON that comes from elsewhere (a schema from the registry, a default value): the
// nesting is checked on the text before anything is built, and error messages quote a bounded
// excerpt made without recursion, so a 100k-deep document yields an error, not a stack overflow.
#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "util/bounded_text.h"

namespace avro {

// Deepest nesting of arrays and objects in `text`, counting up to `stop_at` (a scan that stops
// there). Strings are skipped, escapes included; the text need not be valid JSON.
int json_nesting(std::string_view text, int stop_at);

// At most about `max` bytes of `j` as compact JSON, "..." where it was cut. Iterative.
template <class Json>
std::string json_excerpt(const Json& j, std::size_t max = 120) {
  struct Frame {
    const Json* node;
    typename Json::const_iterator it;
    bool first;
  };
  std::vector<Frame> stack;
  std::string out;
  auto scalar = [&](const Json& v) {
    if (v.is_string()) {
      const auto& s = v.template get_ref<const typename Json::string_t&>();
      out += Json(util::bounded_text(s, max)).dump(-1, ' ', false, Json::error_handler_t::replace);
    } else {
      out += v.dump(-1, ' ', false, Json::error_handler_t::replace);
    }
  };
  auto open = [&](const Json& v) {
    if (v.is_object() || v.is_array()) {
      out += v.is_object() ? '{' : '[';
      stack.push_back({&v, v.cbegin(), true});
    } else {
      scalar(v);
    }
  };
  open(j);
  while (!stack.empty() && out.size() < max) {
    Frame& f = stack.back();
    if (f.it == f.node->cend()) {
      out += f.node->is_object() ? '}' : ']';
      stack.pop_back();
      continue;
    }
    if (!f.first) out += ',';
    f.first = false;
    if (f.node->is_object()) {
      out += Json(f.it.key()).dump(-1, ' ', false, Json::error_handler_t::replace);
      out += ':';
    }
    const Json& child = *f.it;
    ++f.it;  // before open(): it may grow the stack and move `f`
    open(child);
  }
  if (out.size() > max) return util::bounded_text(out, max);
  if (!stack.empty()) out += "...";
  return out;
}

}  // namespace avro
