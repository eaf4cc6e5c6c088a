#!/usr/bin/env bash
# Stasis front end. The same script is installed as bin/dmtcp_coordinator, bin/dmtcp_launch,
# bin/dmtcp_restart, bin/dmtcp_command and bin/stasis; the name it is installed under (after
# following symbolic links) picks the command.
#
# Environment: JAVA_HOME (which java to use), STASIS_JAVA_OPTS (extra JVM options),
# STASIS_DEBUG=1 (stack traces and debug logs), STASIS_FAST_LAUNCH=0 (launch through the JVM
# always, see 4.).

# 1. The descriptors our caller handed us (e.g. "3>file" in a job script), recorded before this
#    script opens anything and without a subprocess: the JVM marks every other descriptor
#    close-on-exec before it execs the user's program. Descriptors already close-on-exec (bash's
#    own, the glob's directory) would not reach the JVM anyway, so they are left out.
__stasis_fds=
for __stasis_f in /proc/$$/fd/*; do
    __stasis_fds+=" ${__stasis_f##*/}"
done
__stasis_inherited=
for __stasis_n in $__stasis_fds; do
    case $__stasis_n in 0|1|2|'*') continue ;; esac
    [[ -e /proc/$$/fd/$__stasis_n ]] || continue
    __stasis_flags=
    while read -r __stasis_k __stasis_v; do
        if [[ $__stasis_k == flags: ]]; then __stasis_flags=$__stasis_v; break; fi
    done < "/proc/$$/fdinfo/$__stasis_n"
    if [[ -n $__stasis_flags ]] && (( (8#$__stasis_flags & 8#2000000) != 0 )); then
        continue # O_CLOEXEC
    fi
    __stasis_inherited+="${__stasis_inherited:+,}$__stasis_n"
done
export STASIS_INHERITED_FDS=$__stasis_inherited
unset __stasis_fds __stasis_f __stasis_n __stasis_k __stasis_v __stasis_flags __stasis_inherited

# 2. Where we are installed: <home>/bin/<command>, found through any symbolic links.
self=$(readlink -f -- "$0") || { echo "${0##*/}: cannot resolve $0" >&2; exit 1; }
prog=${self##*/}
bindir=${self%/*}
home=${bindir%/*}

# 3. The checkpoint agent must not be preloaded into the JVM itself (a launched program that
#    runs dmtcp_command would otherwise checkpoint our JVM): drop it from LD_PRELOAD.
if [[ -n ${LD_PRELOAD-} ]]; then
    __stasis_keep=
    __stasis_oldifs=$IFS
    IFS=': '
    set -f
    for __stasis_p in $LD_PRELOAD; do
        case $__stasis_p in
            */libstasis.so | libstasis.so | '') ;;
            *) __stasis_keep+="${__stasis_keep:+:}$__stasis_p" ;;
        esac
    done
    set +f
    IFS=$__stasis_oldifs
    if [[ -n $__stasis_keep ]]; then export LD_PRELOAD=$__stasis_keep; else unset LD_PRELOAD; fi
    unset __stasis_keep __stasis_oldifs __stasis_p
fi

# 4. dmtcp_launch / stasis launch try the native fast path first: lib/stasis-fastlaunch launches
#    without a JVM when it joins a running coordinator and the launch plan the Java front end
#    cached still holds (docs/architecture.md, "Fast launch"). Anything else it hands back by
#    running this script again with STASIS_FAST_LAUNCH_FALLBACK=1, which goes straight on to Java
#    (and is removed here, so the program never sees it). It inherits our descriptors exactly as
#    our caller gave them and opens its own close-on-exec, so the program gets the same ones as
#    through the JVM. STASIS_FAST_LAUNCH=0 turns the fast path off.
if [[ -n ${STASIS_FAST_LAUNCH_FALLBACK+set} ]]; then
    unset STASIS_FAST_LAUNCH_FALLBACK
elif [[ ${STASIS_FAST_LAUNCH-} != 0 && -x $home/lib/stasis-fastlaunch ]] &&
        [[ $prog == dmtcp_launch || ( $prog == stasis && ${1-} == launch ) ]]; then
    exec "$home/lib/stasis-fastlaunch" "$self" "$home" "$prog" "$@"
fi

if [[ -n ${JAVA_HOME-} && -x $JAVA_HOME/bin/java ]]; then
    java=$JAVA_HOME/bin/java
elif command -v java >/dev/null 2>&1; then
    java=java
else
    echo "$prog: cannot find java (install Java 17 or newer, or set JAVA_HOME)" >&2
    exit 1
fi

# Fast start: the front ends are short-lived and replace themselves with the program. One JIT
# thread leaves the second core to the work; our own jars (lib/) are not re-verified at every
# start, which saves about a tenth of the start-up (verification guards against malformed
# bytecode, and these jars are the installation's own); jnr-ffi, used for a single execve,
# calls through reflection instead of generating bytecode with ASM first.
# jffi (used for execve) loads its JNI stub from lib/jni rather than unpacking it into a
# temporary directory, which fails where /tmp is mounted noexec.
# The JVM raises its soft descriptor limit to the hard one, and a program it starts (launch)
# would inherit that: front ends keep the caller's (-MaxFDLimit), so that a program under
# launch sees the limit it sees without. The coordinator, one connection per process, raises it.
fdlimit=-XX:-MaxFDLimit
if [[ $prog == dmtcp_coordinator || ( $prog == stasis && ${1-} == coordinator ) ]]; then
    fdlimit=-XX:+MaxFDLimit
fi
# shellcheck disable=SC2206
jvm=($fdlimit -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:CICompilerCount=1 -Xshare:auto -XX:-UsePerfData -Xss1m
     -XX:+UnlockDiagnosticVMOptions -XX:-BytecodeVerificationRemote -Djnr.ffi.asm.enabled=false
     "-Djava.io.tmpdir=${TMPDIR:-/tmp}" "-Djffi.boot.library.path=$home/lib/jni/${HOSTTYPE:-x86_64}-Linux"
     $STASIS_JAVA_OPTS
     "-Dstasis.home=$home" "-Dstasis.prog=$prog" -cp "$home/lib/*" org.stasis.cli.Main)

# 5. dmtcp_coordinator --daemon: detach (new session, stdio to /dev/null; --coord-logfile is
#    opened by the coordinator itself) and return once it listens, so that a job script can read
#    the --port-file right after this command, as with DMTCP.
daemon=0
if [[ $prog == dmtcp_coordinator || ( $prog == stasis && ${1-} == coordinator ) ]]; then
    for a in "$@"; do
        case $a in
            --daemon) daemon=1 ;;
            --help | --version) daemon=0; break ;;
        esac
    done
fi
if (( daemon )); then
    ready=$(mktemp "${TMPDIR:-/tmp}/stasis-coordinator.XXXXXX") || {
        echo "$prog: cannot create a temporary file in ${TMPDIR:-/tmp}" >&2; exit 1; }
    if command -v setsid >/dev/null 2>&1; then detach=setsid; else detach=; fi
    STASIS_READY_FILE=$ready $detach "$java" "${jvm[@]}" "$@" </dev/null >/dev/null 2>&1 &
    pid=$!
    # The coordinator writes "ready PORT" or "error MESSAGE" once it knows (at most 30 s).
    for ((i = 0; i < 600; i++)); do
        [[ -s $ready ]] && break
        kill -0 "$pid" 2>/dev/null || { sleep 0.05; break; }
        sleep 0.05
    done
    state= msg=
    [[ -s $ready ]] && read -r state msg < "$ready"
    rm -f -- "$ready" "$ready.w"
    case $state in
        ready) exit 0 ;;
        error) echo "$prog: $msg" >&2; exit 1 ;;
    esac
    if kill -0 "$pid" 2>/dev/null; then
        kill "$pid" 2>/dev/null
        echo "$prog: the coordinator did not start within 30 s" >&2
    else
        echo "$prog: the coordinator exited during startup (run it without --daemon to see why)" >&2
    fi
    exit 1
fi

exec "$java" "${jvm[@]}" "$@"
