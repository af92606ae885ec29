#include "observe/site.h"

#include "observe/assets.h"

namespace observe {

Response not_found() {
  return text(404, "not found\n");
}

Response text(int status, std::string body) {
  Response r =
      page("text/plain; charset=utf-8", std::make_shared<const std::string>(std::move(body)));
  r.status = status;
  return r;
}

Response page(std::string content_type, std::shared_ptr<const std::string> body) {
  Response r;
  r.content_type = std::move(content_type);
  r.body = *body;
  r.owner = std::move(body);
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
  out.body = asset->body;
  out.owner.reset();
  return true;
}

}  // namespace observe
