#!/usr/bin/env bash
# CI stage: AuthForge.cs in a Native AOT app. Publishes tests/AuthForge.AotProbe (the file compiled into a console with
# PublishAot and IsAotCompatible) for linux-x64, fails on any warning of the publish (trim analysis IL2xxx, AOT IL3xxx,
# or any other), then runs the native binary against a v3 DevServer on 127.0.0.1: login, a heartbeat, a revocation.
# Installs clang and zlib1g-dev (what the native linker needs) from Debian's packages when absent.
set -euo pipefail
cd "$(dirname "$0")/.."
work="$(mktemp -d /tmp/authforge-aot.XXXXXX)"
source .ci/devserver.sh
cleanup() {
  local status=$?
  devserver_stop_all
  if [ "$status" -eq 0 ]; then rm -rf "$work"; else echo "aot-ci: logs kept in $work" >&2; fi
}
trap cleanup EXIT
fail() { echo "aot-ci: FAIL: $*" >&2; exit 1; }

# ---- 1. the native toolchain ------------------------------------------------------------------------------------
if ! command -v clang >/dev/null 2>&1 || ! dpkg -s zlib1g-dev >/dev/null 2>&1; then
  echo "== installing clang and zlib1g-dev from Debian's packages (the Native AOT linker's needs)"
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  lock=""; command -v flock >/dev/null 2>&1 && lock="flock /tmp/apt.lock"
  $sudo_cmd $lock apt-get -o DPkg::Lock::Timeout=900 update -q >/dev/null
  $sudo_cmd $lock env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 install -y -q --no-install-recommends clang zlib1g-dev >"$work/apt.log" 2>&1 \
    || { tail -n 20 "$work/apt.log" >&2; fail "apt-get could not install clang and zlib1g-dev"; }
fi
clang --version | head -n 1

# ---- 2. publish, counting every warning ------------------------------------------------------------------------
echo "== publish tests/AuthForge.AotProbe as Native AOT for linux-x64 (zero warnings allowed)"
started=$(date +%s)
set +e
# Warnings stay warnings here (not the repository's warnings-as-errors), so the compiler's analyzers, the trimmer and
# the AOT compiler each report all of theirs and the count below sees every one.
timeout 1800 dotnet publish tests/AuthForge.AotProbe/AuthForge.AotProbe.csproj -c Release -r linux-x64 -nologo \
  -p:TreatWarningsAsErrors=false -o "$work/app" </dev/null >"$work/publish.log" 2>&1
status=$?
set -e
# Each warning is printed where it arises and again in the summary: count distinct ones.
warnings=$(grep -E ': warning [A-Z]+[0-9]+' "$work/publish.log" | sed 's/ \[[^]]*\]$//' | sort -u || true)
count=$(printf '%s' "$warnings" | grep -c . || true)
if [ "$count" -ne 0 ]; then
  printf '%s\n' "$warnings" >&2
  fail "the Native AOT publish gave $count warning(s); AuthForge.cs must stay trim- and AOT-clean"
fi
if [ "$status" -ne 0 ]; then
  grep -E 'error' "$work/publish.log" | sort -u | head -n 40 >&2
  fail "dotnet publish (Native AOT, linux-x64) failed with exit code $status"
fi
binary="$work/app/AuthForge.AotProbe"
[ -x "$binary" ] || fail "the publish produced no native $binary"
file_type="$(head -c 4 "$binary" | od -An -c | tr -d ' ')"
[ "$file_type" = "177ELF" ] || fail "$binary is not an ELF executable"
echo "aot-ci: published in $(( $(date +%s) - started )) s, 0 warnings, $(( $(stat -c %s "$binary") / 1024 )) KiB native binary"

# ---- 3. run it against a v3 DevServer ----------------------------------------------------------------------------
devserver_build
# The DevServer's own demo app (demo-app / demo-secret): nothing secret is passed on a command line CI prints.
key="AOT-CI-KEY-0001"
devserver_start aot --mode v3 --license "$key"
[ -n "$DEVSERVER_PUBLIC_KEY" ] || fail "the v3 DevServer printed no public key"
set +e
timeout 300 "$binary" "$DEVSERVER_URL" demo-app demo-secret "$DEVSERVER_PUBLIC_KEY" "$key" </dev/null >"$work/run.out" 2>"$work/run.err"
status=$?
set -e
cat "$work/run.out"
if [ "$status" -ne 0 ] || ! grep -q '^aotprobe: result=pass' "$work/run.out"; then
  cat "$work/run.err" >&2
  fail "the native probe did not pass (exit $status)"
fi
grep -q '^aotprobe: native=yes' "$work/run.out" || fail "the probe ran with a JIT: not the Native AOT binary"
echo "aot-ci: PASS: Native AOT linux-x64, zero trim/AOT warnings; v3 login, heartbeat and revocation as expected"
