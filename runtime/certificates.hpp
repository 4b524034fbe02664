// The certificates of a cluster link (runtime/cluster): a private CA, one certificate per node
// signed by it, and the check that a node's files fit together before anything listens or
// connects. `kis-engine cert ca` and `kis-engine cert node NAME` are the two commands a user
// needs; CAF's OpenSSL module then runs mutual TLS with them (both sides present a certificate
// that must chain to the CA file; no host name check: the CA is the cluster's own).
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "kis/result.hpp"

namespace kis::runtime {

struct certificate_files {
  std::filesystem::path cert; // PEM certificate
  std::filesystem::path key;  // PEM private key, mode 0600
};

// The CA files in dir: ca.pem (certificate) and ca.key (its key).
certificate_files ca_files(const std::filesystem::path& dir);
// The node files in dir: NAME.pem and NAME.key.
certificate_files node_files(const std::filesystem::path& dir, const std::string& name);

// A new EC P-256 CA, self-signed, valid `days`. Refuses to overwrite existing files. Returns
// nothing on success; errc::config for a bad argument or a missing CA, errc::io when a file
// could not be made or written.
std::optional<api::api_error> make_cluster_ca(const std::filesystem::path& dir, int days);

// A new node key and certificate (CN and DNS name = name, client and server use) signed by the
// CA in dir. Refuses to overwrite existing files.
std::optional<api::api_error> make_node_certificate(const std::filesystem::path& dir,
                                                    const std::string& name, int days);

// What is wrong with a node's TLS files, as {which file: "cert", "key" or "ca"; why}: unreadable,
// not PEM, key not the certificate's, key readable by others, certificate not signed by the CA
// or expired. Nothing when they fit together.
struct tls_problem {
  std::string which;
  std::string message;
};
std::optional<tls_problem> check_tls_files(const std::string& cert, const std::string& key,
                                           const std::string& ca);

} // namespace kis::runtime
