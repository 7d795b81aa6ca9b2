// Where networks live on disk.
//   <config-dir>/networks/NAME.xml             persistent definitions (libvirt XML, atomic writes)
//   <config-dir>/networks/autostart/NAME.xml   symlink to the definition: start with hostnetd
//   <state-dir>/networks/NAME.xml              live definition of an active network (status record)
// The layout mirrors libvirt's /etc/libvirt/qemu/networks so admins find their way.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "common/result.h"
#include "xml/network_def.h"

namespace hostnet {

class NetworkStore {
 public:
  NetworkStore(std::filesystem::path config_dir, std::filesystem::path state_dir);

  // Creates the directories. Called once at start.
  Result<void> prepare();

  struct Record {
    std::filesystem::path path;
    Result<xml::NetworkDef> def;  // a file that no longer parses is reported, never deleted
  };
  std::vector<Record> load_definitions() const;
  std::vector<Record> load_status_records() const;

  Result<void> save_definition(const xml::NetworkDef& def);
  Result<void> remove_definition(const std::string& name);

  bool autostart(const std::string& name) const;
  Result<void> set_autostart(const std::string& name, bool enabled);

  Result<void> save_status(const xml::NetworkDef& live);
  Result<void> remove_status(const std::string& name);

  const std::filesystem::path& config_dir() const { return config_dir_; }
  const std::filesystem::path& state_dir() const { return state_dir_; }

 private:
  std::filesystem::path definition_path(const std::string& name) const;
  std::filesystem::path autostart_path(const std::string& name) const;
  std::filesystem::path status_path(const std::string& name) const;
  std::vector<Record> load_dir(const std::filesystem::path& dir) const;

  std::filesystem::path config_dir_;
  std::filesystem::path state_dir_;
};

}  // namespace hostnet
