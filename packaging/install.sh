#!/usr/bin/env bash
# Installs the Hanashi bundle this script sits in, for the current user (no root needed):
#   ~/.local/opt/hanashi/         the app
#   ~/.local/bin/hanashi          the command (hanashi, hanashi chat …, hanashi quantize …)
#   ~/.local/share/applications/  the menu entry, and the icon in ~/.local/share/icons
#   bash install.sh [--prefix DIR] [--uninstall]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
prefix="${HOME}/.local"
uninstall=0
while [ $# -gt 0 ]; do
    case "$1" in
        --prefix) prefix="$2"; shift 2 ;;
        --uninstall) uninstall=1; shift ;;
        *) echo "install.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
app="$prefix/opt/hanashi"
bin="$prefix/bin/hanashi"
desktop="$prefix/share/applications/hanashi.desktop"
icon="$prefix/share/icons/hicolor/256x256/apps/hanashi.png"
if [ "$uninstall" = 1 ]; then
    rm -rf "$app" "$bin" "$desktop" "$icon"
    echo "Hanashi removed (your conversations and models in ~/.local/share/hanashi are kept)."
    exit 0
fi
[ -x "$here/hanashi/hanashi" ] || { echo "install.sh: $here/hanashi/hanashi not found; run this script from the unpacked bundle" >&2; exit 1; }
mkdir -p "$prefix/opt" "$prefix/bin" "$(dirname "$desktop")" "$(dirname "$icon")"
rm -rf "$app.new"
cp -a "$here/hanashi" "$app.new"
rm -rf "$app"
mv "$app.new" "$app"
ln -sfn "$app/hanashi" "$bin"
cp "$app/_internal/assets/icons/hanashi.png" "$icon"
sed "s|^Exec=hanashi|Exec=$app/hanashi|" "$here/hanashi.desktop" > "$desktop"
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q "$(dirname "$desktop")" || true
echo "Hanashi installed in $app"
case ":$PATH:" in *":$prefix/bin:"*) ;; *) echo "Add $prefix/bin to your PATH to run 'hanashi' from a terminal." ;; esac
