// virsh with libvirt's in-process test driver as the oracle of the XML tests: what libvirt itself
// prints for a definition. Each call is a fresh virsh, so a fresh test driver: names never collide.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <regex>
#include <string>

namespace hostnet::testing {

inline std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// virsh splits its own command line too: a path or name with spaces or quotes is one argument
// only in double quotes, with '"' and '\' escaped.
inline std::string virsh_quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

inline std::string virsh_dumpxml(const std::filesystem::path& file, const std::string& name) {
  std::string pre = name == "default" ? "net-destroy default; net-undefine default; " : "";
  std::string cmd = "virsh -q -c test:///default " +
                    shell_quote(pre + "net-define " + virsh_quote(file.string()) + "; net-dumpxml " + virsh_quote(name)) +
                    " 2>&1";
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return out;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  ::pclose(p);
  return out;
}

// net-dumpxml of a definition given as text (written to a temporary file for net-define).
inline std::string virsh_dumpxml_text(const std::string& xml, const std::string& name) {
  std::string path = (std::filesystem::path(::testing::TempDir()) / "hostnet-oracle-probe-XXXXXX").string();
  int fd = ::mkstemp(path.data());
  if (fd < 0) return "cannot create a temporary file in " + ::testing::TempDir();
  bool written = ::write(fd, xml.data(), xml.size()) == static_cast<ssize_t>(xml.size());
  ::close(fd);
  std::string out = written ? virsh_dumpxml(path, name) : "cannot write " + path;
  ::unlink(path.c_str());
  return out;
}

// A uuid or MAC one side generated (absent from the input) cannot match; blank them on both.
inline std::string without_generated(std::string xml, const std::string& input) {
  if (input.find("<uuid>") == std::string::npos) xml = std::regex_replace(xml, std::regex("  <uuid>[^<]*</uuid>\n"), "");
  if (input.find("<mac ") == std::string::npos) xml = std::regex_replace(xml, std::regex("  <mac address='[^']*'/>\n"), "");
  return xml;
}

}  // namespace hostnet::testing
