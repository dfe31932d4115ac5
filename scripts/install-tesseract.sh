#!/bin/sh
# Install the tesseract OCR engine when it is missing: apt-get on Debian/Ubuntu, brew on macOS.
set -e
if command -v tesseract >/dev/null 2>&1; then
    exit 0
fi
if command -v apt-get >/dev/null 2>&1; then
    if [ "$(id -u)" -eq 0 ]; then SUDO=""; elif command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
        echo "km: tesseract is missing and installing it needs root: run 'apt-get install tesseract-ocr' as root" >&2
        exit 1
    fi
    echo "km: installing tesseract-ocr with apt-get" >&2
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq tesseract-ocr >/dev/null
elif command -v brew >/dev/null 2>&1; then
    echo "km: installing tesseract with Homebrew" >&2
    brew install tesseract
else
    echo "km: tesseract is missing and neither apt-get nor brew is available." >&2
    echo "    Install it with your system's package manager (the package is usually 'tesseract' or 'tesseract-ocr')." >&2
    exit 1
fi
command -v tesseract >/dev/null 2>&1 || { echo "km: tesseract still not found after installing" >&2; exit 1; }
