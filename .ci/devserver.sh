# Sourced by CI stages: builds the DevServer once and starts instances of it on loopback, on free ports.
#   devserver_build                         builds tools/AuthForge.DevServer (Release) and sets DEVSERVER_DLL
#   devserver_start NAME [server options]   starts one on http://127.0.0.1:<free port> (https:// with --https)
#                                           and sets DEVSERVER_URL, DEVSERVER_PUBLIC_KEY (empty in v1/v2) and
#                                           DEVSERVER_CERT_SHA256 (the self-signed certificate's fingerprint; empty
#                                           without --https)
#   devserver_stop_all                      stops every instance this shell started (also on exit)
# Each instance logs to $DEVSERVER_LOGS/NAME.log; a failed start prints that log.

DEVSERVER_PIDS=()
DEVSERVER_LOGS="${DEVSERVER_LOGS:-$(mktemp -d)}"

devserver_build() {
  dotnet build tools/AuthForge.DevServer/AuthForge.DevServer.csproj -c Release -nologo -v q -clp:ErrorsOnly >/dev/null
  DEVSERVER_DLL="$(pwd)/tools/AuthForge.DevServer/bin/Release/net10.0/AuthForge.DevServer.dll"
  [ -f "$DEVSERVER_DLL" ] || { echo "ci: the DevServer did not build ($DEVSERVER_DLL)" >&2; return 1; }
}

devserver_start() {
  local name=$1; shift
  local log="$DEVSERVER_LOGS/$name.log"
  local scheme=http arg
  for arg in "$@"; do [ "$arg" = "--https" ] && scheme=https; done
  dotnet "$DEVSERVER_DLL" --urls "$scheme://127.0.0.1:0" "$@" >"$log" 2>&1 </dev/null &
  local pid=$!
  DEVSERVER_PIDS+=("$pid")
  # A cold start on a loaded 2-core machine takes a few seconds; allow 120.
  local waited=0
  until grep -q '^Press Ctrl+C' "$log"; do
    if ! kill -0 "$pid" 2>/dev/null || [ "$waited" -ge 1200 ]; then
      echo "ci: DevServer '$name' did not start:" >&2; cat "$log" >&2; return 1
    fi
    sleep 0.1; waited=$((waited + 1))
  done
  DEVSERVER_URL="$(sed -n 's/^AuthForge DevServer listening on //p' "$log" | head -n 1)"
  DEVSERVER_PUBLIC_KEY="$(sed -n 's/^  public key (base64): //p' "$log" | head -n 1)"
  DEVSERVER_CERT_SHA256="$(sed -n 's/^  certificate SHA-256: //p' "$log" | head -n 1)"
  echo "ci: DevServer '$name' ($*) on $DEVSERVER_URL"
}

devserver_stop_all() { # SIGTERM: a background job of a script ignores SIGINT
  local pid
  for pid in "${DEVSERVER_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${DEVSERVER_PIDS[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  DEVSERVER_PIDS=()
}
