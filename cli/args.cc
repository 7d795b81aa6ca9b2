#include "cli/args.h"

namespace hostnet::cli {

Args parse_args(const std::vector<std::string>& argv, const ArgSpec& spec) {
  Args a;
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& arg = argv[i];
    if (arg.size() > 2 && arg.starts_with("--")) {
      std::string name = arg.substr(2), value;
      bool inline_value = false;
      if (auto eq = name.find('='); eq != std::string::npos) {
        value = name.substr(eq + 1);
        name = name.substr(0, eq);
        inline_value = true;
      }
      if (spec.flags.count(name) && !inline_value) {
        a.flags.insert(name);
      } else if (spec.options.count(name)) {
        if (!inline_value) {
          if (i + 1 >= argv.size()) throw UsageError{"--" + name + " needs a value"};
          value = argv[++i];
        }
        a.options[name] = value;
      } else {
        throw UsageError{"unknown option --" + name};
      }
    } else {
      a.positional.push_back(arg);
    }
  }
  if (a.positional.size() < spec.min_positional) throw UsageError{"missing argument"};
  if (a.positional.size() > spec.max_positional) throw UsageError{"unexpected argument '" + a.positional.back() + "'"};
  return a;
}

}  // namespace hostnet::cli
