// What libvirt had of each network hostnet imported, kept in hostnet's config dir so that
// net-release can give it back as it was, across reboots: "<name>.xml" is libvirt's own
// definition, "<name>.flags" whether it was persistent, autostarted and active.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "common/result.h"
#include "libvirt/network_handover.h"

namespace hostnet::libvirt {

class ImportedOriginals {
 public:
  explicit ImportedOriginals(std::filesystem::path dir) : dir_(std::move(dir)) {}
  Result<void> save(const LibvirtOwnNetwork& own) const;
  // nullopt when `name` was not imported (or its files are unreadable: said in `why`).
  std::optional<LibvirtOwnNetwork> load(const std::string& name, std::string* why = nullptr) const;
  void remove(const std::string& name) const;

 private:
  std::filesystem::path dir_;
};

}  // namespace hostnet::libvirt
