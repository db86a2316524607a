#!/usr/bin/env bash
# CI stage: AuthForge.cs on Mono (Unity's runtime family) and under Unity's define symbols.
#   1. Installs Mono from Debian's packages when absent: the smallest set the check needs, not mono-complete.
#   2. Builds tests/AuthForge.MonoCheck: AuthForge.cs compiled for .NET Framework 4.7.2 with C# 8 and Nullable off.
#   3. Starts three DevServers on loopback (v1, v2, v3) over TLS (--https, self-signed, pinned by fingerprint) and
#      runs the program under Mono: logins in v1, v2 and v3 with heartbeats, LOCAL mode, async calls, a revocation,
#      ValidateLicense, tampered answers, a huge body, a time-out and an untrusted certificate (see
#      tests/AuthForge.MonoCheck/MonoChecks.cs).
#   4. Compiles the file as Unity does (netstandard2.1, no *_OR_GREATER symbols, UNITY_2021_2_OR_NEWER) and proves
#      AuthForgeClient is IAsyncDisposable there, and that the probe fails without Unity's symbol.
set -euo pipefail
cd "$(dirname "$0")/.."
work="$(mktemp -d)"
source .ci/devserver.sh
trap 'devserver_stop_all; rm -rf "$work"' EXIT

# The smallest set: the VM (mono-runtime, with mscorlib and machine.config) and System.Net.Http, whose dependencies
# bring every other assembly the check loads (System, System.Core, System.Configuration, System.Xml, Mono.Security;
# measured with MONO_LOG_MASK=asm). Not mono-complete: no compilers or SDK are needed, the program is built by dotnet.
mono_packages="mono-runtime libmono-system-net-http4.0-cil"
if ! command -v mono >/dev/null 2>&1; then
  echo "== installing Mono from Debian's packages: $mono_packages"
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get -o DPkg::Lock::Timeout=900 update -q >/dev/null
  # shellcheck disable=SC2086
  $sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 install -y -q --no-install-recommends $mono_packages
fi
mono --version | head -n 1

echo "== build AuthForge.MonoCheck (net472, C# 8, Nullable off) and the DevServer"
dotnet build tests/AuthForge.MonoCheck/AuthForge.MonoCheck.csproj -c Release -nologo -v q -warnaserror >"$work/build.log" 2>&1 \
  || { grep -E 'error|warning' "$work/build.log" | sort -u >&2; exit 1; }
devserver_build

# Over TLS, as customers run it: each DevServer makes a self-signed certificate and prints its fingerprint; the
# program trusts exactly those (HttpClientHandler's validation callback, on Mono's own TLS stack), and also checks
# that Mono's default validation refuses them as tls_error.
echo "== run it under Mono against DevServers in v1, v2 and v3, over TLS"
devserver_start v1 --mode v1 --https; v1="$DEVSERVER_URL"; pins="$DEVSERVER_CERT_SHA256"
devserver_start v2 --mode v2 --https; v2="$DEVSERVER_URL"; pins="$pins,$DEVSERVER_CERT_SHA256"
devserver_start v3 --mode v3 --https; v3="$DEVSERVER_URL"; pins="$pins,$DEVSERVER_CERT_SHA256"; key="$DEVSERVER_PUBLIC_KEY"
timeout 600 mono --debug tests/AuthForge.MonoCheck/bin/Release/net472/AuthForge.MonoCheck.exe \
  --v1 "$v1" --v2 "$v2" --v3 "$v3" --public-key "$key" --cert-sha256 "$pins" --require-mono
devserver_stop_all

echo "== Unity's define symbols: IAsyncDisposable without *_OR_GREATER"
unity_build() { # name defines
  mkdir -p "$work/$1"
  cat > "$work/$1/Unity.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>netstandard2.1</TargetFramework>
    <LangVersion>9.0</LangVersion>
    <Nullable>disable</Nullable>
    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
    <EnableDefaultCompileItems>false</EnableDefaultCompileItems>
    <!-- Unity's compiler gets its own symbols, none of the SDK's NETSTANDARD*_OR_GREATER. -->
    <DisableImplicitFrameworkDefines>true</DisableImplicitFrameworkDefines>
    <DefineConstants>$2</DefineConstants>
  </PropertyGroup>
  <ItemGroup>
    <Compile Include="$(pwd)/AuthForge.cs" />
    <Compile Include="Probe.cs" />
  </ItemGroup>
</Project>
XML
  echo 'internal static class Probe { internal static System.IAsyncDisposable AsAsyncDisposable(AuthForge.AuthForgeClient c) => c; }' \
    > "$work/$1/Probe.cs"
  dotnet build "$work/$1/Unity.csproj" -nologo -v q >"$work/$1.log" 2>&1
}
unity_build unity2021 "UNITY_2021_2_OR_NEWER;UNITY_2021_1_OR_NEWER;UNITY_2020_3_OR_NEWER;NET_STANDARD_2_1;NET_STANDARD;NETSTANDARD2_1;NETSTANDARD;ENABLE_MONO" \
  || { echo "ci: under Unity 2021.2's symbols AuthForgeClient is not IAsyncDisposable:" >&2; grep -E 'error|warning' "$work/unity2021.log" | sort -u >&2; exit 1; }
echo "ci: Unity 2021.2+ symbols: AuthForgeClient is IAsyncDisposable, zero warnings"
if unity_build unity2020 "UNITY_2020_3_OR_NEWER;NET_STANDARD_2_0;NET_STANDARD;ENABLE_MONO"; then
  echo "ci: the probe compiled without Unity 2021.2's symbol: it proves nothing" >&2; exit 1
fi
grep -q 'CS0029' "$work/unity2020.log" || { echo "ci: the probe failed for another reason:" >&2; grep error "$work/unity2020.log" >&2; exit 1; }
echo "ci: without UNITY_2021_2_OR_NEWER the same probe fails (CS0029), as it must"
echo "ci: mono green"
