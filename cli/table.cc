#include "cli/table.h"

#include <algorithm>

namespace hostnet::cli {

std::string format_table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width(header.size());
  for (size_t i = 0; i < header.size(); ++i) width[i] = header[i].size();
  for (const auto& row : rows)
    for (size_t i = 0; i < row.size() && i < width.size(); ++i) width[i] = std::max(width[i], row[i].size());

  auto line = [&](const std::vector<std::string>& cells) {
    std::string out;
    for (size_t i = 0; i < cells.size(); ++i) {
      out += " " + cells[i];
      if (i + 1 < cells.size()) out += std::string(width[i] - cells[i].size() + 2, ' ');
    }
    return out + "\n";
  };
  std::string head = line(header);
  // virsh rules off the header's width plus two, and ends the table with an empty line.
  std::string out = head + std::string(head.size() - 1 + 2, '-') + "\n";
  for (const auto& row : rows) out += line(row);
  return out + "\n";
}

}  // namespace hostnet::cli
