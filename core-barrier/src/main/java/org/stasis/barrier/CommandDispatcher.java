package org.stasis.barrier;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Turns COMMAND frames into kernel calls and kernel answers into RESULT frames. Loop confined. */
final class CommandDispatcher {
    private static final Logger log = LoggerFactory.getLogger(CommandDispatcher.class);

    private final CoordinatorKernel kernel;

    CommandDispatcher(CoordinatorKernel kernel) {
        this.kernel = kernel;
    }

    /** The future completes on the event loop: at once, or when a blocking checkpoint ends. */
    CompletableFuture<Message> dispatch(Message command) {
        String verb = command.get("verb", "");
        log.debug("command {}", verb);
        return switch (verb) {
            case "status" -> done(status(kernel.status()));
            case "list" -> done(list(kernel.workers()));
            case "checkpoint" -> {
                CheckpointStart start = kernel.requestCheckpoint("checkpoint command");
                yield done(start.started()
                        ? ok().put("generation", start.generation()).build()
                        : failed(start.error()));
            }
            case "bcheckpoint" -> kernel.requestCheckpoint("bcheckpoint command").result()
                    .thenApply(CommandDispatcher::checkpointResult);
            case "kcheckpoint" -> kernel.requestCheckpoint("kcheckpoint command").result().thenApply(r -> {
                // Only a durable generation justifies killing the job; after a failure it keeps running.
                if (r.ok()) {
                    kernel.killWorkers("kcheckpoint");
                }
                return checkpointResult(r);
            });
            case "interval" -> done(interval(command.get("value")));
            case "kill" -> kernel.checkpointSettled("kill command").thenApply(r -> {
                kernel.killWorkers("kill command");
                return settled(r);
            });
            case "quit" -> kernel.checkpointSettled("quit command").thenApply(r -> {
                kernel.quit();
                return settled(r);
            });
            case "restart-expect" -> restartExpect(command);
            default -> done(failed(verb.isEmpty() ? "COMMAND without verb" : "unknown command: " + verb));
        };
    }

    /** The answer to kill or quit: which checkpoint it waited for, if one was running, and how it ended. */
    private static Message settled(CheckpointResult waited) {
        Message.Builder m = ok();
        if (waited != null) {
            m.put("waited_generation", waited.generation()).put("waited_ok", waited.ok() ? 1 : 0);
            if (!waited.ok()) {
                m.put("waited_error", oneLine(waited.error()));
            }
        }
        return m.build();
    }

    /** A restart front end's word about a restart of some of a computation's images (protocol.md). */
    private CompletableFuture<Message> restartExpect(Message command) {
        String compid = command.get("compid", "").trim();
        long generation;
        long waitMillis;
        try {
            generation = Long.parseLong(command.get("generation", "").trim());
            waitMillis = Long.parseLong(command.get("wait_ms", "").trim());
        } catch (NumberFormatException e) {
            return done(failed("restart-expect needs compid, generation and wait_ms"));
        }
        if (compid.isEmpty() || generation < 0 || generation > Integer.MAX_VALUE || waitMillis < 0) {
            return done(failed("restart-expect needs compid, generation and wait_ms"));
        }
        String hold = command.get("hold_ms", "").trim();
        if (hold.isEmpty()) {
            kernel.expectRestart(compid, (int) generation, waitMillis, command.get("missing", ""));
            return done(ok().build());
        }
        long holdMillis;
        try {
            holdMillis = Long.parseLong(hold);
        } catch (NumberFormatException e) {
            holdMillis = -1;
        }
        if (holdMillis < 0) {
            return done(failed("hold_ms needs a whole number of milliseconds >= 0; got " + hold));
        }
        return kernel.askRestart(compid, (int) generation, waitMillis, command.get("missing", ""), holdMillis)
                .thenApply(others -> ok().put("others", others ? 1 : 0).build());
    }

    private Message interval(String value) {
        int seconds;
        try {
            seconds = Integer.parseInt(value == null ? "" : value.trim());
        } catch (NumberFormatException e) {
            seconds = -1;
        }
        if (seconds < 0) {
            return failed("interval needs value=<seconds>, a whole number >= 0; got " + value);
        }
        kernel.setInterval(seconds);
        log.info("checkpoint interval set to {} s", seconds);
        return ok().put("interval", seconds).build();
    }

    static Message status(CoordinatorStatus s) {
        return ok()
                .put("host", s.host())
                .put("port", s.port())
                .put("peers", s.peers())
                .put("running", yesNo(s.running()))
                .put("compid", s.compid())
                .put("generation", s.generation())
                .put("interval", s.interval())
                .put("ckpt_in_progress", yesNo(s.checkpointInProgress()))
                .put("last_result", s.lastResult())
                .put("last_error", oneLine(s.lastError()))
                .put("last_images", String.join(":", s.lastImages()))
                .put("hook_error", oneLine(s.hookError()))
                .build();
    }

    private static Message list(List<WorkerSession> workers) {
        Message.Builder result = ok().put("count", workers.size());
        for (int i = 0; i < workers.size(); i++) {
            result.put("worker." + (i + 1), oneLine(workers.get(i).listEntry()));
        }
        return result.build();
    }

    private static Message checkpointResult(CheckpointResult r) {
        if (!r.ok()) {
            return failed(r.error());
        }
        Message.Builder result = ok().put("generation", r.generation()).put("images", r.images().size())
                .put("elapsed_ms", r.elapsedMillis()).put("notes", r.notes().size());
        for (int i = 0; i < r.notes().size(); i++) {
            result.put("note." + (i + 1), oneLine(r.notes().get(i)));
        }
        return result.build();
    }

    private static Message.Builder ok() {
        return Message.builder(Verbs.RESULT).put("ok", 1);
    }

    private static Message failed(String error) {
        return Message.builder(Verbs.RESULT).put("ok", 0).put("error", oneLine(error)).build();
    }

    private static CompletableFuture<Message> done(Message m) {
        return CompletableFuture.completedFuture(m);
    }

    private static String yesNo(boolean b) {
        return b ? "yes" : "no";
    }

    /** Values travel one per line; text that came from a peer could carry a newline. */
    static String oneLine(String s) {
        return s.replace('\n', ' ').replace('\r', ' ');
    }
}
