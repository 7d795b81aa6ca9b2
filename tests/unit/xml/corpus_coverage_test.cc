// The in-tree corpus reaches every element and attribute hostnet's formatter can write: each path
// below appears in the formatted output of at least one file of tests/corpus/network-xml, so the
// oracle test compares every one of them with libvirt. The list is read off network_format.cc and
// metadata.cc; a new branch there needs a line here and a corpus file that reaches it (the second
// test fails on a path the corpus reaches that the list lacks).
#include <gtest/gtest.h>
#include <tinyxml2.h>

#include <iostream>
#include <set>
#include <string>

#include "tests/unit/test_support.h"
#include "tests/unit/xml/corpus.h"
#include "xml/network_xml.h"

using namespace hostnet;

namespace {

// Elements by path from the root; attributes as path@name. Inside <metadata>, hostnet's own element
// is named hostnet:* whatever prefix a file gives it; another application's element is {other},
// with a nested element, an attribute and text anywhere in it as {other}/*, {other}@* and
// {other}#text. Namespace declarations are left out, except on <metadata> (libvirt moves them
// there), as network/metadata@xmlns:*.
const char* const kPaths[] = {
    "network", "network@ipv6", "network@trustGuestRxFilters",
    "network/name", "network/uuid", "network/title", "network/description",

    "network/metadata", "network/metadata@xmlns:*",
    "network/metadata/{other}", "network/metadata/{other}@*", "network/metadata/{other}/*",
    "network/metadata/{other}#text",
    "network/metadata/hostnet:network",
    "network/metadata/hostnet:network/hostnet:forward",
    "network/metadata/hostnet:network/hostnet:forward@proto",
    "network/metadata/hostnet:network/hostnet:forward@address",
    "network/metadata/hostnet:network/hostnet:forward@port",
    "network/metadata/hostnet:network/hostnet:forward@to",
    "network/metadata/hostnet:network/hostnet:forward@to-port",
    "network/metadata/hostnet:network/hostnet:tunnel",
    "network/metadata/hostnet:network/hostnet:tunnel@type",
    "network/metadata/hostnet:network/hostnet:tunnel@remote",
    "network/metadata/hostnet:network/hostnet:tunnel@key",
    "network/metadata/hostnet:network/hostnet:tunnel@dst-port",
    "network/metadata/hostnet:network/hostnet:backend",
    "network/metadata/hostnet:network/hostnet:backend@name",
    "network/metadata/hostnet:network/hostnet:uplink",
    "network/metadata/hostnet:network/hostnet:uplink@type",
    "network/metadata/hostnet:network/hostnet:uplink@name",
    "network/metadata/hostnet:network/hostnet:uplink@devargs",
    "network/metadata/hostnet:network/hostnet:uplink@rx-queues",
    "network/metadata/hostnet:network/hostnet:libvirt",
    "network/metadata/hostnet:network/hostnet:libvirt@register",
    "network/metadata/hostnet:network/hostnet:registration",
    "network/metadata/hostnet:network/hostnet:openflow",
    "network/metadata/hostnet:network/hostnet:openflow@fail-mode",
    "network/metadata/hostnet:network/hostnet:openflow@protocols",
    "network/metadata/hostnet:network/hostnet:openflow/hostnet:controller",
    "network/metadata/hostnet:network/hostnet:openflow/hostnet:controller@target",

    "network/forward", "network/forward@dev", "network/forward@mode", "network/forward@managed",
    "network/forward/driver", "network/forward/driver@name", "network/forward/driver@model",
    "network/forward/nat", "network/forward/nat@ipv6",
    "network/forward/nat/address", "network/forward/nat/address@start", "network/forward/nat/address@end",
    "network/forward/nat/port", "network/forward/nat/port@start", "network/forward/nat/port@end",
    "network/forward/pf", "network/forward/pf@dev",
    "network/forward/interface", "network/forward/interface@dev",
    "network/forward/address", "network/forward/address@type", "network/forward/address@domain",
    "network/forward/address@bus", "network/forward/address@slot", "network/forward/address@function",

    "network/bridge", "network/bridge@name", "network/bridge@zone", "network/bridge@stp",
    "network/bridge@delay", "network/bridge@macTableManager",
    "network/mtu", "network/mtu@size",
    "network/mac", "network/mac@address",
    "network/domain", "network/domain@name", "network/domain@localOnly",

    "network/dns", "network/dns@enable", "network/dns@forwardPlainNames",
    "network/dns/forwarder", "network/dns/forwarder@domain", "network/dns/forwarder@addr",
    "network/dns/txt", "network/dns/txt@name", "network/dns/txt@value",
    "network/dns/srv", "network/dns/srv@service", "network/dns/srv@protocol", "network/dns/srv@domain",
    "network/dns/srv@target", "network/dns/srv@port", "network/dns/srv@priority", "network/dns/srv@weight",
    "network/dns/host", "network/dns/host@ip", "network/dns/host/hostname",

    "network/vlan", "network/vlan@trunk", "network/vlan/tag", "network/vlan/tag@id", "network/vlan/tag@nativeMode",
    "network/bandwidth",
    "network/bandwidth/inbound", "network/bandwidth/inbound@average", "network/bandwidth/inbound@peak",
    "network/bandwidth/inbound@burst",
    "network/bandwidth/outbound", "network/bandwidth/outbound@average", "network/bandwidth/outbound@peak",
    "network/bandwidth/outbound@burst",
    "network/port", "network/port@isolated",

    "network/ip", "network/ip@family", "network/ip@address", "network/ip@netmask", "network/ip@prefix",
    "network/ip@localPtr",
    "network/ip/tftp", "network/ip/tftp@root",
    "network/ip/dhcp",
    "network/ip/dhcp/range", "network/ip/dhcp/range@start", "network/ip/dhcp/range@end",
    "network/ip/dhcp/range/lease", "network/ip/dhcp/range/lease@expiry", "network/ip/dhcp/range/lease@unit",
    "network/ip/dhcp/host", "network/ip/dhcp/host@mac", "network/ip/dhcp/host@id", "network/ip/dhcp/host@name",
    "network/ip/dhcp/host@ip",
    "network/ip/dhcp/host/lease", "network/ip/dhcp/host/lease@expiry", "network/ip/dhcp/host/lease@unit",
    "network/ip/dhcp/bootp", "network/ip/dhcp/bootp@file", "network/ip/dhcp/bootp@server",

    "network/route", "network/route@family", "network/route@address", "network/route@netmask",
    "network/route@prefix", "network/route@gateway", "network/route@metric",

    "network/virtualport", "network/virtualport@type",
    "network/virtualport/parameters", "network/virtualport/parameters@managerid",
    "network/virtualport/parameters@typeid", "network/virtualport/parameters@typeidversion",
    "network/virtualport/parameters@instanceid", "network/virtualport/parameters@interfaceid",
    "network/virtualport/parameters@profileid",

    "network/portgroup", "network/portgroup@name", "network/portgroup@default",
    "network/portgroup@trustGuestRxFilters",
    "network/portgroup/vlan", "network/portgroup/vlan@trunk", "network/portgroup/vlan/tag",
    "network/portgroup/vlan/tag@id", "network/portgroup/vlan/tag@nativeMode",
    "network/portgroup/virtualport", "network/portgroup/virtualport@type",
    "network/portgroup/virtualport/parameters", "network/portgroup/virtualport/parameters@managerid",
    "network/portgroup/virtualport/parameters@typeid", "network/portgroup/virtualport/parameters@typeidversion",
    "network/portgroup/virtualport/parameters@instanceid", "network/portgroup/virtualport/parameters@interfaceid",
    "network/portgroup/virtualport/parameters@profileid",
    "network/portgroup/bandwidth",
    "network/portgroup/bandwidth/inbound", "network/portgroup/bandwidth/inbound@average",
    "network/portgroup/bandwidth/inbound@peak", "network/portgroup/bandwidth/inbound@burst",
    "network/portgroup/bandwidth/outbound", "network/portgroup/bandwidth/outbound@average",
    "network/portgroup/bandwidth/outbound@peak", "network/portgroup/bandwidth/outbound@burst",
};

// Values of the attributes whose every value the model tells apart, anywhere in the document:
// */element@attribute=value.
const char* const kValues[] = {
    "*/forward@mode=nat", "*/forward@mode=route", "*/forward@mode=open", "*/forward@mode=bridge",
    "*/forward@mode=private", "*/forward@mode=vepa", "*/forward@mode=passthrough", "*/forward@mode=hostdev",
    "*/forward@managed=yes", "*/forward@managed=no",
    "*/virtualport@type=openvswitch", "*/virtualport@type=802.1Qbg", "*/virtualport@type=802.1Qbh",
    "*/virtualport@type=midonet",
    "*/bridge@stp=on", "*/bridge@stp=off",
    "*/bridge@macTableManager=kernel", "*/bridge@macTableManager=libvirt",
    "*/tag@nativeMode=tagged", "*/tag@nativeMode=untagged",
    "*/lease@unit=seconds", "*/lease@unit=minutes", "*/lease@unit=hours", "*/lease@expiry=0",
    "*/ip@family=ipv4", "*/ip@family=ipv6", "*/route@family=ipv4", "*/route@family=ipv6",
    "*/hostnet:forward@proto=tcp", "*/hostnet:forward@proto=udp",
    "*/hostnet:tunnel@type=vxlan", "*/hostnet:tunnel@type=gre", "*/hostnet:tunnel@type=geneve",
    "*/hostnet:libvirt@register=yes", "*/hostnet:libvirt@register=no",
};

// What the formatter can write that no definition reaches, so no corpus file can hold it.
const char* const kUnreachable[] = {
    // Live state, printed only by format_network(def, kFormatLive); Format.LiveStateOnlyWhenAsked
    // (validation_test.cc) covers it. libvirt's net-define ignores it.
    "network@connections", "network/forward/interface@connections",
    // The parser refuses floor on a network or portgroup (libvirt allows it on a VM's interface only).
    "network/bandwidth/inbound@floor", "network/bandwidth/outbound@floor",
    "network/portgroup/bandwidth/inbound@floor", "network/portgroup/bandwidth/outbound@floor",
};

// The element@attribute pairs whose values are recorded for kValues.
const char* const kValued[] = {"forward@mode", "forward@managed", "virtualport@type", "bridge@stp",
                               "bridge@macTableManager", "tag@nativeMode", "lease@unit", "lease@expiry",
                               "ip@family", "route@family", "hostnet:forward@proto", "hostnet:tunnel@type",
                               "hostnet:libvirt@register"};

std::string prefix_of(const std::string& name) {
  auto colon = name.find(':');
  return colon == std::string::npos ? "" : name.substr(0, colon);
}

std::string local_of(const std::string& name) {
  auto colon = name.find(':');
  return colon == std::string::npos ? name : name.substr(colon + 1);
}

bool is_declaration(const std::string& name) { return name == "xmlns" || name.rfind("xmlns:", 0) == 0; }

bool in_hostnet_namespace(const tinyxml2::XMLElement* e) {
  std::string prefix = prefix_of(e->Name());
  std::string attr = prefix.empty() ? "xmlns" : "xmlns:" + prefix;
  for (const tinyxml2::XMLNode* n = e; n && n->ToElement(); n = n->Parent())
    if (const char* uri = n->ToElement()->Attribute(attr.c_str())) return std::string(uri) == xml::kHostnetNamespace;
  return false;
}

struct Paths {
  std::set<std::string> paths, values;
};

void record_attributes(const tinyxml2::XMLElement* e, const std::string& path, const std::string& name, Paths& out) {
  for (const auto* a = e->FirstAttribute(); a; a = a->Next()) {
    if (is_declaration(a->Name())) continue;
    out.paths.insert(path + "@" + a->Name());
    std::string key = name + "@" + a->Name();
    for (const char* v : kValued)
      if (key == v) out.values.insert("*/" + key + "=" + a->Value());
  }
}

// Another application's element: its shape, not its names.
void collect_other(const tinyxml2::XMLElement* e, const std::string& path, Paths& out) {
  for (const auto* a = e->FirstAttribute(); a; a = a->Next())
    if (!is_declaration(a->Name())) out.paths.insert(path + "@*");
  for (const auto* c = e->FirstChild(); c; c = c->NextSibling()) {
    if (c->ToText()) out.paths.insert(path + "#text");
    if (const auto* child = c->ToElement()) {
      out.paths.insert(path + "/*");
      collect_other(child, path, out);
    }
  }
}

void collect(const tinyxml2::XMLElement* e, const std::string& parent, bool hostnet, Paths& out) {
  std::string name = hostnet ? "hostnet:" + local_of(e->Name()) : e->Name();
  std::string path = parent.empty() ? name : parent + "/" + name;
  out.paths.insert(path);
  record_attributes(e, path, name, out);
  if (path != "network/metadata") {
    for (const auto* c = e->FirstChildElement(); c; c = c->NextSiblingElement()) collect(c, path, hostnet, out);
    return;
  }
  for (const auto* a = e->FirstAttribute(); a; a = a->Next())
    if (is_declaration(a->Name())) out.paths.insert(path + "@xmlns:*");
  for (const auto* c = e->FirstChildElement(); c; c = c->NextSiblingElement()) {
    if (in_hostnet_namespace(c)) {
      collect(c, path, true, out);
    } else {
      out.paths.insert(path + "/{other}");
      collect_other(c, path + "/{other}", out);
    }
  }
}

// What the formatter writes for the in-tree corpus.
Paths corpus_paths() {
  Paths out;
  for (const auto& file : hostnet::testing::intree_corpus().files) {
    auto def = xml::parse_network(hostnet::testing::slurp(file.path));
    if (!def) {
      ADD_FAILURE() << file.path << ": " << def.error().message;
      continue;
    }
    tinyxml2::XMLDocument doc;
    std::string formatted = xml::format_network(*def);
    if (doc.Parse(formatted.c_str()) != tinyxml2::XML_SUCCESS || !doc.RootElement()) {
      ADD_FAILURE() << file.path << ": formatted output does not parse:\n" << formatted;
      continue;
    }
    collect(doc.RootElement(), "", false, out);
  }
  return out;
}

}  // namespace

TEST(CorpusCoverage, EveryPathTheFormatterWritesIsReached) {
  const auto& corpus = hostnet::testing::intree_corpus();
  ASSERT_EQ(corpus.problem, "");
  Paths seen = corpus_paths();
  std::string missing;
  for (const char* p : kPaths)
    if (!seen.paths.count(p)) missing += std::string("\n  ") + p;
  for (const char* v : kValues)
    if (!seen.values.count(v)) missing += std::string("\n  ") + v;
  EXPECT_EQ(missing, "") << "not reached by any file of " << corpus.path.string() << ":" << missing;
  std::cout << std::size(kPaths) << " paths and " << std::size(kValues) << " values, reached by "
            << corpus.files.size() << " files\n";
}

TEST(CorpusCoverage, TheListKnowsEveryPathTheCorpusReaches) {
  ASSERT_EQ(hostnet::testing::intree_corpus().problem, "");
  std::set<std::string> known(std::begin(kPaths), std::end(kPaths));
  for (const char* p : kUnreachable) {
    EXPECT_FALSE(known.count(p)) << p << " is listed as both reachable and unreachable";
    known.insert(p);
  }
  std::string unknown;
  auto seen = corpus_paths().paths;
  for (const auto& p : seen)
    if (!known.count(p)) unknown += "\n  " + p;
  EXPECT_EQ(unknown, "") << "the formatter writes paths kPaths lacks (add them):" << unknown;
  for (const char* p : kUnreachable) EXPECT_FALSE(seen.count(p)) << p << " is listed as unreachable, yet reached";
}
