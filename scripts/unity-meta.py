#!/usr/bin/env python3
"""Writes the .meta file Unity needs beside every asset of the Unity package (src/AuthForge.Unity) that has none.

Packages installed from git are immutable: Unity ignores an asset without its .meta there. The GUID is derived from the
asset's path inside the package, so it is stable (re-running writes the same file) and never collides with another
file of this package. Existing .meta files are left alone. Run after adding a file or folder to the package."""
import hashlib
import os
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "AuthForge.Unity")
PACKAGE = "com.authforge.client"

IMPORTERS = {
    ".cs": "MonoImporter:\n  externalObjects: {}\n  serializedVersion: 2\n  defaultReferences: []\n  executionOrder: 0\n"
           "  icon: {instanceID: 0}\n",
    ".asmdef": "AssemblyDefinitionImporter:\n  externalObjects: {}\n",
    "package.json": "PackageManifestImporter:\n  externalObjects: {}\n",
    ".md": "TextScriptImporter:\n  externalObjects: {}\n",
    "folder": "DefaultImporter:\n  externalObjects: {}\n",
}


def guid(relative):
    return hashlib.md5((PACKAGE + "/" + relative).encode("utf-8")).hexdigest()


def meta_text(relative, is_dir):
    name = os.path.basename(relative)
    if is_dir:
        importer, head = IMPORTERS["folder"], "folderAsset: yes\n"
    elif name in IMPORTERS:
        importer, head = IMPORTERS[name], ""
    else:
        ext = os.path.splitext(name)[1]
        if ext not in IMPORTERS:
            sys.exit("unity-meta: no importer known for " + relative)
        importer, head = IMPORTERS[ext], ""
    return ("fileFormatVersion: 2\nguid: " + guid(relative) + "\n" + head + importer
            + "  userData: \n  assetBundleName: \n  assetBundleVariant: \n")


def main():
    written = 0
    for directory, dirs, files in os.walk(ROOT):
        dirs.sort()
        for name in sorted(dirs) + sorted(files):
            path = os.path.join(directory, name)
            if name.endswith(".meta") or name.startswith("."):
                continue
            relative = os.path.relpath(path, ROOT).replace(os.sep, "/")
            meta = path + ".meta"
            if os.path.exists(meta):
                continue
            with open(meta, "w", newline="\n") as f:
                f.write(meta_text(relative, os.path.isdir(path)))
            written += 1
            print("unity-meta: wrote " + os.path.relpath(meta, os.path.join(ROOT, "..", "..")))
    print("unity-meta: %d .meta file(s) written" % written)


if __name__ == "__main__":
    main()
