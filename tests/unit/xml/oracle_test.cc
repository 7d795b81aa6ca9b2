// Every network definition formats exactly as libvirt's own net-dumpxml prints it. The oracle is
// libvirt itself (virsh with its in-process test driver), run at test time, never a stored copy.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "tests/unit/test_support.h"
#include "xml/network_xml.h"

namespace fs = std::filesystem;
using namespace hostnet;

namespace {

using hostnet::testing::slurp;

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string virsh_dumpxml(const fs::path& file, const std::string& name) {
  std::string pre = name == "default" ? "net-destroy default; net-undefine default; " : "";
  std::string cmd = "virsh -q -c test:///default " +
                    shell_quote(pre + "net-define " + file.string() + "; net-dumpxml " + name) + " 2>&1";
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return out;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  ::pclose(p);
  return out;
}

// A uuid or MAC one side generated (absent from the input) cannot match; blank them on both.
std::string without_generated(std::string xml, const std::string& input) {
  if (input.find("<uuid>") == std::string::npos) xml = std::regex_replace(xml, std::regex("  <uuid>[^<]*</uuid>\n"), "");
  if (input.find("<mac ") == std::string::npos) xml = std::regex_replace(xml, std::regex("  <mac address='[^']*'/>\n"), "");
  return xml;
}

std::vector<fs::path> xml_files(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".xml") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

class OracleTest : public ::testing::TestWithParam<fs::path> {};

}  // namespace

TEST(Oracle, VirshIsInstalled) {
  ASSERT_EQ(std::system("virsh --version >/dev/null 2>&1"), 0)
      << "virsh (libvirt-clients) is the oracle of these tests and must be installed";
}

TEST_P(OracleTest, FormatsAsLibvirtDoes) {
  const fs::path& file = GetParam();
  std::string input = slurp(file);
  auto def = xml::parse_network(input);
  ASSERT_TRUE(def) << file << ": " << def.error().message;
  std::string ours = xml::format_network(*def);
  std::string theirs = virsh_dumpxml(file, def->name);
  ASSERT_NE(theirs.find("<network"), std::string::npos) << "virsh failed on " << file << ":\n" << theirs;
  EXPECT_EQ(without_generated(ours, input), without_generated(theirs, input)) << file;
}

TEST_P(OracleTest, FormatIsAFixedPoint) {
  auto def = xml::parse_network(slurp(GetParam()));
  ASSERT_TRUE(def) << def.error().message;
  std::string once = xml::format_network(*def);
  auto again = xml::parse_network(once);
  ASSERT_TRUE(again) << again.error().message << "\n" << once;
  EXPECT_EQ(xml::format_network(*again), once);
}

INSTANTIATE_TEST_SUITE_P(Corpus, OracleTest, ::testing::ValuesIn(xml_files(std::getenv("HOSTNET_CORPUS_DIR"))),
                         [](const auto& info) {
                           std::string n = info.param.stem().string();
                           for (auto& c : n) if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return n;
                         });
INSTANTIATE_TEST_SUITE_P(Own, OracleTest, ::testing::ValuesIn(xml_files(std::getenv("HOSTNET_XML_DATA_DIR"))),
                         [](const auto& info) {
                           std::string n = info.param.stem().string();
                           for (auto& c : n) if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return n;
                         });
