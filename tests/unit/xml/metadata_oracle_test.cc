// libvirt's ways with <metadata>, each against libvirt itself: what libxml2's copy and serializer
// and virXMLNodeSanitizeNamespaces make of other applications' elements (xml/metadata.cc), and
// where hostnet's own element lands. Too fiddly to be a scenario of the corpus each, too easy to
// get wrong to leave out.
#include <gtest/gtest.h>

#include "tests/unit/xml/virsh.h"
#include "xml/network_xml.h"

using namespace hostnet;

namespace {

struct Case {
  const char* what;
  const char* metadata;  // the <metadata> element; the network around it is the same for all
  const char* network_attributes = "";
};

const Case kCases[] = {
    {"declared_on_network", "<metadata><ops:a k='v'>t</ops:a></metadata>", " xmlns:ops='urn:example:ops'"},
    {"declared_on_metadata", "<metadata xmlns:p='urn:p' xmlns:q='urn:q'><q:a/><p:b/></metadata>"},
    {"attribute_namespace_from_network",
     "<metadata xmlns:c='urn:c'><a:x xmlns:a='urn:a' b:z='1'><b:y/></a:x></metadata>", " xmlns:b='urn:b'"},
    {"nested_namespace_from_network", "<metadata><a:x xmlns:a='urn:a'><r:y/><r:z/></a:x><r:w/></metadata>",
     " xmlns:r='urn:r'"},
    {"no_namespace_dropped", "<metadata><plain>t</plain><z:unbound/><a:x xmlns:a='urn:a'/></metadata>"},
    {"repeated_namespace_dropped", "<metadata xmlns:p='urn:p'><p:a/><x:b xmlns:x='urn:p'/><p:c/></metadata>"},
    {"nothing_kept", "<metadata><plain/></metadata>"},
    {"empty", "<metadata/>"},
    {"default_namespace", "<metadata><a xmlns='urn:d'><b>t</b></a></metadata>"},
    {"declarations_before_attributes", "<metadata><a:x k='v' xmlns:a='urn:a' xmlns:b='urn:b' b:z='1'/></metadata>"},
    {"escapes",
     "<metadata><a:x xmlns:a='urn:a' k='1 &gt; 0 &amp; &lt; &quot; &apos; x&#10;y&#9;z&#13;'>a &gt; b &amp; c "
     "&quot; &apos; d&#13;e</a:x></metadata>"},
    {"non_ascii", "<metadata><a:x xmlns:a='urn:a' k='caf\xc3\xa9 \xe2\x82\xac'>\xc3\xbc\xe2\x82\xac</a:x></metadata>"},
    {"xml_lang", "<metadata><a:x xmlns:a='urn:a' xml:lang='en'>t</a:x></metadata>"},
    {"mixed_content", "<metadata><a:x xmlns:a='urn:a'>text<a:y k='1'>in</a:y>tail<a:z/></a:x></metadata>"},
    {"cdata", "<metadata><a:x xmlns:a='urn:a'><![CDATA[<raw> & ]]></a:x></metadata>"},
    {"comment", "<metadata><!-- gone --><a:x xmlns:a='urn:a'><!-- kept --><a:y/></a:x></metadata>"},
    {"deep", "<metadata><a:x xmlns:a='urn:a'><a:d1><a:d2 k='v'><a:d3/></a:d2></a:d1></a:x></metadata>"},
    {"hostnet_between_others",
     "<metadata><o:x xmlns:o='urn:o'/><h:network><h:forward proto='tcp' port='8080' to='10.0.0.2'/></h:network>"
     "<p:y xmlns:p='urn:p'/></metadata>",
     " xmlns:h='https://hostnet.dev/xmlns/network/1.0'"},
    {"hostnet_default_namespace",
     "<metadata><network xmlns='https://hostnet.dev/xmlns/network/1.0'><tunnel type='gre' remote='192.0.2.9' "
     "key='5'/></network></metadata>"},
    {"hostnet_declared_on_metadata",
     "<metadata xmlns:hostnet='https://hostnet.dev/xmlns/network/1.0'><hostnet:network><hostnet:tunnel type='vxlan' "
     "remote='192.0.2.4' key='44'/></hostnet:network><o:x xmlns:o='urn:o'/></metadata>"},
};

std::string network(const Case& c) {
  return std::string("<network") + c.network_attributes + ">\n  <name>m</name>\n  " + c.metadata +
         "\n  <forward mode='nat'/>\n  <ip address='10.0.0.1' prefix='24'/>\n</network>\n";
}

class MetadataOracle : public ::testing::TestWithParam<Case> {};

}  // namespace

TEST_P(MetadataOracle, FormatsAsLibvirtDoes) {
  std::string input = network(GetParam());
  auto def = xml::parse_network(input);
  ASSERT_TRUE(def) << def.error().message << "\n" << input;
  std::string theirs = hostnet::testing::virsh_dumpxml_text(input, "m");
  ASSERT_NE(theirs.find("<network"), std::string::npos) << "virsh failed on\n" << input << theirs;
  std::string ours = xml::format_network(*def);
  EXPECT_EQ(hostnet::testing::without_generated(ours, input), hostnet::testing::without_generated(theirs, input)) << input;
  auto again = xml::parse_network(ours);
  ASSERT_TRUE(again) << again.error().message << "\n" << ours;
  EXPECT_EQ(xml::format_network(*again), ours) << "not a fixed point";
}

INSTANTIATE_TEST_SUITE_P(Xml, MetadataOracle, ::testing::ValuesIn(kCases),
                         [](const auto& info) { return std::string(info.param.what); });
