# SPDX-License-Identifier: GPL-2.0
# Common settings for the aer-pv build scripts; sourced, not run.

set -euo pipefail

AER_PV_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
AER_PV_CACHE=${AER_PV_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/aer-pv}
LINUX_TARBALL=/usr/src/linux-source-6.12.tar.xz
JOBS=${JOBS:-$(nproc)}

mkdir -p "$AER_PV_CACHE"

log() { printf '[aer-pv] %s\n' "$*" >&2; }
die() { printf '[aer-pv] error: %s\n' "$*" >&2; exit 1; }

# Version of Debian's linux-source-6.12, e.g. 6.12.117-1~deb12u1.
linux_pkg_version() {
	dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null ||
		die "linux-source-6.12 is not installed (run scripts/deps.sh)"
}

# Short hash of everything that changes the prepared tree's history.
patches_hash() {
	cat "$AER_PV_ROOT"/patches/linux/*.patch 2>/dev/null |
		sha256sum | cut -c1-12
}

linux_tree() {
	local v
	v=$(linux_pkg_version)
	printf '%s/linux-%s-%s\n' "$AER_PV_CACHE" "${v//[~:]/_}" "$(patches_hash)"
}
