// The core's behaviour with the fake backend plugin (loaded through the real plugin loader), no
// root and no D-Bus needed.
#include "daemon/manager.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

namespace fs = std::filesystem;
using namespace hostnet;

namespace {

// Records what the Manager asks of the firewall; can be told to refuse.
class FakeFilter : public PacketFilter {
 public:
  Result<void> add_network(const xml::NetworkDef& def, const xml::NetworkDef* = nullptr) override {
    if (refuse) return fail(Errc::Failed, "nftables refused the change (fake)");
    networks.insert(def.name);
    return {};
  }
  Result<void> remove_network(const xml::NetworkDef& def) override {
    networks.erase(def.name);
    return {};
  }
  Result<void> change_port_forwards(const std::vector<xml::PortForward>& added,
                                    const std::vector<xml::PortForward>& removed) override {
    if (refuse) return fail(Errc::Failed, "nftables refused the change (fake)");
    forwards += static_cast<int>(added.size()) - static_cast<int>(removed.size());
    return {};
  }
  Result<void> enable_forwarding(bool ipv4, bool ipv6) override {
    forwarding_v4 = forwarding_v4 || ipv4;
    forwarding_v6 = forwarding_v6 || ipv6;
    return {};
  }
  std::set<std::string> networks;
  bool forwarding_v4 = false, forwarding_v6 = false, refuse = false;
  int forwards = 0;
};

// Records which networks would have a DHCP/DNS server.
class FakeDhcp : public DhcpService {
 public:
  Result<void> start(const xml::NetworkDef& def) override {
    running.insert(def.name);
    return {};
  }
  void stop(const std::string& network) override { running.erase(network); }
  Result<std::vector<DhcpLease>> leases(const xml::NetworkDef&) override { return std::vector<DhcpLease>(); }
  Result<void> reload(const xml::NetworkDef&) override {
    ++reloads;
    return {};
  }
  Result<void> seed_leases(const xml::NetworkDef& def, const std::vector<DhcpLease>& leases) override {
    seeded[def.name] = leases;
    return {};
  }
  std::map<std::string, std::vector<DhcpLease>> seeded;
  int reloads = 0;
  std::set<std::string> running;
};

const char* kIsolated = R"(<network>
  <name>iso</name>
  <ip address='10.10.0.1' netmask='255.255.255.0'/>
</network>)";

class ManagerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/hostnet-manager-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    const char* plugins = std::getenv("HOSTNET_PLUGIN_DIR");
    ASSERT_NE(plugins, nullptr) << "HOSTNET_PLUGIN_DIR must point at the built plugins";
    load(plugins, {});
  }
  void TearDown() override {
    manager_.reset();
    registry_.reset();
    store_.reset();
    fs::remove_all(dir_);
  }

  void load(const std::string& plugins, std::vector<std::pair<std::string, std::string>> options) {
    manager_.reset();
    registry_ = std::make_unique<BackendRegistry>();
    registry_->load_plugins(plugins, PluginContext{dir_ / "run", std::move(options), nullptr, {}});
    ASSERT_TRUE(registry_->get("fake")) << "the fake plugin was not found under " << plugins;
    restart();
  }
  // A new Manager over the same store and backends: what a daemon restart looks like.
  void restart() {
    manager_.reset();
    store_ = std::make_unique<NetworkStore>(dir_ / "etc", dir_ / "run");
    ASSERT_TRUE(store_->prepare());
    manager_ = std::make_unique<Manager>(*store_, *registry_, filter_, dhcp_, ManagerOptions{"fake", "hnbr%d", false});
    manager_->reconcile();
  }
  SwitchBackend& backend() { return **registry_->get("fake"); }
  std::vector<SwitchState> switches() { return *backend().list_switches(); }
  bool definition_file(const std::string& name) { return fs::exists(dir_ / "etc/networks" / (name + ".xml")); }
  bool status_file(const std::string& name) { return fs::exists(dir_ / "run/networks" / (name + ".xml")); }
  std::string with_name(std::string xml, const std::string& name, const std::string& ip) {
    xml.replace(xml.find("iso"), 3, name);
    xml.replace(xml.find("10.10.0.1"), 9, ip);
    return xml;
  }

  fs::path dir_;
  FakeFilter filter_;
  FakeDhcp dhcp_;
  std::unique_ptr<BackendRegistry> registry_;
  std::unique_ptr<NetworkStore> store_;
  std::unique_ptr<Manager> manager_;
};

}  // namespace

TEST_F(ManagerTest, DefineStoresTheDefinitionWithIdentityFilledIn) {
  auto n = manager_->define(kIsolated);
  ASSERT_TRUE(n) << n.error().message;
  EXPECT_TRUE(definition_file("iso"));
  EXPECT_FALSE((*n)->active());
  EXPECT_TRUE((*n)->persistent->uuid.has_value());
  EXPECT_TRUE((*n)->persistent->mac.has_value());
  EXPECT_EQ((*n)->persistent->bridge.name, "hnbr0");
  auto second = manager_->define(with_name(kIsolated, "two", "10.11.0.1"));
  ASSERT_TRUE(second);
  EXPECT_EQ((*second)->persistent->bridge.name, "hnbr1");
}

TEST_F(ManagerTest, RedefineKeepsUuidMacAndBridge) {
  auto first = manager_->define(kIsolated);
  ASSERT_TRUE(first);
  auto uuid = (*first)->persistent->uuid->str();
  auto mac = *(*first)->persistent->mac;
  auto again = manager_->define(kIsolated);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ((*again)->persistent->uuid->str(), uuid);
  EXPECT_EQ(*(*again)->persistent->mac, mac);
  EXPECT_EQ((*again)->persistent->bridge.name, "hnbr0");
}

TEST_F(ManagerTest, DuplicatesAreConflictsAndChangeNothing) {
  ASSERT_TRUE(manager_->define(R"(<network><name>a</name><uuid>11111111-2222-3333-4444-555555555555</uuid>
      <bridge name='br-a'/></network>)"));
  auto same_name = manager_->define(R"(<network><name>a</name><uuid>11111111-2222-3333-4444-666666666666</uuid>
      </network>)");
  ASSERT_FALSE(same_name);
  EXPECT_EQ(same_name.error().code, Errc::Conflict);
  auto same_uuid = manager_->define(R"(<network><name>b</name><uuid>11111111-2222-3333-4444-555555555555</uuid>
      </network>)");
  ASSERT_FALSE(same_uuid);
  EXPECT_EQ(same_uuid.error().code, Errc::Conflict);
  auto same_bridge = manager_->define(R"(<network><name>c</name><bridge name='br-a'/></network>)");
  ASSERT_FALSE(same_bridge);
  EXPECT_EQ(same_bridge.error().code, Errc::Conflict);
  EXPECT_NE(same_bridge.error().message.find("br-a"), std::string::npos);
  EXPECT_FALSE(definition_file("b"));
  EXPECT_FALSE(definition_file("c"));
  EXPECT_EQ(manager_->list().size(), 1u);
}

TEST_F(ManagerTest, StartAndStopMakeAndRemoveTheSwitch) {
  ASSERT_TRUE(manager_->define(kIsolated));
  ASSERT_TRUE(manager_->start("iso"));
  EXPECT_TRUE(status_file("iso"));
  ASSERT_EQ(switches().size(), 1u);
  EXPECT_EQ(switches()[0].name, "hnbr0");
  EXPECT_EQ(switches()[0].owner_tag, "hostnet:iso");
  auto twice = manager_->start("iso");
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().code, Errc::Conflict);
  ASSERT_TRUE(manager_->stop("iso"));
  EXPECT_FALSE(status_file("iso"));
  EXPECT_TRUE(switches().empty());
  EXPECT_TRUE(definition_file("iso"));
}

TEST_F(ManagerTest, ModesNotYetImplementedAreUnsupportedAndMakeNothing) {
  ASSERT_TRUE(manager_->define(R"(<network><name>n</name><forward mode='private' dev='eth9'/></network>)"));
  auto r = manager_->start("n");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::Unsupported);
  EXPECT_NE(r.error().message.find("private"), std::string::npos);
  EXPECT_TRUE(switches().empty());
  EXPECT_TRUE(filter_.networks.empty());
  EXPECT_FALSE(status_file("n"));
}

TEST_F(ManagerTest, NatNetworkGetsRulesAndForwarding) {
  ASSERT_TRUE(manager_->define(R"(<network><name>n</name><forward mode='nat'/>
      <ip address='10.20.0.1' prefix='24'/></network>)"));
  ASSERT_TRUE(manager_->start("n"));
  EXPECT_EQ(filter_.networks, std::set<std::string>{"n"});
  EXPECT_TRUE(filter_.forwarding_v4);
  EXPECT_FALSE(filter_.forwarding_v6);
  EXPECT_EQ(dhcp_.running, std::set<std::string>{"n"}) << "DNS is on by default, as in libvirt";
  ASSERT_TRUE(manager_->stop("n"));
  EXPECT_TRUE(dhcp_.running.empty());
  EXPECT_TRUE(filter_.networks.empty());
  EXPECT_TRUE(switches().empty());
}

TEST_F(ManagerTest, IsolatedNetworkGetsRulesButNoForwarding) {
  ASSERT_TRUE(manager_->define(kIsolated));
  ASSERT_TRUE(manager_->start("iso"));
  EXPECT_EQ(filter_.networks, std::set<std::string>{"iso"});
  EXPECT_FALSE(filter_.forwarding_v4);
}

TEST_F(ManagerTest, RefusedFirewallRulesRollTheBridgeBack) {
  ASSERT_TRUE(manager_->define(R"(<network><name>n</name><forward mode='route'/>
      <ip address='10.20.0.1' prefix='24'/></network>)"));
  filter_.refuse = true;
  auto r = manager_->start("n");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("nftables"), std::string::npos);
  EXPECT_TRUE(switches().empty());
  EXPECT_FALSE(status_file("n"));
}

TEST_F(ManagerTest, OverlappingSubnetOfAnActiveNetworkIsRefused) {
  ASSERT_TRUE(manager_->define(kIsolated));
  ASSERT_TRUE(manager_->define(with_name(kIsolated, "other", "10.10.0.77")));
  ASSERT_TRUE(manager_->start("iso"));
  auto r = manager_->start("other");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::Conflict);
  EXPECT_EQ(switches().size(), 1u);
}

TEST_F(ManagerTest, TransientNetworksAreNeverStoredAndVanishWhenStopped) {
  auto n = manager_->create(kIsolated);
  ASSERT_TRUE(n) << n.error().message;
  EXPECT_TRUE((*n)->active());
  EXPECT_FALSE((*n)->is_persistent());
  EXPECT_FALSE(definition_file("iso"));
  EXPECT_FALSE(manager_->set_autostart("iso", true));
  ASSERT_TRUE(manager_->stop("iso"));
  EXPECT_FALSE(manager_->lookup("iso"));
  EXPECT_TRUE(switches().empty());
}

TEST_F(ManagerTest, UndefiningAnActiveNetworkLeavesItRunningAsTransient) {
  ASSERT_TRUE(manager_->define(kIsolated));
  ASSERT_TRUE(manager_->start("iso"));
  ASSERT_TRUE(manager_->undefine("iso"));
  EXPECT_FALSE(definition_file("iso"));
  auto n = manager_->lookup("iso");
  ASSERT_TRUE(n);
  EXPECT_TRUE((*n)->active());
  ASSERT_TRUE(manager_->stop("iso"));
  EXPECT_FALSE(manager_->lookup("iso"));
}

TEST_F(ManagerTest, RestartAdoptsActiveNetworksAndStartsAutostartOnes) {
  ASSERT_TRUE(manager_->define(kIsolated));
  ASSERT_TRUE(manager_->define(with_name(kIsolated, "auto", "10.12.0.1")));
  ASSERT_TRUE(manager_->start("iso"));
  ASSERT_TRUE(manager_->set_autostart("auto", true));
  int ifindex = switches()[0].ifindex;

  restart();
  auto iso = manager_->lookup("iso");
  ASSERT_TRUE(iso);
  EXPECT_TRUE((*iso)->active());
  auto au = manager_->lookup("auto");
  ASSERT_TRUE(au);
  EXPECT_TRUE((*au)->active());
  EXPECT_TRUE((*au)->autostart);
  for (const auto& sw : switches())
    if (sw.name == "hnbr0") {
      EXPECT_EQ(sw.ifindex, ifindex) << "the running bridge was recreated";
    }
  EXPECT_EQ(switches().size(), 2u);
}

TEST_F(ManagerTest, RestartRemovesSwitchesOfNetworksNoLongerActive) {
  SwitchSpec ghost;
  ghost.name = "ghostbr";
  ghost.owner_tag = "hostnet:ghost";
  ASSERT_TRUE(backend().ensure_switch(ghost));
  restart();
  EXPECT_TRUE(switches().empty());
}

TEST_F(ManagerTest, FailureAfterTheSwitchWasMadeRollsItBack) {
  ASSERT_TRUE(manager_->define(kIsolated));
  // A directory where the status record must go makes the last step of start fail.
  fs::create_directories(dir_ / "run/networks/iso.xml/blocker");
  auto r = manager_->start("iso");
  ASSERT_FALSE(r);
  EXPECT_TRUE(switches().empty()) << "start failed but left its switch behind";
  EXPECT_TRUE(filter_.networks.empty()) << "start failed but left its firewall rules behind";
  EXPECT_TRUE(dhcp_.running.empty()) << "start failed but left its DHCP server behind";
  auto n = manager_->lookup("iso");
  ASSERT_TRUE(n);
  EXPECT_FALSE((*n)->active());
}

TEST_F(ManagerTest, BackendFailureIsReportedAndLeavesNothing) {
  const char* plugins = std::getenv("HOSTNET_PLUGIN_DIR");
  ASSERT_NE(plugins, nullptr) << "HOSTNET_PLUGIN_DIR must point at the built plugins";
  load(plugins, {{"fake-fail", "ensure_switch"}});
  ASSERT_TRUE(manager_->define(kIsolated));
  auto r = manager_->start("iso");
  ASSERT_FALSE(r);
  EXPECT_TRUE(switches().empty());
  EXPECT_FALSE(status_file("iso"));
}

TEST_F(ManagerTest, LookupByUuid) {
  auto n = manager_->define(kIsolated);
  ASSERT_TRUE(n);
  auto by_uuid = manager_->lookup((*n)->persistent->uuid->str());
  ASSERT_TRUE(by_uuid);
  EXPECT_EQ((*by_uuid)->name, "iso");
  EXPECT_EQ(manager_->lookup("nope").error().code, Errc::NotFound);
}

TEST_F(ManagerTest, PortForwardsAreAppliedStoredAndValidated) {
  ASSERT_TRUE(manager_->define(R"(<network><name>n</name><forward mode='nat'/>
      <ip address='10.20.0.1' prefix='24'/></network>)"));
  ASSERT_TRUE(manager_->start("n"));
  xml::PortForward fwd{"tcp", "", 8080, 8080, "10.20.0.10", 80};
  ASSERT_TRUE(manager_->add_port_forward("n", fwd));
  EXPECT_EQ(filter_.forwards, 1);
  auto again = manager_->add_port_forward("n", fwd);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, Errc::Conflict);
  xml::PortForward outside{"tcp", "", 8081, 8081, "10.99.0.10", 80};
  EXPECT_EQ(manager_->add_port_forward("n", outside).error().code, Errc::InvalidArgument);
  EXPECT_EQ(filter_.forwards, 1);

  restart();
  auto n = manager_->lookup("n");
  ASSERT_TRUE(n);
  ASSERT_EQ((*n)->persistent->port_forwards.size(), 1u) << "the forward was not stored";
  ASSERT_TRUE(manager_->remove_port_forward("n", fwd));
  EXPECT_EQ(manager_->remove_port_forward("n", fwd).error().code, Errc::NotFound);
}

TEST_F(ManagerTest, RefusedForwardChangesNothing) {
  ASSERT_TRUE(manager_->define(R"(<network><name>n</name><forward mode='nat'/>
      <ip address='10.20.0.1' prefix='24'/></network>)"));
  ASSERT_TRUE(manager_->start("n"));
  filter_.refuse = true;
  ASSERT_FALSE(manager_->add_port_forward("n", xml::PortForward{"tcp", "", 8080, 8080, "10.20.0.10", 80}));
  EXPECT_TRUE((*manager_->lookup("n"))->live->port_forwards.empty());
  EXPECT_TRUE((*manager_->lookup("n"))->persistent->port_forwards.empty());
}
