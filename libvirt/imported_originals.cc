#include "libvirt/imported_originals.h"

#include <sstream>

#include "common/atomic_file.h"

namespace hostnet::libvirt {

Result<void> ImportedOriginals::save(const LibvirtOwnNetwork& own) const {
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) return fail(Errc::Failed, "cannot create " + dir_.string() + ": " + ec.message());
  std::string flags = std::string("persistent=") + (own.persistent ? "yes" : "no") + "\nautostart=" +
                      (own.autostart ? "yes" : "no") + "\nactive=" + (own.active ? "yes" : "no") + "\n";
  // The flags last: a crash between the two leaves no half record (load needs both).
  if (auto r = write_file_atomic(dir_ / (own.name + ".xml"), own.xml, 0600, Durability::Durable); !r) return r;
  return write_file_atomic(dir_ / (own.name + ".flags"), flags, 0600, Durability::Durable);
}

std::optional<LibvirtOwnNetwork> ImportedOriginals::load(const std::string& name, std::string* why) const {
  auto xml = read_file(dir_ / (name + ".xml"));
  auto flags = read_file(dir_ / (name + ".flags"));
  if (!xml || !flags) {
    if (why) *why = "network '" + name + "' was not imported from libvirt (no " + (dir_ / (name + ".flags")).string() + ")";
    return std::nullopt;
  }
  LibvirtOwnNetwork own;
  own.name = name;
  own.xml = *xml;
  std::istringstream in(*flags);
  std::string line;
  while (std::getline(in, line)) {
    if (line == "persistent=yes") own.persistent = true;
    if (line == "autostart=yes") own.autostart = true;
    if (line == "active=yes") own.active = true;
  }
  return own;
}

void ImportedOriginals::remove(const std::string& name) const {
  std::error_code ec;
  std::filesystem::remove(dir_ / (name + ".flags"), ec);
  std::filesystem::remove(dir_ / (name + ".xml"), ec);
}

}  // namespace hostnet::libvirt
