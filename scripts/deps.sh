#!/bin/sh
# deps.sh: make sure every Debian package of scripts/packages-build.txt is
# installed. As root it installs the missing ones with apt-get; otherwise
# it prints the exact command and fails.
set -eu
here=$(dirname "$0")
pkgs=$(grep -v '^#' "$here/packages-build.txt" | grep -v '^$')
missing=""
for p in $pkgs; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$st" in
	*"install ok installed"*) ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then
	echo "deps: installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing
else
	echo "deps: missing Debian packages. Run as root:" >&2
	echo "  apt-get update && apt-get install -y$missing" >&2
	exit 1
fi
