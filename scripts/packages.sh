# Sourced by scripts/example, scripts/test and scripts/bench: installs the Debian packages the build needs, if missing.
ensure_packages() {
    local missing=()
    for package in "$@"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" || missing+=("$package")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "alloc-chaos: installing missing Debian packages: ${missing[*]}"
    local sudo=()
    [ "$(id -u)" -eq 0 ] || sudo=(sudo)
    "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

core_packages=(g++ cmake make libboost-test-dev libboost-container-dev libgtest-dev catch2)
bench_packages=(libbenchmark-dev python3)
# The C libraries that the suites and the example of alloc_chaos::malloc check (skipped without them).
c_library_packages=(zlib1g-dev libsqlite3-dev)
# What scripts/consumers builds with besides CMake and g++: git (FetchContent), pkg-config, b2.
consumer_packages=(git pkgconf libboost-tools-dev)
