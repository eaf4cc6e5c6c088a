package org.stasis.barrier;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.IntStream;

/**
 * The {@code dmtcp_restart_script.sh} users run to bring a computation back, with the options
 * of DMTCP's script. Rendering is pure; {@link #writeInto} does the file work.
 */
final class RestartScript {
    static final String LINK_NAME = "dmtcp_restart_script.sh";

    private RestartScript() {}

    static String fileName(String compid) {
        return "dmtcp_restart_script_" + compid + ".sh";
    }

    /**
     * Writes the script for this generation and repoints the stable link at it.
     *
     * @param interval the checkpoint interval in force (seconds, 0 for none): a restarted job keeps
     *        being checkpointed as the launched one was
     * @param images the images, as the workers reported them
     * @param hosts the host each image's process ran on, in the same order
     * @param scriptEnv variables the computation's plugins asked the script to export
     * @param bundles plugin bundles the computation was launched with, for {@code dmtcp_restart}
     * @return the script file
     */
    static Path writeInto(Path ckptDir, Path stasisHome, String compid, int generation, String host, int port,
            int interval, List<String> images, List<String> hosts, Map<String, String> scriptEnv, List<Path> bundles)
            throws IOException {
        if (hosts.size() != images.size()) {
            throw new IllegalArgumentException(images.size() + " images but " + hosts.size() + " hosts");
        }
        Path dir = ckptDir.toAbsolutePath().normalize();
        // By host name, so that a host file's lines map to the hosts in an order the user can
        // tell, the same at every generation (the workers' order is that of their joining).
        List<Integer> order = IntStream.range(0, images.size()).boxed()
                .sorted(Comparator.comparing(hosts::get)).toList();
        List<String> absolute = order.stream().map(i -> dir.resolve(images.get(i)).normalize().toString()).toList();
        List<String> byHost = order.stream().map(hosts::get).toList();
        Path script = dir.resolve(fileName(compid));
        AtomicFiles.write(script, render(restartCommand(stasisHome), compid, generation, host, port, interval, absolute,
                byHost, exports(scriptEnv, bundles), forwarded(scriptEnv, bundles)), "rwx------");
        // Relative, so the checkpoint directory can be moved or mounted elsewhere as a whole.
        AtomicFiles.symlink(dir.resolve(LINK_NAME), Path.of(fileName(compid)));
        return script;
    }

    static String restartCommand(Path stasisHome) {
        return stasisHome == null
                ? "dmtcp_restart"
                : stasisHome.toAbsolutePath().normalize().resolve("bin").resolve("dmtcp_restart").toString();
    }

    /**
     * The {@code export} lines, one per variable, then a blank line; empty when there is nothing
     * to export.
     *
     * @throws IllegalArgumentException for a name {@link ScriptEnvironment} does not allow
     *         (HELLO parsing refuses those, so this is a caller's bug)
     */
    static String exports(Map<String, String> scriptEnv, List<Path> bundles) {
        StringBuilder out = new StringBuilder();
        for (Map.Entry<String, String> e : scriptEnv.entrySet()) {
            String problem = ScriptEnvironment.nameProblem(e.getKey());
            if (problem != null) {
                throw new IllegalArgumentException(problem);
            }
            out.append("export ").append(e.getKey()).append('=').append(quote(e.getValue())).append('\n');
        }
        if (!bundles.isEmpty()) {
            List<String> paths = bundles.stream().map(Path::toString).toList();
            out.append("export ").append(ScriptEnvironment.BUNDLES_VARIABLE).append('=')
                    .append(quote(String.join(":", paths))).append('\n');
        }
        return out.length() == 0 ? "" : "# Set by the computation's plugins at launch.\n" + out + "\n";
    }

    /**
     * The variables a restart on another host is given when they are set: those the script
     * exports, and where the coordinator's secret file is looked for.
     */
    static List<String> forwarded(Map<String, String> scriptEnv, List<Path> bundles) {
        List<String> names = new ArrayList<>(scriptEnv.keySet());
        if (!bundles.isEmpty()) {
            names.add(ScriptEnvironment.BUNDLES_VARIABLE);
        }
        names.add("STASIS_SECRET_DIR");
        return names;
    }

    static String render(String restartCommand, String compid, int generation, String host, int port,
            int interval, List<String> images, List<String> hosts, String exports, List<String> forwarded) {
        return """
                #!/bin/bash
                # Restarts computation %1$s from generation %2$d.
                # Written by the Stasis coordinator on %3$s.

                usage() {
                  cat <<'EOF'
                Usage: dmtcp_restart_script.sh [OPTIONS]
                Restart the checkpointed computation from its newest images, each host's images on
                that host (with ssh, or STASIS_REMOTE_SHELL, for the hosts other than this one), or
                all here when the computation ran on one host.

                Options:
                  -h, --coord-host HOST   coordinator host (env DMTCP_COORD_HOST, default %4$s)
                  -p, --coord-port PORT   coordinator port (env DMTCP_COORD_PORT, default %5$d)
                  -i, --interval SECONDS  checkpoint interval after restart (0 = never; env
                                          DMTCP_CHECKPOINT_INTERVAL, default %10$d, the
                                          computation's interval at this checkpoint)
                  --hostfile FILE         restart on the hosts FILE names (one per line, '#' starts
                                          a comment): the computation's hosts, in alphabetical
                                          order (%13$s), on the file's in turn, round again
                                          when it names fewer; one host takes everything
                  --ckptdir DIR           directory for the next checkpoint images
                  --no-strict-checking    allow a different user to restart the images
                  --help                  print this message and exit
                EOF
                }

                coord_host=${DMTCP_COORD_HOST:-%6$s}
                coord_port=${DMTCP_COORD_PORT:-%5$d}
                # The interval the computation had: the restarted one is checkpointed the same way
                # unless -i or DMTCP_CHECKPOINT_INTERVAL (read by dmtcp_restart) says otherwise.
                interval=%10$d
                if [ "$interval" = 0 ] || [ -n "${DMTCP_CHECKPOINT_INTERVAL:-}" ]; then interval=""; fi
                options=()
                hostfile=""

                need_value() {
                  if [ "$#" -lt 2 ]; then
                    echo "$0: option $1 needs a value" >&2
                    usage >&2
                    exit 1
                  fi
                }

                while [ "$#" -gt 0 ]; do
                  case "$1" in
                    -h|--coord-host) need_value "$@"; coord_host=$2; shift 2 ;;
                    --coord-host=*) coord_host=${1#*=}; shift ;;
                    -p|--coord-port) need_value "$@"; coord_port=$2; shift 2 ;;
                    --coord-port=*) coord_port=${1#*=}; shift ;;
                    -i|--interval) need_value "$@"; interval=$2; shift 2 ;;
                    --interval=*) interval=${1#*=}; shift ;;
                    --hostfile) need_value "$@"; hostfile=$2; shift 2 ;;
                    --hostfile=*) hostfile=${1#*=}; shift ;;
                    --ckptdir) need_value "$@"; options+=(--ckptdir "$2"); shift 2 ;;
                    --ckptdir=*) options+=(--ckptdir "${1#*=}"); shift ;;
                    --no-strict-checking) options+=(--no-strict-checking); shift ;;
                    --help) usage; exit 0 ;;
                    *) echo "$0: unknown option: $1" >&2; usage >&2; exit 1 ;;
                  esac
                done

                # The interval is the coordinator's: only a restart that may start it passes it on.
                here_options=("${options[@]}")
                if [ -n "$interval" ]; then here_options+=(--interval "$interval"); fi

                images=(
                %7$s)
                # The host each image's process ran on, in the same order (by host name).
                image_hosts=(
                %11$s)

                %9$srestart=%8$s

                # The computation's hosts in order, and where each one's images restart.
                hosts=()
                for h in "${image_hosts[@]}"; do
                  case " ${hosts[*]} " in *" $h "*) ;; *) hosts+=("$h") ;; esac
                done
                new_hosts=()
                if [ -n "$hostfile" ]; then
                  if [ ! -r "$hostfile" ] || [ -d "$hostfile" ]; then
                    echo "$0: cannot read the host file $hostfile" >&2
                    exit 1
                  fi
                  while IFS= read -r line || [ -n "$line" ]; do
                    line=${line%%%%#*}
                    read -r first _ <<< "$line" || true
                    if [ -n "$first" ]; then new_hosts+=("$first"); fi
                  done < "$hostfile"
                  if [ "${#new_hosts[@]}" -eq 0 ]; then
                    echo "$0: the host file $hostfile names no host" >&2
                    exit 1
                  fi
                fi
                target_of() {
                  local i
                  if [ "${#new_hosts[@]}" -eq 0 ]; then echo "$1"; return; fi
                  for i in "${!hosts[@]}"; do
                    if [ "${hosts[$i]}" = "$1" ]; then echo "${new_hosts[$((i %% ${#new_hosts[@]}))]}"; return; fi
                  done
                }
                me=$(uname -n)
                is_here() {
                  case "$1" in localhost|127.0.0.1|"$me"|"${me%%%%.*}") return 0 ;; esac
                  return 1
                }
                targets=()
                for h in "${hosts[@]}"; do
                  t=$(target_of "$h")
                  case " ${targets[*]} " in *" $t "*) ;; *) targets+=("$t") ;; esac
                done

                # All on one host, here: one restorer for all. A computation that ran on one host
                # restarts here wherever it ran (a batch job requeued on another node), unless a
                # host file says where. exec, so whoever started this script (a batch job) waits on
                # the restarted program.
                if { [ "${#hosts[@]}" -le 1 ] && [ -z "$hostfile" ]; } || { [ "${#targets[@]}" -eq 1 ] && is_here "${targets[0]}"; }; then
                  exec "$restart" --coord-host "$coord_host" --coord-port "$coord_port" "${here_options[@]}" "${images[@]}"
                fi

                # On several hosts, or on another: one restart per host, each told that the others
                # restart elsewhere, all joining one coordinator.
                images_on() {
                  local i
                  for i in "${!images[@]}"; do
                    if [ "$(target_of "${image_hosts[$i]}")" = "$1" ]; then printf '%%s\n' "${images[$i]}"; fi
                  done
                }
                pids=()
                started=()
                for t in "${targets[@]}"; do # this host's first: its restart may start the coordinator
                  if is_here "$t"; then
                    mapfile -t mine < <(images_on "$t")
                    STASIS_RESTART_OTHERS_ELSEWHERE=1 \\
                      "$restart" --coord-host "$coord_host" --coord-port "$coord_port" "${here_options[@]}" "${mine[@]}" &
                    pids+=("$!")
                    started+=("$t")
                  fi
                done
                answers() {
                  "$(dirname "$restart")/dmtcp_command" --coord-host "$coord_host" --coord-port "$coord_port" -s \
                    >/dev/null 2>&1
                }
                tries=1
                if [ "${#pids[@]}" -gt 0 ]; then tries=300; fi
                for ((k = 0; k < tries; k++)); do
                  if answers; then break; fi
                  if [ "$k" -lt $((tries - 1)) ]; then sleep 0.1; fi
                done
                if ! answers; then
                  echo "$0: no coordinator answers at $coord_host:$coord_port for the other hosts to join; start one there first (dmtcp_coordinator --daemon -p $coord_port) or name it with -h and -p" >&2
                  if [ "${#pids[@]}" -gt 0 ]; then kill "${pids[@]}" 2>/dev/null; fi
                  exit 1
                fi
                forward=(%12$s)
                remote_shell=${STASIS_REMOTE_SHELL:-ssh}
                for t in "${targets[@]}"; do
                  if is_here "$t"; then continue; fi
                  mapfile -t theirs < <(images_on "$t")
                  vars=()
                  for v in "${forward[@]}"; do
                    if [ -n "${!v+set}" ]; then vars+=("$v=${!v}"); fi
                  done
                  remote="cd $(printf '%%q' "$PWD") && exec env$(printf ' %%q' STASIS_RESTART_OTHERS_ELSEWHERE=1 "${vars[@]}" \
                    "$restart" --join-coordinator --coord-host "$coord_host" --coord-port "$coord_port" "${options[@]}" \
                    "${theirs[@]}")"
                  # shellcheck disable=SC2086 # the remote shell may carry options ("ssh -F file")
                  $remote_shell "$t" "$remote" < /dev/null &
                  pids+=("$!")
                  started+=("$t")
                done
                status=0
                for i in "${!pids[@]}"; do
                  wait "${pids[$i]}"
                  rc=$?
                  if [ "$rc" -ne 0 ]; then
                    mapfile -t lost < <(images_on "${started[$i]}")
                    echo "$0: the restart on ${started[$i]} ended with status $rc (${lost[*]##*/})" >&2
                    if [ "$status" -eq 0 ]; then status=$rc; fi
                  fi
                done
                exit "$status"
                """.formatted(compid, generation, Instant.now(), host.replace("'", ""), port, quote(host),
                lines(images), quote(restartCommand), exports, interval, lines(hosts), String.join(" ", forwarded),
                String.join(" ", new TreeSet<>(hosts)));
    }

    private static String lines(List<String> values) {
        StringBuilder out = new StringBuilder();
        for (String v : values) {
            out.append("  ").append(quote(v)).append('\n');
        }
        return out.toString();
    }

    /** Single quotes make every byte literal to bash; an embedded quote is closed, escaped, reopened. */
    static String quote(String value) {
        return "'" + value.replace("'", "'\\''") + "'";
    }
}
