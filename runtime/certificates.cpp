#include "runtime/certificates.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <memory>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace kis::runtime {

namespace {

namespace fs = std::filesystem;

template <class T, void (*Free)(T*)>
struct freer {
  void operator()(T* p) const noexcept { Free(p); }
};
using pkey_ptr = std::unique_ptr<EVP_PKEY, freer<EVP_PKEY, EVP_PKEY_free>>;
using x509_ptr = std::unique_ptr<X509, freer<X509, X509_free>>;
using store_ptr = std::unique_ptr<X509_STORE, freer<X509_STORE, X509_STORE_free>>;
using store_ctx_ptr = std::unique_ptr<X509_STORE_CTX, freer<X509_STORE_CTX, X509_STORE_CTX_free>>;
using bn_ptr = std::unique_ptr<BIGNUM, freer<BIGNUM, BN_free>>;
using file_ptr = std::unique_ptr<FILE, decltype(&std::fclose)>;

// The last OpenSSL error as text (the queue is cleared).
std::string ssl_error(const std::string& what) {
  auto code = ERR_get_error();
  ERR_clear_error();
  if (code == 0)
    return what;
  char buf[256];
  ERR_error_string_n(code, buf, sizeof buf);
  return what + " (" + buf + ")";
}

// Opens a new file for writing with the given mode; fails if it exists.
file_ptr create_file(const fs::path& path, mode_t mode, std::string& error) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, mode);
  if (fd < 0) {
    error = "cannot create " + path.string() +
            (errno == EEXIST ? ": it exists (remove it first to replace it)" : "");
    return {nullptr, &std::fclose};
  }
  ::fchmod(fd, mode); // the umask may have taken bits away; never added any
  return {::fdopen(fd, "w"), &std::fclose};
}

file_ptr open_file(const std::string& path) {
  return {std::fopen(path.c_str(), "r"), &std::fclose};
}

bool add_extension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (ext == nullptr)
    return false;
  bool ok = X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

// A certificate for key with subject CN=cn, valid from an hour ago for `days`, unsigned.
x509_ptr new_certificate(EVP_PKEY* key, const std::string& cn, int days) {
  x509_ptr cert{X509_new()};
  bn_ptr serial{BN_new()};
  if (!cert || !serial || X509_set_version(cert.get(), 2) != 1 ||
      BN_rand(serial.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
      BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())) == nullptr ||
      X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600) == nullptr ||
      X509_gmtime_adj(X509_getm_notAfter(cert.get()), 86400L * days) == nullptr ||
      X509_set_pubkey(cert.get(), key) != 1)
    return nullptr;
  auto* name = X509_get_subject_name(cert.get());
  const auto* text = reinterpret_cast<const unsigned char*>(cn.c_str());
  const auto* org = reinterpret_cast<const unsigned char*>("kis-engine cluster");
  if (X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, org, -1, -1, 0) != 1 ||
      X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, text, -1, -1, 0) != 1)
    return nullptr;
  return cert;
}

api::api_error io_error(std::string what) {
  return api::make_api_error(errc::io, std::move(what));
}

api::api_error bad_setup(std::string what) {
  return api::make_api_error(errc::config, std::move(what));
}

std::optional<api::api_error> write_pair(const certificate_files& f, X509* cert, EVP_PKEY* key) {
  std::string error;
  // The key first: a certificate without its key would be useless.
  auto key_out = create_file(f.key, 0600, error);
  if (!key_out)
    return io_error(error);
  if (PEM_write_PrivateKey(key_out.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1)
    return io_error(ssl_error("cannot write " + f.key.string()));
  auto cert_out = create_file(f.cert, 0644, error);
  if (!cert_out)
    return io_error(error);
  if (PEM_write_X509(cert_out.get(), cert) != 1)
    return io_error(ssl_error("cannot write " + f.cert.string()));
  return std::nullopt;
}

bool valid_name(const std::string& name) {
  if (name.empty() || name.size() > 64 || name == "ca")
    return false;
  for (char c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.'))
      return false;
  return name.front() != '.';
}

x509_ptr read_certificate(const std::string& path) {
  auto f = open_file(path);
  return x509_ptr{f ? PEM_read_X509(f.get(), nullptr, nullptr, nullptr) : nullptr};
}

pkey_ptr read_key(const std::string& path) {
  auto f = open_file(path);
  return pkey_ptr{f ? PEM_read_PrivateKey(f.get(), nullptr, nullptr, nullptr) : nullptr};
}

} // namespace

certificate_files ca_files(const fs::path& dir) {
  return {dir / "ca.pem", dir / "ca.key"};
}

certificate_files node_files(const fs::path& dir, const std::string& name) {
  return {dir / (name + ".pem"), dir / (name + ".key")};
}

std::optional<api::api_error> make_cluster_ca(const fs::path& dir, int days) {
  if (days < 1)
    return bad_setup("--days: expected at least 1");
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec)
    return io_error("cannot create " + dir.string() + ": " + ec.message());
  pkey_ptr key{EVP_EC_gen("P-256")};
  if (!key)
    return io_error(ssl_error("cannot make a key"));
  auto cert = new_certificate(key.get(), "kis-engine cluster CA", days);
  if (!cert || X509_set_issuer_name(cert.get(), X509_get_subject_name(cert.get())) != 1 ||
      !add_extension(cert.get(), cert.get(), NID_basic_constraints, "critical,CA:TRUE,pathlen:0") ||
      !add_extension(cert.get(), cert.get(), NID_key_usage, "critical,keyCertSign,cRLSign") ||
      !add_extension(cert.get(), cert.get(), NID_subject_key_identifier, "hash") ||
      X509_sign(cert.get(), key.get(), EVP_sha256()) == 0)
    return io_error(ssl_error("cannot make the CA certificate"));
  return write_pair(ca_files(dir), cert.get(), key.get());
}

std::optional<api::api_error> make_node_certificate(const fs::path& dir, const std::string& name,
                                                    int days) {
  if (!valid_name(name))
    return bad_setup("node name \"" + name +
                     "\": use letters, digits, '-', '_' and '.' (not \"ca\")");
  if (days < 1)
    return bad_setup("--days: expected at least 1");
  auto ca = ca_files(dir);
  auto ca_cert = read_certificate(ca.cert.string());
  auto ca_key = read_key(ca.key.string());
  if (!ca_cert || !ca_key)
    return bad_setup(ssl_error("cannot read the CA (" + ca.cert.string() + ", " + ca.key.string() +
                               "): make it first with `kis-engine cert ca --dir " + dir.string() +
                               "`"));
  pkey_ptr key{EVP_EC_gen("P-256")};
  if (!key)
    return io_error(ssl_error("cannot make a key"));
  auto cert = new_certificate(key.get(), name, days);
  std::string san = "DNS:" + name;
  if (!cert || X509_set_issuer_name(cert.get(), X509_get_subject_name(ca_cert.get())) != 1 ||
      !add_extension(cert.get(), ca_cert.get(), NID_basic_constraints, "critical,CA:FALSE") ||
      !add_extension(cert.get(), ca_cert.get(), NID_key_usage, "critical,digitalSignature") ||
      !add_extension(cert.get(), ca_cert.get(), NID_ext_key_usage, "serverAuth,clientAuth") ||
      !add_extension(cert.get(), ca_cert.get(), NID_subject_alt_name, san.c_str()) ||
      !add_extension(cert.get(), ca_cert.get(), NID_authority_key_identifier, "keyid") ||
      X509_sign(cert.get(), ca_key.get(), EVP_sha256()) == 0)
    return io_error(ssl_error("cannot make the certificate of " + name));
  return write_pair(node_files(dir, name), cert.get(), key.get());
}

std::optional<tls_problem> check_tls_files(const std::string& cert_path,
                                           const std::string& key_path,
                                           const std::string& ca_path) {
  auto cert = read_certificate(cert_path);
  if (!cert)
    return tls_problem{"cert",
                       ssl_error("cannot read a PEM certificate from \"" + cert_path + "\"")};
  struct stat st {};
  if (::stat(key_path.c_str(), &st) == 0 && (st.st_mode & (S_IRWXG | S_IRWXO)) != 0)
    return tls_problem{"key", "\"" + key_path + "\" is readable by others (chmod 600 it)"};
  auto key = read_key(key_path);
  if (!key)
    return tls_problem{"key", ssl_error("cannot read a PEM private key from \"" + key_path + "\"")};
  if (X509_check_private_key(cert.get(), key.get()) != 1)
    return tls_problem{"key",
                       ssl_error("\"" + key_path + "\" is not the key of \"" + cert_path + "\"")};
  store_ptr store{X509_STORE_new()};
  if (!store || X509_STORE_load_file(store.get(), ca_path.c_str()) != 1)
    return tls_problem{"ca", ssl_error("cannot read CA certificates from \"" + ca_path + "\"")};
  store_ctx_ptr ctx{X509_STORE_CTX_new()};
  if (!ctx || X509_STORE_CTX_init(ctx.get(), store.get(), cert.get(), nullptr) != 1)
    return tls_problem{"ca", ssl_error("cannot check the certificate")};
  if (X509_verify_cert(ctx.get()) != 1)
    return tls_problem{
        "cert", "\"" + cert_path + "\" does not verify against the CA \"" + ca_path +
                    "\": " + X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx.get()))};
  ERR_clear_error();
  return std::nullopt;
}

} // namespace kis::runtime
