#pragma once
// OpenSSL pieces of the registry client's TLS: reading the client identity at start, so that an
// unreadable file, a wrong key password or a key that is not the certificate's is a clear usage
// error naming the file (libcurl would only say "could not load" at the first request), and
// OpenSSL's text for a chain verification result.
#include <memory>
#include <optional>
#include <string>

struct x509_st;
struct evp_pkey_st;

namespace registry::tls {

struct X509Free {
  void operator()(x509_st* p) const;
};
struct KeyFree {
  void operator()(evp_pkey_st* p) const;
};

struct ClientIdentity {
  std::unique_ptr<x509_st, X509Free> certificate;
  std::unique_ptr<evp_pkey_st, KeyFree> key;
};

// Reads PEM files. Throws std::invalid_argument naming the file and OpenSSL's reason (never the
// password).
ClientIdentity load_client_identity(const std::string& certificate_path,
                                    const std::string& key_path,
                                    const std::optional<std::string>& key_password);

// OpenSSL's text for an X509_V_* verification result.
std::string verify_result_text(long result);

}  // namespace registry::tls
