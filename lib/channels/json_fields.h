// Reading members of a platform's JSON answers, where any value may come
// from the server: a wrong type reads as absent, never as an exception.
#pragma once
#include <string>

#include <nlohmann/json.hpp>

namespace socq::channel_json {

// A member as text: a string, or an integer written out (ids come as
// either); anything else, or no such member, is "".
std::string str(const nlohmann::json& j, const char* key);

// An object's member, or null.
const nlohmann::json& member(const nlohmann::json& j, const char* key);

}  // namespace socq::channel_json
