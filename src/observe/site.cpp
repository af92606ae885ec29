#include "observe/site.h"

#include "observe/assets.h"

namespace observe {

Response not_found() {
  return text(404, "not found\n");
}

Response text(int status, std::string body) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

bool serve_common(std::string_view path, std::string_view index, Response& out) {
  if (path == "/healthz") {
    out = text(200, "ok\n");
    return true;
  }
  std::string_view name;
  if (path == "/" || path == "/index.html") {
    name = index;
  } else if (path.starts_with("/static/")) {
    name = path.substr(8);
  } else {
    return false;
  }
  auto asset = find_asset(name);
  if (!asset) {
    out = not_found();
    return true;
  }
  out.status = 200;
  out.content_type = std::string(asset->content_type);
  out.body = std::string(asset->body);
  return true;
}

}  // namespace observe
