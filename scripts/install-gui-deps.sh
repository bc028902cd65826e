#!/usr/bin/env bash
# Debian/Ubuntu packages the desktop app needs: Qt's X11 (xcb) libraries and a Japanese font;
# with "test", also Xvfb for the screenshot test, and the font and qemu-user the bundle test needs.
# Installs only what is missing, and only as root (otherwise it prints the apt-get command).
# Does nothing on systems without apt/dpkg.
#   bash scripts/install-gui-deps.sh [runtime|test]
set -euo pipefail
mode="${1:-runtime}"
command -v dpkg-query >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 || exit 0

packages=(libegl1 libgl1 libfontconfig1 libdbus-1-3 libglib2.0-0 libxkbcommon0 libxkbcommon-x11-0
          libx11-xcb1 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0
          libxcb-render-util0 libxcb-shape0 libxcb-xfixes0 libxcb-xinerama0 libxcb-xkb1)
if [ "$mode" = test ]; then
    # Xvfb for the screenshot test; the bundle test needs the font it packs and qemu-user to run
    # the bundle on an emulated AVX2-only CPU.
    packages+=(xvfb xauth fonts-noto-cjk fonts-ipaexfont-gothic qemu-user)
elif ! { command -v fc-list >/dev/null 2>&1 && [ -n "$(fc-list :lang=ja 2>/dev/null | head -n1)" ]; }; then
    packages+=(fonts-noto-cjk)  # no font that renders Japanese yet
fi

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
    echo "Installing Debian packages for the desktop app: ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
    echo "Hanashi's desktop app may need these packages: sudo apt-get install ${missing[*]}" >&2
fi
