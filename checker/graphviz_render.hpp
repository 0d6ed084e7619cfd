// Drawing a Graphviz graph (DOT text) to an SVG file, for every checker that
// draws one (partition pictures, linearizability counterexamples).
#pragma once
#include <filesystem>
#include <string>

namespace eclat {

// Lays `dot` out with `engine` ("dot", "circo", ...) and writes SVG to `out`.
// False with `error` set when Graphviz cannot read, lay out or write it, or
// wrote an empty file.
bool render_dot_svg(const std::string& dot, const char* engine, const std::filesystem::path& out,
                    std::string& error);

}  // namespace eclat
