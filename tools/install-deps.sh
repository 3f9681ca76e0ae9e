#!/usr/bin/env bash
# install-deps.sh -- install the Debian packages etoolbox needs to build and
# to test. Idempotent: does nothing when all are present. Uses sudo when not
# root. Node.js and npm come with the machine; the browser tests install
# Chromium and their npm packages themselves (tests/browser/run.sh).
set -eu
pkgs="build-essential pkg-config libzip-dev libxml2-dev libjansson-dev
libcurl4-openssl-dev libyaml-dev libcmark-dev libdeflate-dev zlib1g-dev libxml2-utils zip unzip valgrind
libmicrohttpd-dev libsqlite3-dev libssl-dev
clang libclang-rt-14-dev time strace"
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done
[ -n "$missing" ] || exit 0
echo "install-deps: installing$missing" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
