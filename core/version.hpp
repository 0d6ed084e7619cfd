// Éclat's version and the commit it was built from ("abc123def456-dirty"
// when the tree had uncommitted changes, "unknown" outside a git checkout):
// printed by `eclat --version` and recorded in every run's results.json.
#pragma once

namespace eclat {
const char* version();
const char* commit();
}  // namespace eclat
