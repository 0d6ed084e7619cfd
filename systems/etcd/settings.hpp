// etcd's settings (--set KEY=VALUE); the adapter's registration lists them.
#pragma once
#include "core/settings.hpp"

namespace eclat::etcd_settings {

inline constexpr TextSetting kReadMode{
    "read-mode", "linearizable",
    "etcd: reads are linearizable, or serializable (served by the member alone, may be stale)",
    "linearizable|serializable"};

}  // namespace eclat::etcd_settings
