#!/bin/sh
# Installs the Debian packages capsim builds against, when they are missing.
# As root it runs apt-get; otherwise it prints the exact command and fails.
set -eu
PKGS="build-essential pkg-config libgsl-dev libsqlite3-dev libcsv-dev libcjson-dev libcriterion-dev gnuplot-nox nettle-dev"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "capsim: missing Debian packages:$missing" >&2
	echo "capsim: install them with:  sudo apt-get install -y$missing" >&2
	exit 1
fi
echo "capsim: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends $missing >/dev/null
