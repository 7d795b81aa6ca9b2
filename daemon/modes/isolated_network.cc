// forward mode none: a bridge of hostnet's own with the network's addresses, and no route out.
#include "daemon/modes/isolated_network.h"

#include "daemon/network.h"

namespace hostnet {

Result<void> OwnBridgeDriver::start(const xml::NetworkDef& def, SwitchBackend& backend, Reverter& undo) {
  auto spec = switch_spec_for(def);
  auto state = backend.ensure_switch(spec);
  if (!state) return tl::unexpected(state.error());
  if (state->created) {
    undo.add([&backend, name = spec.name, tag = spec.owner_tag] { (void)backend.delete_switch(name, tag); });
  }
  return {};
}

Result<void> OwnBridgeDriver::stop(const xml::NetworkDef& def, SwitchBackend& backend) {
  auto r = backend.delete_switch(def.bridge.name, owner_tag_for(def.name));
  if (!r && r.error().code != Errc::NotFound) return r;
  return {};
}

}  // namespace hostnet
