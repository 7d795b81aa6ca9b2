// dnsmasq configuration per network, compared with golden files (HOSTNET_UPDATE_GOLDEN=1 to
// rewrite them), and the lease file parser.
#include "daemon/dhcp/dnsmasq_config.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <unistd.h>

#include "daemon/dhcp/lease_file.h"
#include "tests/unit/test_support.h"
#include "tests/unit/xml_support.h"
#include "xml/network_xml.h"

namespace fs = std::filesystem;
using namespace hostnet;

using hostnet::testing::parse_valid;

namespace {

const dhcp::DnsmasqPaths kPaths{"/run/hostnet/dnsmasq/n.pid", "/run/hostnet/dnsmasq/n.leases",
                                "/run/hostnet/dnsmasq/n.hostsfile", "/run/hostnet/dnsmasq/n.addnhosts"};

void expect_golden(const std::string& name, const dhcp::DnsmasqFiles& f) {
  hostnet::testing::expect_golden(name + ".conf",
                                  f.conf + "--- hostsfile\n" + f.hosts_file + "--- addnhosts\n" + f.addn_hosts);
}

}  // namespace

TEST(DnsmasqConfig, LibvirtsDefaultNetwork) {
  expect_golden("default", dhcp::build_dnsmasq_files(parse_valid(R"(<network><name>default</name>
    <forward mode='nat'/><bridge name='virbr0'/><ip address='192.168.122.1' netmask='255.255.255.0'>
    <dhcp><range start='192.168.122.2' end='192.168.122.254'/></dhcp></ip></network>)"), kPaths, {}));
}

TEST(DnsmasqConfig, HostsDnsRecordsDomainAndLeases) {
  expect_golden("everything", dhcp::build_dnsmasq_files(parse_valid(R"(<network><name>n</name><forward mode='nat'/>
    <bridge name='virbr3'/><domain name='lab.example' localOnly='yes'/>
    <dns forwardPlainNames='no'><forwarder domain='corp.example' addr='10.0.0.53'/><forwarder addr='9.9.9.9'/>
      <host ip='192.168.3.50'><hostname>db</hostname><hostname>db.lab.example</hostname></host>
      <srv service='ldap' protocol='tcp' domain='lab.example' target='dc1' port='389' priority='1' weight='5'/>
      <txt name='info' value='hello world'/></dns>
    <ip address='192.168.3.1' prefix='24'><dhcp>
      <range start='192.168.3.100' end='192.168.3.199'><lease expiry='2' unit='hours'/></range>
      <host mac='52:54:00:00:00:10' name='web' ip='192.168.3.10'/>
      <host mac='52:54:00:00:00:11' ip='192.168.3.11'><lease expiry='0'/></host>
      <bootp file='pxelinux.0' server='192.168.3.2'/></dhcp></ip>
    <ip family='ipv6' address='fd00:3::1' prefix='64'><dhcp>
      <range start='fd00:3::100' end='fd00:3::1ff'/>
      <host id='0:3:0:1:0:16:3e:11:22:33' name='six' ip='fd00:3::10'/></dhcp></ip></network>)"),
                                                          kPaths, {true}));
}

TEST(DnsmasqConfig, DnsOffMeansPortZero) {
  auto f = dhcp::build_dnsmasq_files(parse_valid(R"(<network><name>n</name><bridge name='b'/><dns enable='no'/>
    <ip address='10.0.0.1' prefix='24'><dhcp><range start='10.0.0.2' end='10.0.0.9'/></dhcp></ip></network>)"),
                                     kPaths, {});
  EXPECT_NE(f.conf.find("port=0\n"), std::string::npos);
}

TEST(DhcpService, WhoNeedsADnsmasq) {
  EXPECT_TRUE(DhcpService::wanted(parse_valid("<network><name>n</name><ip address='10.0.0.1' prefix='24'/></network>")))
      << "DNS is on by default";
  EXPECT_FALSE(DhcpService::wanted(parse_valid("<network><name>n</name><dns enable='no'/>"
                                         "<ip address='10.0.0.1' prefix='24'/></network>")));
  EXPECT_FALSE(DhcpService::wanted(parse_valid("<network><name>n</name></network>"))) << "no address, nothing to serve";
  EXPECT_FALSE(DhcpService::wanted(parse_valid("<network><name>n</name><forward mode='bridge'/><bridge name='br0'/>"
                                         "</network>")));
}

TEST(LeaseFile, Ipv4AndIpv6Lines) {
  auto def = parse_valid(R"(<network><name>n</name><ip address='192.168.122.1' prefix='24'/>
    <ip family='ipv6' address='fd00::1' prefix='64'/></network>)");
  auto leases = dhcp::parse_leases(
      "1764030000 52:54:00:aa:bb:01 192.168.122.150 vm1 01:52:54:00:aa:bb:01\n"
      "0 52:54:00:00:00:10 192.168.122.10 * *\n"
      "garbage\n"
      "duid 00:01:00:01:2c:aa:bb:cc:52:54:00:00:00:01\n"
      "1764030001 1234 fd00::150 six 00:03:00:01:52:54:00:00:00:20\n",
      def);
  ASSERT_EQ(leases.size(), 3u);
  EXPECT_EQ(leases[0].expiry, 1764030000);
  EXPECT_EQ(leases[0].mac, "52:54:00:aa:bb:01");
  EXPECT_EQ(leases[0].ip, "192.168.122.150");
  EXPECT_EQ(leases[0].prefix, 24u);
  EXPECT_EQ(leases[0].hostname, "vm1");
  EXPECT_EQ(leases[1].expiry, 0) << "infinite";
  EXPECT_EQ(leases[1].hostname, "");
  EXPECT_EQ(leases[2].protocol, "ipv6");
  EXPECT_EQ(leases[2].mac, "");
  EXPECT_EQ(leases[2].prefix, 64u);
  EXPECT_EQ(leases[2].client_id, "00:03:00:01:52:54:00:00:00:20");
}

TEST(LeaseFile, SeedsGoBeforeTheIpv6PartAndNeverOverAnAddressLeasedHere) {
  auto def = parse_valid("<network><name>n</name><ip address='192.168.122.1' prefix='24'/></network>");
  std::string file =
      "1764030000 52:54:00:aa:bb:01 192.168.122.150 vm1 *\n"
      "duid 00:01:00:01:2c:aa:bb:cc:52:54:00:00:00:01\n";
  std::vector<DhcpLease> seeds = {
      {1764039999, "52:54:00:ff:00:01", "ipv4", "192.168.122.150", 24, "other", ""},  // leased here already
      {1764031111, "52:54:00:aa:bb:02", "ipv4", "192.168.122.151", 24, "", "01:52:54:00:aa:bb:02"},
      {1764032222, "52:54:00:aa:bb:03", "ipv4", "192.168.122.151", 24, "dup", ""},  // the seed before has it
      {1764033333, "", "ipv6", "fd00::5", 64, "six", "00:03"},                       // IPv4 only
  };
  EXPECT_EQ(dhcp::merge_leases(file, dhcp::parse_leases(file, def), seeds),
            "1764030000 52:54:00:aa:bb:01 192.168.122.150 vm1 *\n"
            "1764031111 52:54:00:aa:bb:02 192.168.122.151 * 01:52:54:00:aa:bb:02\n"
            "duid 00:01:00:01:2c:aa:bb:cc:52:54:00:00:00:01\n");
  EXPECT_EQ(dhcp::merge_leases("", {}, {seeds[1]}), "1764031111 52:54:00:aa:bb:02 192.168.122.151 * 01:52:54:00:aa:bb:02\n");
}

TEST(DnsmasqConfig, DnsmasqItselfAcceptsEveryGoldenConfig) {
  ASSERT_EQ(std::system("test -x /usr/sbin/dnsmasq"), 0) << "dnsmasq (dnsmasq-base) is needed for this check";
  size_t n = 0;
  for (const auto& path : hostnet::testing::files_in_env_dir("HOSTNET_GOLDEN_DIR")) {
    std::ifstream in(path);
    std::string line, conf;
    while (std::getline(in, line) && line != "--- hostsfile") conf += line + "\n";
    fs::path tmp = fs::temp_directory_path() / ("hostnet-dnsmasq-test-" + std::to_string(::getpid()) + ".conf");
    std::ofstream(tmp) << conf;
    std::string cmd = "/usr/sbin/dnsmasq --test --conf-file=" + tmp.string() + " >/dev/null 2>&1";
    EXPECT_EQ(std::system(cmd.c_str()), 0) << path << " is not a valid dnsmasq configuration";
    fs::remove(tmp);
    ++n;
  }
  EXPECT_GE(n, 2u);
}
