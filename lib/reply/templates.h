// Reply templates: [reply.templates] NAME = "text" in the config, with
// variables from the case. A template is a starting point that still goes
// through every check (repetition counts template text: a greeting alone
// does not make two replies different).
#pragma once
#include <map>
#include <string>

#include "lib/case.h"
#include "lib/config.h"
#include "lib/result.h"

namespace socq::reply {

struct Template {
  std::string name, text;
  std::string source;  // file:line
};

// The variables a template may use, in the order the man page lists them.
extern const char* const kTemplateVariables[];

// [reply.templates] of the config files; a later file replaces a name.
// Unknown variables and non-string values fail with file:line (exit 78).
Result<std::map<std::string, Template>> load_templates(const MapConfig& cfg);
// The template named, or a usage error listing those there are.
Result<Template> find_template(const std::map<std::string, Template>& all, const std::string& name);

// The values for a case: customer.name (the display name, else the handle
// without its @ and host), customer.handle, agent, reference (#number in the
// store, else the platform's thread key), case.id.
std::map<std::string, std::string> template_values(const Case& c, const std::string& agent);
// Fills {variable} placeholders; "{{" and "}}" are literal braces.
Result<std::string> render_template(const Template& t, const std::map<std::string, std::string>& values);

}  // namespace socq::reply
