#include "registry/tls.h"

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <utility>

namespace registry::tls {
namespace {

std::string openssl_reason() {
  const unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0) return "not a PEM file of that kind";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return buf;
}

struct FileClose {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

std::unique_ptr<std::FILE, FileClose> open_pem(const std::string& path, const char* what) {
  std::unique_ptr<std::FILE, FileClose> f(std::fopen(path.c_str(), "r"));
  if (!f) {
    throw std::invalid_argument(
        fmt::format("{} '{}' cannot be read: {}", what, path, std::strerror(errno)));
  }
  return f;
}

// OpenSSL asks for the key's password through this callback; a key without one never calls it.
int give_password(char* buf, int size, int /*rwflag*/, void* user) {
  const auto* password = static_cast<const std::optional<std::string>*>(user);
  if (!password->has_value()) return -1;  // encrypted key, no password: fail, do not prompt
  const auto n = std::min<std::size_t>(static_cast<std::size_t>(size), (*password)->size());
  std::memcpy(buf, (*password)->data(), n);
  return static_cast<int>(n);
}

}  // namespace

void X509Free::operator()(x509_st* p) const {
  X509_free(p);
}
void KeyFree::operator()(evp_pkey_st* p) const {
  EVP_PKEY_free(p);
}

ClientIdentity load_client_identity(const std::string& certificate_path,
                                    const std::string& key_path,
                                    const std::optional<std::string>& key_password) {
  ClientIdentity id;
  ERR_clear_error();
  {
    auto f = open_pem(certificate_path, "schema.registry.ssl.certificate.location");
    id.certificate.reset(PEM_read_X509(f.get(), nullptr, nullptr, nullptr));
    if (!id.certificate) {
      throw std::invalid_argument(fmt::format("schema.registry.ssl.certificate.location '{}': {}",
                                              certificate_path, openssl_reason()));
    }
  }
  auto f = open_pem(key_path, "schema.registry.ssl.key.location");
  auto* password = const_cast<std::optional<std::string>*>(&key_password);
  id.key.reset(PEM_read_PrivateKey(f.get(), nullptr, give_password, password));
  if (!id.key) {
    throw std::invalid_argument(
        fmt::format("schema.registry.ssl.key.location '{}': {}{}", key_path, openssl_reason(),
                    key_password ? " (wrong schema.registry.ssl.key.password?)"
                                 : " (encrypted? set schema.registry.ssl.key.password)"));
  }
  if (X509_check_private_key(id.certificate.get(), id.key.get()) != 1) {
    ERR_clear_error();
    throw std::invalid_argument(
        fmt::format("schema.registry.ssl.key.location '{}' is not the key "
                    "of the certificate '{}'",
                    key_path, certificate_path));
  }
  return id;
}

std::string verify_result_text(long result) {
  return X509_verify_cert_error_string(result);
}

}  // namespace registry::tls
