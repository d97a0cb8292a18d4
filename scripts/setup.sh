#!/usr/bin/env bash
# Install what a task needs, idempotently: `scripts/setup.sh docs|test|lint|measure`.
#   docs     Python virtual environment (.venv) with the site's locked dependencies
#   test     docs + test runners + linters + Debian packages the tests drive (chromium, the musl toolchain, mmdebstrap)
#   lint     the test lock's Python packages only (ruff, mypy, ...): no Debian packages
#   measure  docs + Debian packages the measurement needs
#   bench    measure + the load generator (wrk) scripts/bench.py drives
# Every task also installs this project (the `cheatsheet` package) editable into .venv, so scripts,
# tests and mkdocs' macros import it without any sys.path edits.
# Python packages come from requirements/*.lock, pinned with hashes. Debian packages come from the
# machine's own apt configuration. Needs root (or sudo) for apt-get.
set -euo pipefail
cd "$(dirname "$0")/.."

task=${1:?usage: scripts/setup.sh docs|test|lint|measure|bench}
case "$task" in
  docs) lock=requirements/docs.lock; apt_packages=() ;;
  test) lock=requirements/test.lock; apt_packages=($(grep -v '^#' requirements/apt-test.txt)) ;;
  lint) lock=requirements/test.lock; apt_packages=() ;;
  measure) lock=requirements/docs.lock; apt_packages=($(grep -v '^#' requirements/apt-measure.txt)) ;;
  bench) lock=requirements/docs.lock; apt_packages=($(grep -v '^#' requirements/apt-bench.txt)) ;;
  *) echo "usage: scripts/setup.sh docs|test|lint|measure|bench" >&2; exit 2 ;;
esac

missing=()
for pkg in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if ((${#missing[@]})); then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  echo "setup: installing Debian packages: ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# arm64 images run here under user-mode emulation: register Debian's qemu-aarch64 with binfmt_misc
# (the package installs the definition, but nothing registers it on a machine without systemd). The
# definition's F flag makes the kernel open the interpreter now, so it also works inside containers.
# Where registration is impossible (no root, a locked-down container) a line says so; measuring then
# skips the arm64 variants with one line saying why, and everything else is unaffected.
register_binfmt() {
  local binfmt=/proc/sys/fs/binfmt_misc conf=/usr/lib/binfmt.d/qemu-aarch64.conf
  [ "$(uname -m)" = x86_64 ] && [ -f "$conf" ] || return 0
  [ -e "$binfmt/qemu-aarch64" ] && return 0
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  if [ ! -e "$binfmt/register" ]; then
    $sudo mount -t binfmt_misc binfmt_misc "$binfmt" 2>/dev/null || true
  fi
  if grep -v '^#' "$conf" | $sudo tee "$binfmt/register" >/dev/null 2>&1 && [ -e "$binfmt/qemu-aarch64" ]; then
    echo "setup: registered qemu-aarch64 with binfmt_misc (arm64 images run under emulation)" >&2
  else
    echo "setup: could not register qemu-aarch64 with binfmt_misc; arm64 variants will be skipped" >&2
  fi
}
case "$task" in measure|test|bench) register_binfmt ;; esac

python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv" >&2
  "$python" -m venv .venv
fi
stamp=.venv/.installed-$(basename "$lock")
if [ ! -f "$stamp" ] || ! cmp -s "$lock" "$stamp"; then
  echo "setup: installing $lock" >&2
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --require-hashes -r "$lock"
  cp "$lock" "$stamp"
fi
# The project itself, editable (a link to this checkout), with the lock's setuptools and wheel:
# no download, no build isolation. Redone when pyproject.toml changes.
project_stamp=.venv/.installed-pyproject.toml
if [ ! -f "$project_stamp" ] || ! cmp -s pyproject.toml "$project_stamp" \
   || ! (repo=$PWD; cd / && "$repo/.venv/bin/python" -c 'import cheatsheet' 2>/dev/null); then
  echo "setup: installing the cheatsheet package (editable)" >&2
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation --no-index -e .
  cp pyproject.toml "$project_stamp"
fi
