#!/usr/bin/env bash
# CI stage: the two packages built from AuthForge.cs, installed the way users install them.
#   1. `dotnet pack` at the repository root makes exactly AuthForge.Client and AuthForge.Client.Sources, never an
#      id "AuthForge" (the official SDK's), with README, MIT expression, XML docs and the commit they came from.
#   2. Packing a clone of the same commit in another directory gives byte-identical entries (deterministic).
#   3. Fresh consumers restore each package from a local folder feed (nuget.org only for the SDK's own packages),
#      build with warnings as errors, and run against a DevServer: net10.0 on the compiled package; net10.0 and
#      net472 (under Mono, when installed) on the source package.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
work="$(mktemp -d)"
source .ci/devserver.sh
trap 'devserver_stop_all; rm -rf "$work"' EXIT
commit="$(git rev-parse HEAD 2>/dev/null || echo unknown)"

echo "== pack (dotnet pack at the repository root)"
dotnet pack -c Release -o "$work/feed" -nologo -v q -p:RepositoryCommit="$commit" >"$work/pack.log" 2>&1 \
  || { cat "$work/pack.log"; exit 1; }
ls "$work/feed"
[ "$(ls "$work/feed" | sort | tr '\n' ' ')" = "AuthForge.Client.1.0.0.nupkg AuthForge.Client.Sources.1.0.0.nupkg " ] \
  || { echo "ci: expected exactly AuthForge.Client and AuthForge.Client.Sources" >&2; exit 1; }

check_nuspec() { # package pattern...
  local package=$1; shift
  local nuspec; nuspec="$(unzip -p "$work/feed/$package" '*.nuspec')"
  for pattern in "$@"; do
    grep -q -- "$pattern" <<<"$nuspec" || { echo "ci: $package: nuspec lacks $pattern" >&2; echo "$nuspec" >&2; exit 1; }
  done
}
entries() { unzip -Z1 "$work/feed/$1" | sort | tr '\n' ' '; }
for p in AuthForge.Client AuthForge.Client.Sources; do
  check_nuspec "$p.1.0.0.nupkg" "<id>$p</id>" '<license type="expression">MIT</license>' '<readme>README.md</readme>' \
    "<repository type=\"git\" commit=\"$commit\""
done
for e in README.md lib/netstandard2.0/AuthForge.dll lib/netstandard2.0/AuthForge.xml lib/net8.0/AuthForge.dll lib/net8.0/AuthForge.xml; do
  grep -q " $e " <<<" $(entries AuthForge.Client.1.0.0.nupkg)" || { echo "ci: AuthForge.Client lacks $e" >&2; exit 1; }
done
grep -q ' contentFiles/cs/any/AuthForge/AuthForge.cs ' <<<" $(entries AuthForge.Client.Sources.1.0.0.nupkg)" \
  || { echo "ci: AuthForge.Client.Sources lacks contentFiles/cs/any/AuthForge/AuthForge.cs" >&2; exit 1; }
if unzip -Z1 "$work/feed/AuthForge.Client.Sources.1.0.0.nupkg" | grep -q '^lib/'; then
  echo "ci: AuthForge.Client.Sources must not ship a compiled assembly" >&2; exit 1
fi
# A packed assembly grants no InternalsVisibleTo: any assembly a user named AuthForge.Tests would see the test seams.
for tfm in netstandard2.0 net8.0; do
  if unzip -p "$work/feed/AuthForge.Client.1.0.0.nupkg" "lib/$tfm/AuthForge.dll" | grep -a -q -e 'AuthForge\.Tests' -e 'AuthForge\.Benchmarks'; then
    echo "ci: AuthForge.Client's $tfm assembly grants InternalsVisibleTo; packed builds must not" >&2; exit 1
  fi
done
# Each package page shows the README written for it, not the repository's (whose relative links lead nowhere there).
unzip -p "$work/feed/AuthForge.Client.1.0.0.nupkg" README.md | cmp - src/AuthForge/PACKAGE-README.md \
  || { echo "ci: AuthForge.Client's README is not src/AuthForge/PACKAGE-README.md" >&2; exit 1; }
unzip -p "$work/feed/AuthForge.Client.Sources.1.0.0.nupkg" README.md | cmp - src/AuthForge.Sources/PACKAGE-README.md \
  || { echo "ci: AuthForge.Client.Sources's README is not src/AuthForge.Sources/PACKAGE-README.md" >&2; exit 1; }
unzip -p "$work/feed/AuthForge.Client.Sources.1.0.0.nupkg" contentFiles/cs/any/AuthForge/AuthForge.cs | cmp - AuthForge.cs \
  || { echo "ci: the source package's AuthForge.cs differs from the repository's" >&2; exit 1; }

echo "== deterministic: packing a fresh clone of the same commit in another directory gives byte-identical entries"
if [ -n "$(git status --porcelain -- AuthForge.cs src/AuthForge src/AuthForge.Sources Directory.Build.props 2>/dev/null)" ]; then
  echo "ci: uncommitted changes to the packaged files: the two-pack comparison needs a committed tree; skipped"
else
  git clone -q --no-hardlinks "$root" "$work/copy"
  for proj in src/AuthForge/AuthForge.csproj src/AuthForge.Sources/AuthForge.Sources.csproj; do
    dotnet pack "$work/copy/$proj" -c Release -o "$work/feed2" -nologo -v q -p:RepositoryCommit="$commit" >"$work/pack2.log" 2>&1 \
      || { cat "$work/pack2.log"; exit 1; }
  done
  for package in AuthForge.Client.1.0.0.nupkg AuthForge.Client.Sources.1.0.0.nupkg; do
    mkdir -p "$work/a/$package" "$work/b/$package"
    (cd "$work/a/$package" && unzip -q "$work/feed/$package")
    (cd "$work/b/$package" && unzip -q "$work/feed2/$package")
    # The .psmdcp core-properties part is named by a random id per pack; the zip's timestamps are the pack's time.
    diff -r -x '*.psmdcp' "$work/a/$package" "$work/b/$package" >/dev/null \
      || { echo "ci: $package differs between two packs of the same commit" >&2; diff -rq "$work/a/$package" "$work/b/$package" >&2; exit 1; }
  done
  echo "ci: both packages have byte-identical entries (assemblies, XML docs, nuspec, README, source) when packed twice"
fi

echo "== consumers from a local folder feed"
export NUGET_PACKAGES="$work/nuget-cache"   # nothing cached from an earlier run can stand in for the new package
cat > "$work/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="local" value="$work/feed" />
    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
  </packageSources>
  <packageSourceMapping>
    <packageSource key="local"><package pattern="AuthForge.Client" /><package pattern="AuthForge.Client.*" /></packageSource>
    <packageSource key="nuget.org"><package pattern="*" /></packageSource>
  </packageSourceMapping>
</configuration>
XML

consumer() { # dir tfm package extra-properties extra-items
  local dir="$work/$1"
  mkdir -p "$dir"
  cp "$work/nuget.config" "$dir/"
  cat > "$dir/Consumer.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>$2</TargetFramework>
    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
    $4
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="$3" Version="1.0.0" />
    $5
  </ItemGroup>
</Project>
XML
  cp .ci/PackageConsumer.cs "$dir/Program.cs"
  (cd "$dir" && dotnet build -c Release -nologo -v q -warnaserror >"$dir/build.log" 2>&1) \
    || { echo "ci: consumer $1 did not build warning-free:" >&2; grep -E 'error|warning' "$dir/build.log" | sort -u >&2; exit 1; }
  grep -q 'warning' "$dir/build.log" && { echo "ci: consumer $1 built with warnings" >&2; cat "$dir/build.log" >&2; exit 1; }
  echo "ci: consumer $1 ($2, $3) builds with zero warnings"
}

# What `dotnet new console` gives a user (Nullable and implicit usings on), plus warnings as errors.
modern='<Nullable>enable</Nullable><ImplicitUsings>enable</ImplicitUsings>'
consumer compiled net10.0 AuthForge.Client "$modern" ''
consumer source net10.0 AuthForge.Client.Sources "$modern" ''
# A .NET Framework project as most are: no Nullable, C# 8 set (its default is 7.3), no System.Net.Http reference
# (the source package's build file adds it).
consumer source-framework net472 AuthForge.Client.Sources '<LangVersion>8.0</LangVersion>' \
  '<PackageReference Include="Microsoft.NETFramework.ReferenceAssemblies" Version="1.0.3" PrivateAssets="all" />'

devserver_build
devserver_start packages --license PACKAGE-KEY
run_consumer() { # name expected-origin command...
  local name=$1 origin=$2; shift 2
  echo "-- $name"
  "$@" "$DEVSERVER_URL" "$DEVSERVER_PUBLIC_KEY" PACKAGE-KEY "$origin"
}
run_consumer compiled package dotnet "$work/compiled/bin/Release/net10.0/Consumer.dll"
run_consumer source source dotnet "$work/source/bin/Release/net10.0/Consumer.dll"
if command -v mono >/dev/null 2>&1; then
  run_consumer source-framework source mono "$work/source-framework/bin/Release/net472/Consumer.exe"
else
  echo "ci: mono is not installed: the net472 consumer was built, not run (.ci/mono.sh installs it)"
fi
echo "ci: packages green"
