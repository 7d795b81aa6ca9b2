// Every network definition formats exactly as libvirt's own net-dumpxml prints it. The oracle is
// libvirt itself (virsh with its in-process test driver), run at test time, never a stored copy.
// The definitions are the in-tree corpus, plus an extra corpus when there is one (corpus.h).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "tests/unit/test_support.h"
#include "tests/unit/xml/corpus.h"
#include "tests/unit/xml/virsh.h"
#include "xml/network_xml.h"

namespace fs = std::filesystem;
using namespace hostnet;
using hostnet::testing::CorpusFile;

namespace {

using hostnet::testing::slurp;
using hostnet::testing::virsh_dumpxml;
using hostnet::testing::virsh_dumpxml_text;
using hostnet::testing::without_generated;

// What hostnet formats as newer libvirt does, and an older libvirt ignores at define time (so its
// net-dumpxml lacks it). Where the libvirt at hand is seen to drop one, the comparison drops it
// from hostnet's side too and compares the rest; where libvirt keeps it, it is compared in full.
// Probed rather than version-numbered, so nothing hinges on knowing the exact release. hostnet's
// full output for these is pinned by the Format tests in validation_test.cc.
struct Allowance {
  const char* what;
  const char* since;  // the libvirt release that keeps it
  const char* probe;  // a definition with it, named "hostnet-probe"
  const char* kept;   // in net-dumpxml's output iff libvirt keeps it
  void (*drop)(xml::NetworkDef&);
};

const Allowance kAllowances[] = {
    {"<title> and <description>", "9.7.0",
     "<network><name>hostnet-probe</name><title>probe</title><description>probe</description></network>",
     "<title>probe</title>",
     [](xml::NetworkDef& d) {
       d.title.clear();
       d.description.clear();
     }},
    {"<forward><driver model=...>", "10.0.0",
     "<network><name>hostnet-probe</name><forward mode='hostdev'><driver name='vfio' model='vfio-pci'/>"
     "<address type='pci' domain='0' bus='1' slot='0' function='0'/></forward></network>",
     "model='vfio-pci'", [](xml::NetworkDef& d) { d.forward.driver_model.clear(); }},
};

struct Probed {
  const Allowance* allowance;
  bool dropped;
  std::string failure;  // the probe itself went wrong
};

const std::vector<Probed>& probed_allowances() {
  static const std::vector<Probed> probed = [] {
    std::vector<Probed> out;
    for (const auto& a : kAllowances) {
      std::string dump = virsh_dumpxml_text(a.probe, "hostnet-probe");
      if (dump.find("<network") == std::string::npos)
        out.push_back({&a, false, std::string("virsh refused the probe for ") + a.what + ":\n" + dump});
      else
        out.push_back({&a, dump.find(a.kept) == std::string::npos, ""});
    }
    return out;
  }();
  return probed;
}

class OracleTest : public ::testing::TestWithParam<CorpusFile> {};

}  // namespace

// An empty list (no extra corpus) instantiates nothing; that is no error here. A missing in-tree
// corpus is, and Corpus.InTree says so by name.
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(OracleTest);

TEST(Oracle, VirshIsInstalled) {
  ASSERT_EQ(std::system("virsh --version >/dev/null 2>&1"), 0)
      << "virsh (libvirt-clients) is the oracle of these tests and must be installed";
}

TEST(Oracle, AllowancesForThisLibvirt) {
  for (const auto& p : probed_allowances()) {
    EXPECT_EQ(p.failure, "");
    if (p.dropped)
      std::cout << "this libvirt drops " << p.allowance->what << " (kept since libvirt " << p.allowance->since
                << "): compared without it\n";
  }
}

TEST(Corpus, InTree) {
  const auto& c = hostnet::testing::intree_corpus();
  ASSERT_EQ(c.problem, "");
  std::cout << c.note << "\n";
}

TEST(Corpus, Extra) {
  const auto& c = hostnet::testing::extra_corpus();
  ASSERT_EQ(c.problem, "");
  std::cout << c.note << "\n";
}

TEST_P(OracleTest, FormatsAsLibvirtDoes) {
  const fs::path& file = GetParam().path;
  std::string input = slurp(file);
  auto def = xml::parse_network(input);
  ASSERT_TRUE(def) << file << ": " << def.error().message;
  std::string theirs = virsh_dumpxml(file, def->name);
  ASSERT_NE(theirs.find("<network"), std::string::npos) << "virsh failed on " << file << ":\n" << theirs;
  xml::NetworkDef as_this_libvirt = *def;
  std::string ours = xml::format_network(as_this_libvirt);
  for (const auto& p : probed_allowances()) {
    if (!p.dropped) continue;
    p.allowance->drop(as_this_libvirt);
    std::string without = xml::format_network(as_this_libvirt);
    if (without != ours)
      std::cout << file.filename().string() << ": compared without " << p.allowance->what
                << ", which this libvirt drops\n";
    ours = without;
  }
  EXPECT_EQ(without_generated(ours, input), without_generated(theirs, input)) << file;
}

TEST_P(OracleTest, FormatIsAFixedPoint) {
  auto def = xml::parse_network(slurp(GetParam().path));
  ASSERT_TRUE(def) << def.error().message;
  std::string once = xml::format_network(*def);
  auto again = xml::parse_network(once);
  ASSERT_TRUE(again) << again.error().message << "\n" << once;
  EXPECT_EQ(xml::format_network(*again), once);
}

INSTANTIATE_TEST_SUITE_P(InTree, OracleTest, ::testing::ValuesIn(hostnet::testing::intree_corpus().files),
                         [](const auto& info) { return info.param.test_name; });
INSTANTIATE_TEST_SUITE_P(Extra, OracleTest, ::testing::ValuesIn(hostnet::testing::extra_corpus().files),
                         [](const auto& info) { return info.param.test_name; });
