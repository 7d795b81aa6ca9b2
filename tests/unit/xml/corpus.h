// Where the network XML corpus is, for the tests that run over it: the in-tree corpus
// (tests/corpus/network-xml), always, and an extra corpus outside the tree when there is one.
//
// meson passes the in-tree directory and the CI candidate (../shared beside the checkout) under
// names of their own, because a meson test's env: would override a user's HOSTNET_CORPUS_DIR; the
// choice between them is made here, at run time.
//
// Nothing here throws: the file lists are computed while GoogleTest registers its tests, where an
// exception would abort the whole binary instead of failing one test. A directory that cannot be
// used comes back with a problem for a test to report.
#pragma once

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <ostream>
#include <set>
#include <string>
#include <system_error>
#include <vector>

namespace hostnet::testing {

struct CorpusFile {
  std::filesystem::path path;
  std::string test_name;  // unique within its directory, [A-Za-z0-9_] only, as GoogleTest requires
};

// What GoogleTest prints for a parameter: the path, not the bytes of the struct.
inline void PrintTo(const CorpusFile& f, std::ostream* os) { *os << f.path.string(); }

struct CorpusDir {
  std::filesystem::path path;  // empty: no such corpus
  std::vector<CorpusFile> files;
  std::string problem;  // why it cannot be used ("" when it can); a test fails with it
  std::string note;     // what was found, for the test output
};

namespace corpus_detail {

inline const char* env(const char* name) {
  const char* v = std::getenv(name);
  return v && *v ? v : nullptr;
}

// Test names from file stems; GoogleTest aborts on an empty, non-alphanumeric or repeated name.
inline std::string unique_name(const std::filesystem::path& p, std::set<std::string>& taken) {
  std::string base = p.stem().string();
  for (auto& c : base)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  if (base.empty()) base = "file";
  std::string name = base;
  for (int i = 2; taken.count(name); ++i) name = base + "_" + std::to_string(i);
  taken.insert(name);
  return name;
}

inline CorpusDir read_dir(const std::filesystem::path& dir, const std::string& what) {
  namespace fs = std::filesystem;
  CorpusDir out;
  out.path = dir;
  const std::string shown = dir.lexically_normal().string();  // meson's paths hold "x/../shared"
  std::error_code ec;
  std::vector<fs::path> paths;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code type_ec;
    if (it->path().extension() == ".xml" && it->is_regular_file(type_ec)) paths.push_back(it->path());
  }
  if (ec) {
    out.problem = what + " " + shown + " cannot be read: " + ec.message();
    return out;
  }
  if (paths.empty()) {
    out.problem = what + " " + shown + " has no .xml files";
    return out;
  }
  std::sort(paths.begin(), paths.end());
  std::set<std::string> taken;
  for (const auto& p : paths) out.files.push_back({p, unique_name(p, taken)});
  out.note = what + " " + shown + ": " + std::to_string(out.files.size()) + " files";
  return out;
}

}  // namespace corpus_detail

// tests/corpus/network-xml, from HOSTNET_INTREE_CORPUS_DIR (set by meson).
inline const CorpusDir& intree_corpus() {
  static const CorpusDir dir = [] {
    const char* path = corpus_detail::env("HOSTNET_INTREE_CORPUS_DIR");
    if (!path) {
      CorpusDir none;
      none.problem = "HOSTNET_INTREE_CORPUS_DIR is not set (meson test sets it; to run the test binary by hand, "
                     "point it at tests/corpus/network-xml)";
      return none;
    }
    return corpus_detail::read_dir(path, "in-tree corpus");
  }();
  return dir;
}

// HOSTNET_CORPUS_DIR when the user set it (then it must be usable: asked for, so missing is a
// failure), else HOSTNET_SHARED_CORPUS_DIR when that directory exists (CI's read-only copy of
// libvirt's test files beside the checkout). Absent, it is no failure: the tests run on the
// in-tree corpus alone and say so.
inline const CorpusDir& extra_corpus() {
  static const CorpusDir dir = [] {
    if (const char* user = corpus_detail::env("HOSTNET_CORPUS_DIR"))
      return corpus_detail::read_dir(user, "extra corpus (HOSTNET_CORPUS_DIR)");
    CorpusDir none;
    const char* shared = corpus_detail::env("HOSTNET_SHARED_CORPUS_DIR");
    if (!shared) {
      none.note = "ran on the in-tree corpus only: no extra corpus (neither HOSTNET_CORPUS_DIR nor "
                  "HOSTNET_SHARED_CORPUS_DIR is set)";
      return none;
    }
    const std::string shown = std::filesystem::path(shared).lexically_normal().string();
    std::error_code ec;
    bool exists = std::filesystem::exists(shared, ec);
    if (ec) {
      none.problem = "extra corpus " + shown + " cannot be checked: " + ec.message();
      return none;
    }
    if (!exists) {
      none.note = "ran on the in-tree corpus only: no extra corpus at " + shown;
      return none;
    }
    return corpus_detail::read_dir(shared, "extra corpus");
  }();
  return dir;
}

}  // namespace hostnet::testing
