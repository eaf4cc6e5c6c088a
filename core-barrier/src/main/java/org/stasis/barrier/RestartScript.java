package org.stasis.barrier;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

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
     * @param scriptEnv variables the computation's plugins asked the script to export
     * @param bundles plugin bundles the computation was launched with, for {@code dmtcp_restart}
     * @return the script file
     */
    static Path writeInto(Path ckptDir, Path stasisHome, String compid, int generation, String host, int port,
            int interval, List<String> images, Map<String, String> scriptEnv, List<Path> bundles) throws IOException {
        Path dir = ckptDir.toAbsolutePath().normalize();
        List<String> absolute = images.stream().map(i -> dir.resolve(i).normalize().toString()).toList();
        Path script = dir.resolve(fileName(compid));
        AtomicFiles.write(script, render(restartCommand(stasisHome), compid, generation, host, port, interval, absolute,
                exports(scriptEnv, bundles)), "rwx------");
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

    static String render(String restartCommand, String compid, int generation, String host, int port,
            int interval, List<String> images, String exports) {
        StringBuilder imageList = new StringBuilder();
        for (String image : images) {
            imageList.append("  ").append(quote(image)).append('\n');
        }
        return """
                #!/bin/bash
                # Restarts computation %1$s from generation %2$d.
                # Written by the Stasis coordinator on %3$s.

                usage() {
                  cat <<'EOF'
                Usage: dmtcp_restart_script.sh [OPTIONS]
                Restart the checkpointed computation from its newest images.

                Options:
                  -h, --coord-host HOST   coordinator host (env DMTCP_COORD_HOST, default %4$s)
                  -p, --coord-port PORT   coordinator port (env DMTCP_COORD_PORT, default %5$d)
                  -i, --interval SECONDS  checkpoint interval after restart (0 = never; env
                                          DMTCP_CHECKPOINT_INTERVAL, default %10$d, the
                                          computation's interval at this checkpoint)
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
                    --ckptdir) need_value "$@"; options+=(--ckptdir "$2"); shift 2 ;;
                    --ckptdir=*) options+=(--ckptdir "${1#*=}"); shift ;;
                    --no-strict-checking) options+=(--no-strict-checking); shift ;;
                    --help) usage; exit 0 ;;
                    *) echo "$0: unknown option: $1" >&2; usage >&2; exit 1 ;;
                  esac
                done

                if [ -n "$interval" ]; then options+=(--interval "$interval"); fi

                images=(
                %7$s)

                %9$s# exec, so whoever started this script (a batch job) waits on the restarted program.
                exec %8$s --coord-host "$coord_host" --coord-port "$coord_port" "${options[@]}" "${images[@]}"
                """.formatted(compid, generation, Instant.now(), host.replace("'", ""), port, quote(host),
                imageList, quote(restartCommand), exports, interval);
    }

    /** Single quotes make every byte literal to bash; an embedded quote is closed, escaped, reopened. */
    static String quote(String value) {
        return "'" + value.replace("'", "'\\''") + "'";
    }
}
