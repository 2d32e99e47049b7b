#!/usr/bin/env bash
# Installs what the real-browser test (tests/test_browser.py) needs beyond the Python packages:
# Debian's chromium, at /usr/bin/chromium. Quiet and quick when it is already there.
# Playwright itself comes from requirements-dev.txt; it drives this chromium and never downloads
# a browser of its own (no `playwright install`).
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
    exit 0
fi

# Outside CI a machine that cannot install chromium still runs every other test: the browser
# test is then skipped with its reason. In CI (CI set, as .ci/run does) it is an error.
give_up() {
    case "${CI:-}" in
    "" | 0 | false | no)
        echo "install_browser.sh: the browser test will be skipped." >&2
        exit 0
        ;;
    *) exit 1 ;;
    esac
}

if ! command -v apt-get >/dev/null 2>&1; then
    echo "install_browser.sh: no apt-get here; install Chromium yourself so that /usr/bin/chromium" \
        "exists, or the browser test is skipped (outside CI) or fails (in CI)." >&2
    give_up
fi

if [ "$(id -u)" -eq 0 ]; then
    SUDO=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO=(sudo -n)
else
    echo "install_browser.sh: /usr/bin/chromium is missing and installing it needs root." >&2
    echo "  Run:  sudo apt-get update && sudo apt-get install -y --no-install-recommends chromium" >&2
    give_up
fi

echo "install_browser.sh: installing Debian's chromium for the browser test (about a minute)..."
export DEBIAN_FRONTEND=noninteractive
if ! { "${SUDO[@]}" apt-get update -qq &&
    "${SUDO[@]}" apt-get install -y -qq --no-install-recommends chromium >/dev/null; }; then
    echo "install_browser.sh: apt-get could not install chromium (see above)." >&2
    give_up
fi

if [ ! -x /usr/bin/chromium ]; then
    echo "install_browser.sh: chromium installed, but /usr/bin/chromium is still missing." >&2
    exit 1
fi
echo "install_browser.sh: $(/usr/bin/chromium --version 2>/dev/null || echo chromium) installed."
