#!/usr/bin/env bash
# Keeps the Unity package (src/AuthForge.Unity) in step with the repository: its Runtime/AuthForge.cs is a byte-for-byte
# copy of the root's AuthForge.cs (the tests fail, naming this script, when it is not). Run it after changing
# AuthForge.cs and commit both. With --check it changes nothing and exits 1 when the copy differs.
set -euo pipefail
cd "$(dirname "$0")/.."
source=AuthForge.cs
copy=src/AuthForge.Unity/Runtime/AuthForge.cs
if [ "${1:-}" = "--check" ]; then
  if cmp -s "$source" "$copy"; then echo "unity-package: $copy is identical to $source"; exit 0; fi
  echo "unity-package: $copy differs from $source; run scripts/sync-unity-package.sh and commit the copy" >&2
  exit 1
fi
cp "$source" "$copy"
echo "unity-package: copied $source to $copy"
