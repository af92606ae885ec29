#pragma once
// OpenSSL pieces of the registry client's TLS that cpp-httplib 0.11 does not offer: a client
// key protected by a password (schema.registry.ssl.key.password), and verifying the
// certificate chain without the hostname (Confluent's ssl.endpoint.identification.algorithm=none;
// httplib has one switch for both).
#include <memory>
#include <optional>
#include <string>

struct ssl_ctx_st;
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

// The handshake fails unless the peer's chain verifies against `ca_location` (or the system's
// trust store). Throws std::invalid_argument when the CA file cannot be read.
void verify_chain_in_handshake(ssl_ctx_st* ctx, const std::optional<std::string>& ca_location);

// The chain error (X509_V_*) a handshake set up by verify_chain_in_handshake failed with on this
// thread since the last call, or X509_V_OK; clears it.
long take_chain_error();

// OpenSSL's text for an X509_V_* verification result.
std::string verify_result_text(long result);

}  // namespace registry::tls
