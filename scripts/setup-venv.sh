#!/usr/bin/env bash
# Creates .venv (if missing) and installs Hanashi into it with the given extras.
#
#   bash scripts/setup-venv.sh [--cuda] [EXTRAS]          e.g. EXTRAS = test,reference
#   CMAKE_ARGS="-DGGML_CUDA=on" bash scripts/setup-venv.sh
#
# llama.cpp is compiled from source through llama-cpp-python, portable by default: CPU kernels
# for every x86-64 generation are built as modules and llama.cpp picks the best one for the CPU it
# runs on (GGML_BACKEND_DL + GGML_CPU_ALL_VARIANTS, no -march=native), so the same build serves
# this machine, an AVX2-only laptop and the packaged app. CMAKE_ARGS are added after these
# defaults (yours win: -DGGML_NATIVE=ON builds for this CPU only); --cuda adds -DGGML_CUDA=on.
# The build configuration is recorded in the venv: when it differs from the installed build,
# llama-cpp-python is rebuilt from source, never taken from pip's wheel cache. Built wheels are
# kept per configuration in ~/.cache/hanashi/wheels, so a new venv with a configuration built
# before installs in seconds. A failed build stops the script with a message and leaves the
# working install as it was.
set -euo pipefail
cd "$(dirname "$0")/.."

cuda=0
extras=""
for arg in "$@"; do
    case "$arg" in
        --cuda) cuda=1 ;;
        -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
        -*) echo "setup-venv: unknown option $arg" >&2; exit 2 ;;
        *) extras="$arg" ;;
    esac
done
python="${PYTHON:-python3}"
venv="${HANASHI_VENV:-.venv}"

die() { echo "setup-venv: $*" >&2; exit 1; }

# ---------------------------------------------------------------- prerequisites
command -v "$python" >/dev/null 2>&1 ||
    die "no $python found. Install Python 3.10 or newer (Debian/Ubuntu: sudo apt-get install python3 python3-venv)."
"$python" -c 'import sys; sys.exit(sys.version_info < (3, 10))' ||
    die "Python 3.10 or newer is needed; $python is $("$python" -c 'import platform; print(platform.python_version())'). Install a newer Python and run with PYTHON=/path/to/python3."
"$python" -c 'import venv, ensurepip' 2>/dev/null ||
    die "$python has no working venv module. Debian/Ubuntu: sudo apt-get install python3-venv"

# A .venv left half-made (no pip, or a broken interpreter) is made again.
if [ -e "$venv" ] && ! "$venv/bin/python" -m pip --version >/dev/null 2>&1; then
    echo "setup-venv: $venv is incomplete (no working pip); making it again" >&2
    rm -rf "$venv"
fi
if [ ! -x "$venv/bin/python" ]; then
    "$python" -m venv "$venv" || { rm -rf "$venv"; die "could not create $venv (Debian/Ubuntu: sudo apt-get install python3-venv)"; }
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
fi
pip=("$venv/bin/python" -m pip --disable-pip-version-check)

# ---------------------------------------------------------------- llama.cpp build
llama_version="$(sed -n 's/.*"llama-cpp-python==\([^"]*\)".*/\1/p' pyproject.toml | head -n1)"
[ -n "$llama_version" ] || die "pyproject.toml pins no llama-cpp-python version"
case "$(uname -s)-$(uname -m)" in
    Linux-x86_64|Linux-aarch64) portable="-DGGML_NATIVE=OFF -DGGML_BACKEND_DL=ON -DGGML_CPU_ALL_VARIANTS=ON" ;;
    *) portable="" ;;  # elsewhere llama.cpp's own defaults
esac
cmake_args="$portable${CMAKE_ARGS:+ $CMAKE_ARGS}"
cmake_args="${cmake_args# }"
if [ "$cuda" = 1 ] && [[ "$cmake_args" != *GGML_CUDA* ]]; then
    cmake_args="${cmake_args:+$cmake_args }-DGGML_CUDA=on"
fi
# The backend modules are installed into the wheel by a small CMake hook; its content is part of
# the configuration, its path is not (so every checkout shares the cached wheels).
hook="$PWD/packaging/cmake/install-backends.cmake"
hook_sum="$(sha256sum "$hook" | cut -c1-12)"
want="llama-cpp-python==$llama_version hook=$hook_sum CMAKE_ARGS=$cmake_args"
build_stamp="$venv/.hanashi-llama-build"
have="$(cat "$build_stamp" 2>/dev/null || true)"
if ! "$venv/bin/python" -c 'import llama_cpp' >/dev/null 2>&1; then
    have=""
fi

if [ "$have" != "$want" ]; then
    key="$(printf '%s' "$want" | sha256sum | cut -c1-16)"
    cache="${HANASHI_WHEEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/hanashi/wheels}/$key"
    wheel="$(ls "$cache"/llama_cpp_python-*.whl 2>/dev/null | head -n1 || true)"
    if [ -z "$wheel" ]; then
        command -v cc >/dev/null 2>&1 || command -v gcc >/dev/null 2>&1 ||
            die "no C compiler found; llama.cpp is compiled from source. Debian/Ubuntu: sudo apt-get install build-essential"
        command -v c++ >/dev/null 2>&1 || command -v g++ >/dev/null 2>&1 ||
            die "no C++ compiler found; llama.cpp is compiled from source. Debian/Ubuntu: sudo apt-get install build-essential"
        if [[ "$cmake_args" == *GGML_CUDA=on* || "$cmake_args" == *GGML_CUDA=ON* || "$cmake_args" == *GGML_CUDA=1* ]]; then
            cuda_home="${CUDA_HOME:-/usr/local/cuda}"
            command -v nvcc >/dev/null 2>&1 || [ -x "$cuda_home/bin/nvcc" ] ||
                die "a CUDA build needs nvcc, the CUDA compiler. Install NVIDIA's CUDA toolkit (Debian/Ubuntu: sudo apt-get install nvidia-cuda-toolkit) and make sure nvcc is on PATH."
            command -v nvcc >/dev/null 2>&1 || export PATH="$PATH:$cuda_home/bin"
        fi
        echo "Compiling llama.cpp $llama_version${cmake_args:+ with $cmake_args} — this takes about 10 minutes on 2 cores (more with CUDA); it happens once per build configuration." >&2
        tmp="$(mktemp -d "${TMPDIR:-/tmp}/hanashi-wheel-XXXXXX")"
        log="$tmp/build.log"
        export CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc 2>/dev/null || echo 2)}"
        set +e
        CMAKE_ARGS="$cmake_args -DCMAKE_PROJECT_INCLUDE=$hook" "${pip[@]}" wheel --no-cache-dir --no-deps --no-binary llama-cpp-python \
            -v -w "$tmp" "llama-cpp-python==$llama_version" 2>&1 | tee "$log" |
            "$venv/bin/python" scripts/build_progress.py
        status=${PIPESTATUS[0]}
        set -e
        wheel="$(ls "$tmp"/llama_cpp_python-*.whl 2>/dev/null | head -n1 || true)"
        if [ "$status" != 0 ] || [ -z "$wheel" ]; then
            echo "setup-venv: compiling llama.cpp failed; the existing install (if any) is unchanged." >&2
            echo "---- last lines of the build log ($log) ----" >&2
            grep -E -A3 "CMake Error|error:|Error:|ERROR" "$log" | tail -n 25 >&2 || tail -n 30 "$log" >&2
            exit 1
        fi
        mkdir -p "$cache"
        cp "$wheel" "$cache/" && wheel="$cache/$(basename "$wheel")"
        rm -rf "$tmp"
    else
        echo "Installing llama.cpp $llama_version${cmake_args:+ ($cmake_args)} from Hanashi's build cache" >&2
    fi
    "${pip[@]}" install --quiet --no-deps --force-reinstall "$wheel" ||
        die "installing the llama-cpp-python wheel $wheel failed"
    printf '%s' "$want" > "$build_stamp"
fi

# ---------------------------------------------------------------- Hanashi itself
stamp="$venv/.hanashi-installed${extras:+-$extras}"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    # -qq: the build backend's notices about editable installs are not for users
    "${pip[@]}" install -qq -e ".${extras:+[$extras]}"
    touch "$stamp"
fi
