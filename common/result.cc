#include "common/result.h"

namespace hostnet {

std::string_view errc_name(Errc code) {
  switch (code) {
    case Errc::InvalidXML: return "InvalidXML";
    case Errc::InvalidArgument: return "InvalidArgument";
    case Errc::NotFound: return "NotFound";
    case Errc::Conflict: return "Conflict";
    case Errc::Unsupported: return "Unsupported";
    case Errc::PermissionDenied: return "PermissionDenied";
    case Errc::Failed: return "Failed";
  }
  return "Failed";
}

}  // namespace hostnet
