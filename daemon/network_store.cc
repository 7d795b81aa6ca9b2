#include "daemon/network_store.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "common/atomic_file.h"
#include "xml/network_xml.h"

namespace hostnet {

namespace fs = std::filesystem;

NetworkStore::NetworkStore(fs::path config_dir, fs::path state_dir)
    : config_dir_(std::move(config_dir)), state_dir_(std::move(state_dir)) {}

Result<void> NetworkStore::prepare() {
  if (auto r = make_dirs(config_dir_ / "networks" / "autostart"); !r) return r;
  // Runtime state is root's business only: status records may name MACs and addresses of VMs.
  return make_dirs(state_dir_ / "networks", 0700);
}

fs::path NetworkStore::definition_path(const std::string& name) const {
  return config_dir_ / "networks" / (name + ".xml");
}
fs::path NetworkStore::autostart_path(const std::string& name) const {
  return config_dir_ / "networks" / "autostart" / (name + ".xml");
}
fs::path NetworkStore::status_path(const std::string& name) const {
  return state_dir_ / "networks" / (name + ".xml");
}

std::vector<NetworkStore::Record> NetworkStore::load_dir(const fs::path& dir) const {
  std::vector<Record> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".xml") continue;
    Record rec{entry.path(), fail(Errc::Failed, "")};
    auto text = read_file(entry.path());
    if (!text) {
      rec.def = tl::unexpected(text.error());
    } else {
      rec.def = xml::parse_network(*text);
      if (rec.def && rec.def->name + ".xml" != entry.path().filename().string())
        rec.def = fail(Errc::InvalidXML, entry.path().string() + ": holds network '" + rec.def->name +
                                             "', but the file name says otherwise");
    }
    out.push_back(std::move(rec));
  }
  std::sort(out.begin(), out.end(), [](const Record& a, const Record& b) { return a.path < b.path; });
  return out;
}

std::vector<NetworkStore::Record> NetworkStore::load_definitions() const {
  return load_dir(config_dir_ / "networks");
}

std::vector<NetworkStore::Record> NetworkStore::load_status_records() const {
  return load_dir(state_dir_ / "networks");
}

Result<void> NetworkStore::save_definition(const xml::NetworkDef& def) {
  return write_file_atomic(definition_path(def.name), xml::format_network(def, xml::kFormatInactive),
                           0600);
}

Result<void> NetworkStore::remove_definition(const std::string& name) {
  std::error_code ec;
  fs::remove(autostart_path(name), ec);
  if (!fs::remove(definition_path(name), ec) && ec)
    return fail(Errc::Failed, "cannot remove " + definition_path(name).string() + ": " + ec.message());
  return {};
}

bool NetworkStore::autostart(const std::string& name) const {
  std::error_code ec;
  return fs::exists(fs::symlink_status(autostart_path(name), ec));
}

Result<void> NetworkStore::set_autostart(const std::string& name, bool enabled) {
  auto link = autostart_path(name);
  std::error_code ec;
  fs::remove(link, ec);
  if (!enabled) return {};
  // A relative link keeps working if the whole config dir is moved or bind-mounted.
  fs::create_symlink(fs::path("..") / (name + ".xml"), link, ec);
  if (ec) return fail(Errc::Failed, "cannot create " + link.string() + ": " + ec.message());
  return {};
}

Result<void> NetworkStore::save_status(const xml::NetworkDef& live) {
  return write_file_atomic(status_path(live.name), xml::format_network(live, xml::kFormatLive), 0600,
                           Durability::Runtime);
}

Result<void> NetworkStore::remove_status(const std::string& name) {
  std::error_code ec;
  fs::remove(status_path(name), ec);
  if (ec) return fail(Errc::Failed, "cannot remove " + status_path(name).string() + ": " + ec.message());
  return {};
}

}  // namespace hostnet
