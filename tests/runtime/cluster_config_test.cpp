// The cluster link's rules at start: TLS files all or none and fitting together, a core on a
// non-loopback address only with TLS, a node reaching another machine only with TLS; and the
// certificates `kis-engine cert` makes.
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <variant>

#include <gtest/gtest.h>

#include "runtime/certificates.hpp"
#include "runtime/config.hpp"

using namespace kis::runtime;
namespace fs = std::filesystem;

namespace {

class ClusterTls : public ::testing::Test {
protected:
  void SetUp() override {
    dir =
        fs::temp_directory_path() /
        ("kis-pki-" + std::string{::testing::UnitTest::GetInstance()->current_test_info()->name()});
    fs::remove_all(dir);
    ASSERT_FALSE(make_cluster_ca(dir / "pki", 30));
    ASSERT_FALSE(make_node_certificate(dir / "pki", "node1", 30));
    ASSERT_FALSE(make_cluster_ca(dir / "rogue", 30));
    ASSERT_FALSE(make_node_certificate(dir / "rogue", "node1", 30));
  }
  void TearDown() override { fs::remove_all(dir); }

  cluster_section tls(const std::string& who, const std::string& ca = "pki") const {
    cluster_section c;
    c.tls_cert = (dir / who / "node1.pem").string();
    c.tls_key = (dir / who / "node1.key").string();
    c.tls_ca = (dir / ca / "ca.pem").string();
    return c;
  }

  fs::path dir;
};

} // namespace

TEST(ClusterConfig, TlsKeysParse) {
  auto r = parse_config("[cluster]\nserve_port = 0\nbind = \"0.0.0.0\"\ntls_cert = \"a.pem\"\n"
                        "tls_key = \"a.key\"\ntls_ca = \"ca.pem\"\n");
  ASSERT_TRUE(std::holds_alternative<engine_config>(r));
  const auto& c = std::get<engine_config>(r).cluster;
  EXPECT_EQ(c.tls_cert, "a.pem");
  EXPECT_EQ(c.tls_key, "a.key");
  EXPECT_EQ(c.tls_ca, "ca.pem");
  EXPECT_TRUE(c.tls());
}

TEST(ClusterConfig, LoopbackIsTheMachineItself) {
  for (auto host : {"127.0.0.1", "127.1.2.3", "localhost", "::1"})
    EXPECT_TRUE(is_loopback_host(host)) << host;
  for (auto host : {"", "0.0.0.0", "10.0.0.1", "128.0.0.1", "core-host", "::", "127.0.0.1.nip.io"})
    EXPECT_FALSE(is_loopback_host(host)) << host;
}

TEST(ClusterConfig, CoreOffLoopbackWithoutTlsIsRefused) {
  engine_config cfg;
  cfg.cluster.serve_port = 0;
  EXPECT_FALSE(validate(cfg)); // the default bind, 127.0.0.1
  for (auto bind : {"0.0.0.0", "", "192.0.2.7"}) {
    cfg.cluster.bind = bind;
    auto e = validate(cfg);
    ASSERT_TRUE(e) << bind;
    EXPECT_EQ(e->key, "cluster.bind");
    EXPECT_NE(e->message.find("kis-engine cert"), std::string::npos) << e->message;
  }
  cfg.cluster.serve_port = -1; // not serving: the bind does not matter
  EXPECT_FALSE(validate(cfg));
}

TEST(ClusterConfig, TlsFilesGoTogether) {
  cluster_section c;
  c.tls_cert = "a.pem";
  auto e = validate_cluster(c, true);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->key, "cluster.tls_key");
  c.tls_key = "a.key";
  e = validate_cluster(c, true);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->key, "cluster.tls_ca");
}

TEST(ClusterConfig, NodeReachesAnotherMachineOnlyOverTls) {
  cluster_section c;
  EXPECT_FALSE(validate_cluster(c, false, "127.0.0.1"));
  auto e = validate_cluster(c, false, "core-host");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->key, "cluster.tls_cert");
  EXPECT_NE(e->message.find("core-host"), std::string::npos);
}

TEST_F(ClusterTls, CertificatesOfTheCaPass) {
  auto c = tls("pki");
  c.bind = "0.0.0.0";
  EXPECT_FALSE(validate_cluster(c, true));
  EXPECT_FALSE(validate_cluster(c, false, "core-host"));
  struct stat st {};
  ASSERT_EQ(::stat(c.tls_key.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(ClusterTls, CertificateOfAnotherCaIsRefused) {
  auto e = validate_cluster(tls("rogue"), true);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->key, "cluster.tls_cert");
  EXPECT_NE(e->message.find("does not verify against the CA"), std::string::npos) << e->message;
}

TEST_F(ClusterTls, KeyOfAnotherCertificateIsRefused) {
  auto c = tls("pki");
  c.tls_key = (dir / "rogue" / "node1.key").string();
  auto e = validate_cluster(c, true);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->key, "cluster.tls_key");
  EXPECT_NE(e->message.find("is not the key of"), std::string::npos) << e->message;
}

TEST_F(ClusterTls, KeyReadableByOthersIsRefused) {
  auto c = tls("pki");
  fs::permissions(c.tls_key, fs::perms::group_read | fs::perms::others_read, fs::perm_options::add);
  auto e = validate_cluster(c, true);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->key, "cluster.tls_key");
  EXPECT_NE(e->message.find("chmod 600"), std::string::npos) << e->message;
}

TEST_F(ClusterTls, MissingOrGarbledFilesAreRefused) {
  auto c = tls("pki");
  c.tls_ca = (dir / "nowhere.pem").string();
  auto e = validate_cluster(c, true);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->key, "cluster.tls_ca");
  c = tls("pki");
  std::ofstream{dir / "garbage.pem"} << "-----BEGIN CERTIFICATE-----\nnot base64\n";
  c.tls_cert = (dir / "garbage.pem").string();
  e = validate_cluster(c, true);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->key, "cluster.tls_cert");
}

TEST_F(ClusterTls, CertNeverOverwritesAndChecksTheName) {
  auto again = make_node_certificate(dir / "pki", "node1", 30);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->code, kis::errc::io);
  EXPECT_NE(again->message.find("exists"), std::string::npos) << again->message;
  EXPECT_TRUE(make_cluster_ca(dir / "pki", 30));
  auto bad_name = make_node_certificate(dir / "pki", "../escape", 30);
  ASSERT_TRUE(bad_name);
  EXPECT_EQ(bad_name->code, kis::errc::config);
  EXPECT_TRUE(make_node_certificate(dir / "pki", "ca", 30));
  auto no_ca = make_node_certificate(dir / "nowhere", "node2", 30); // no CA there
  ASSERT_TRUE(no_ca);
  EXPECT_EQ(no_ca->code, kis::errc::config);
}
