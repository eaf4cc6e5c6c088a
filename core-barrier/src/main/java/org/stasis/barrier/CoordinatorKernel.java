package org.stasis.barrier;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * All coordinator state and the rules that change it: registry, generations, restart,
 * name service, plugin barriers, periodic checkpoints.
 *
 * <p>Every method must be called on the one event loop thread; that is the whole concurrency
 * story, which is why nothing here is locked or volatile.
 */
final class CoordinatorKernel {
    private static final Logger log = LoggerFactory.getLogger(CoordinatorKernel.class);

    /**
     * How often one checkpoint request starts over because a new process joined mid-way. A
     * program that forks without pause would otherwise keep its checkpoint from ever ending.
     */
    static final int MAX_CHECKPOINT_RETRIES = 100;

    /**
     * A generation that gets no answer for this long is reported in the log, naming the workers
     * it waits for, and again every time as long again passes. Nothing is aborted: writing a very
     * large image may take longer, and a stopped process (SIGSTOP, a debugger) may still go on.
     */
    static final long STALL_REPORT_MILLIS = 15_000;

    /**
     * How long a process that said it execs has for its new program to join. Its connection
     * closes with the exec; until the new program's agent says HELLO (same host and pid) the
     * computation still has it, so --exit-on-last must not stop the coordinator and the new
     * program continues the computation rather than beginning another. A new program that never
     * joins (a static binary, a set-uid one that drops the preload) is given up after this.
     */
    static final long EXEC_GRACE_MILLIS = 10_000;

    /**
     * How long an incomplete restart waits for its next process when no restart front end said
     * otherwise ({@link #expectRestart}): then the processes that came back are refused and
     * exit, rather than wait forever for peers nobody restarts. Long enough for separate
     * {@code dmtcp_restart} commands on other hosts, whose images the front end cannot see.
     */
    static final long RESTART_WAIT_MILLIS = 30_000;

    /** A front end's {@link #expectRestart} word is kept this long for the HELLOs it announces. */
    static final long EXPECT_KEEP_MILLIS = 60_000;

    /** The longest a front end's {@link #askRestart} is held waiting for another restart to show. */
    static final long EXPECT_HOLD_MAX_MILLIS = 5_000;

    private final KernelSettings settings;
    private final ScheduledExecutorService loop;
    private final Runnable onTerminate;
    private final GenerationListener listener;
    private final List<String> checkpointBarriers;
    private final List<String> restartBarriers;

    private final Map<Integer, WorkerSession> workers = new LinkedHashMap<>();
    private final NamedBarriers namedBarriers = new NamedBarriers();
    private final Map<String, String> store = new HashMap<>();
    /** Processes between exec and their new program's HELLO: "host/pid" to deadline (nanoTime). */
    private final Map<String, Long> execs = new HashMap<>();
    private int nextWorkerNumber = 1;
    private boolean everJoined;
    private String compid = "";
    private int generation;
    /**
     * Highest generation number handed out. Aborted attempts are never reused, so a late answer
     * to an aborted generation cannot be mistaken for one to its successor.
     */
    private int lastAttempt;
    private LastOutcome last = LastOutcome.NONE;
    /** The front end's report on its work after a generation; see {@link #hookOutcome}. */
    private int hookGeneration;
    private String hookError = "";

    private GenerationRun checkpoint;
    private final List<CompletableFuture<CheckpointResult>> checkpointWaiters = new ArrayList<>();
    /** Restarts of the current request's generation; see {@link #retryCheckpoint}. */
    private int checkpointRetries;
    /** When the current request started its first generation: what its waiters waited for. */
    private long checkpointRequestNanos;
    private RestartGathering gathering;
    /** What restart front ends said about restarts not yet gathering: "compid/generation" to it. */
    private final Map<String, Expected> expected = new HashMap<>();
    /**
     * Front ends that asked whether another restart of "compid/generation" is under way and hold
     * for the answer ({@link #askRestart}): answered yes as soon as one shows itself.
     */
    private final Map<String, List<CompletableFuture<Boolean>>> askers = new HashMap<>();
    private GenerationRun restart;

    private int interval;
    private ScheduledFuture<?> ticker;
    private final ScheduledFuture<?> stallWatch;
    /** How many stall reports the running generation has had: the next comes after one more period. */
    private long stallReports;
    private GenerationRun stallReported;
    private boolean terminated;

    CoordinatorKernel(KernelSettings settings, ScheduledExecutorService loop, Runnable onTerminate,
            GenerationListener listener) {
        this(settings, loop, onTerminate, listener, Barriers.CHECKPOINT, Barriers.RESTORE);
    }

    CoordinatorKernel(KernelSettings settings, ScheduledExecutorService loop, Runnable onTerminate,
            GenerationListener listener, List<String> checkpointBarriers, List<String> restartBarriers) {
        this.settings = settings;
        this.loop = loop;
        this.onTerminate = onTerminate;
        this.listener = listener;
        this.checkpointBarriers = List.copyOf(checkpointBarriers);
        this.restartBarriers = List.copyOf(restartBarriers);
        setInterval(settings.initialInterval());
        stallWatch = loop.scheduleWithFixedDelay(this::reportStall, 5, 5, TimeUnit.SECONDS);
    }

    // ---- workers joining and leaving -------------------------------------------------------

    /**
     * Registers a worker and sends it WELCOME.
     *
     * @return the session, or null if refused (the reason has then been sent and logged)
     */
    WorkerSession admit(Peer peer, WorkerHello hello) {
        String refusal = refusalFor(hello);
        if (refusal != null) {
            log.warn("refused worker {} from {}: {}", hello.upid(), peer.remoteAddress(), refusal);
            peer.sendAndClose(Message.builder(Verbs.REFUSED).put("reason", refusal).build());
            return null;
        }
        boolean execd = !hello.restart() && execs.remove(execKey(hello.host(), hello.pid())) != null;
        if (workers.isEmpty() && (hello.restart() || (!execd && execs.isEmpty()))) {
            beginComputation(hello);
        }
        WorkerSession worker = new WorkerSession(nextWorkerNumber++, hello, peer);
        workers.put(worker.number(), worker);
        everJoined = true;
        log.info("{} joined{} from {} ({} peers)", worker.describe(),
                hello.restart() ? " restored from generation " + hello.generation() : execd ? " after an exec" : "",
                peer.remoteAddress(), workers.size());
        worker.send(Message.builder(Verbs.WELCOME)
                .put("worker", worker.number())
                .put("compid", compid)
                .put("generation", generation)
                .build());
        if (hello.restart()) {
            gather(worker, hello);
        } else if (checkpoint != null) {
            retryCheckpoint(worker.describe() + " joined", "a new process joined during the checkpoint; retrying");
        }
        return worker;
    }

    private String refusalFor(WorkerHello hello) {
        if (terminated) {
            return "coordinator is shutting down";
        }
        for (WorkerSession w : workers.values()) {
            if (w.hello().upid().equals(hello.upid())) {
                return "a worker with upid " + hello.upid() + " is already connected (" + w.describe() + ")";
            }
        }
        if (!hello.restart()) {
            return null;
        }
        if (checkpoint != null) {
            return "a checkpoint is in progress";
        }
        if (restart != null) {
            return "a restart of generation " + restart.generation() + " is already under way";
        }
        if (!workers.isEmpty() && !compid.equals(hello.compid())) {
            return "this coordinator runs computation " + compid + ", not " + hello.compid();
        }
        if (gathering != null && !gathering.accepts(hello)) {
            return "waiting for workers of generation " + gathering.generation() + " of " + gathering.compid()
                    + ", not generation " + hello.generation();
        }
        return null;
    }

    /** The first worker defines the computation: a fresh one, or the one its image belongs to. */
    private void beginComputation(WorkerHello first) {
        if (first.restart()) {
            compid = first.compid();
            // Numbering continues from the image so generations stay unique across restarts.
            generation = first.generation();
        } else {
            compid = CompIds.create(settings.port(), System.currentTimeMillis());
            generation = 0;
        }
        lastAttempt = generation;
        store.clear();
        execs.clear();
        log.info("computation {} begins at generation {}", compid, generation);
    }

    private void gather(WorkerSession worker, WorkerHello hello) {
        answerAskers(expectKey(hello.compid(), hello.generation()), true); // a process of it is back
        if (gathering == null) {
            gathering = new RestartGathering(hello.compid(), hello.generation(), hello.peers(), RESTART_WAIT_MILLIS);
            Expected e = expected.remove(expectKey(hello.compid(), hello.generation()));
            if (e != null && System.nanoTime() - e.deadlineNanos() < 0) {
                gathering.expect(e.waitMillis(), e.missing());
            }
        }
        gathering.add(worker);
        if (!gathering.isComplete()) {
            log.info("restart of generation {}: {} of {} workers present; waiting up to {} ms for the next",
                    gathering.generation(), gathering.workers().size(), gathering.expected(), gathering.waitMillis());
            armGatherTimeout();
            return;
        }
        restart = new GenerationRun("restart", gathering.generation(), Step.restart(restartBarriers),
                gathering.workers(), Map.of("peers", String.valueOf(gathering.expected())));
        gathering = null;
        log.info("restart of generation {} begins with {} workers", restart.generation(), restart.size());
        restart.begin();
    }

    /** A front end's word on a restart it is about to start; see {@link RestartGathering#expect}. */
    private record Expected(long waitMillis, String missing, long deadlineNanos) {}

    private static String expectKey(String compid, int generation) {
        return compid + "/" + generation;
    }

    /**
     * A restart front end that was given only some images of a computation says how long the
     * coordinator should wait for the others ({@code waitMillis}; short when it saw their image
     * files beside the given ones, so the user most likely forgot them) and what it knows about
     * them ({@code missing}, for the refusal). Applies to the gathering of that computation and
     * generation, under way or starting within {@link #EXPECT_KEEP_MILLIS}. A second front end's
     * word for the same restart means separate commands restart it together: the wait is then
     * the default, as their processes are on their way.
     */
    void expectRestart(String compid, int generation, long waitMillis, String missing) {
        long wait = Math.max(100, Math.min(waitMillis, RESTART_WAIT_MILLIS));
        if (gathering != null && gathering.accepts(compid, generation)) {
            // Another command restarts more of the computation (one per image, or per host): its
            // processes are on their way, however few images each command was given.
            gathering.expect(RESTART_WAIT_MILLIS, "");
            armGatherTimeout();
            return;
        }
        expected.entrySet().removeIf(e -> System.nanoTime() - e.getValue().deadlineNanos() >= 0);
        String key = expectKey(compid, generation);
        if (expected.containsKey(key)) {
            wait = RESTART_WAIT_MILLIS; // a second command for the same restart: the same as above
            missing = expected.get(key).missing();
        }
        expected.put(key, new Expected(wait, missing,
                System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(EXPECT_KEEP_MILLIS)));
    }

    /**
     * {@link #expectRestart}, and whether another restart of the same computation and generation
     * is under way: its processes gathering, or another front end's word on it (a second
     * {@code dmtcp_restart} started together, one per image). When none is, the answer waits up
     * to {@code holdMillis} for one to show itself (its word, or a process of it joining), so
     * that commands started together find each other; a no withdraws this front end's word, as
     * it will refuse the restart itself and start nothing.
     */
    CompletableFuture<Boolean> askRestart(String compid, int generation, long waitMillis, String missing,
            long holdMillis) {
        String key = expectKey(compid, generation);
        expected.entrySet().removeIf(e -> System.nanoTime() - e.getValue().deadlineNanos() >= 0);
        boolean others = (gathering != null && gathering.accepts(compid, generation)) || expected.containsKey(key);
        expectRestart(compid, generation, waitMillis, missing);
        if (others) {
            answerAskers(key, true);
            return CompletableFuture.completedFuture(true);
        }
        CompletableFuture<Boolean> answer = new CompletableFuture<>();
        askers.computeIfAbsent(key, k -> new ArrayList<>()).add(answer);
        loop.schedule(() -> {
            List<CompletableFuture<Boolean>> waiting = askers.get(key);
            if (waiting == null || !waiting.remove(answer)) {
                return; // answered yes meanwhile
            }
            if (waiting.isEmpty()) {
                askers.remove(key);
            }
            expected.remove(key);
            log.info("restart of generation {} of {}: no other restart of it under way within {} ms; the front end"
                    + " refuses it", generation, compid, holdMillis);
            answer.complete(false);
        }, Math.max(0, Math.min(holdMillis, EXPECT_HOLD_MAX_MILLIS)), TimeUnit.MILLISECONDS);
        return answer;
    }

    private void answerAskers(String key, boolean others) {
        List<CompletableFuture<Boolean>> waiting = askers.remove(key);
        if (waiting != null) {
            waiting.forEach(f -> f.complete(others));
        }
    }

    private void armGatherTimeout() {
        RestartGathering g = gathering;
        long joins = g.joins();
        long wait = g.waitMillis();
        loop.schedule(() -> gatherExpired(g, joins, wait), wait, TimeUnit.MILLISECONDS);
    }

    /**
     * No further process of an incomplete restart came in time: every process that did is
     * refused (it prints the reason and exits non-zero), and the coordinator is free again.
     */
    void gatherExpired(RestartGathering g, long joins, long waitedMillis) {
        if (gathering != g || g.joins() != joins || g.isComplete() || g.waitMillis() != waitedMillis) {
            return; // completed, given up, joined again or told to wait otherwise meanwhile: a newer timeout rules
        }
        List<String> present = g.workers().stream().map(w -> w.hello().program() + " ("
                + (w.hello().image().isEmpty() ? "upid " + w.hello().upid()
                        : java.nio.file.Path.of(w.hello().image()).getFileName().toString()) + ")").toList();
        String reason = RestartGathering.refusal(g.compid(), g.generation(), g.expected(), present, g.missing(),
                waitedMillis);
        log.warn("{}", reason);
        gathering = null;
        last = last.failed(reason);
        Message refused = Message.builder(Verbs.REFUSED).put("reason", reason).build();
        for (WorkerSession w : g.workers()) {
            w.sendAndClose(refused);
        }
    }

    void workerGone(WorkerSession worker) {
        if (workers.remove(worker.number()) == null) {
            return;
        }
        if (worker.execing() && !terminated) {
            execs.put(execKey(worker.hello().host(), worker.hello().pid()),
                    System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(EXEC_GRACE_MILLIS));
            loop.schedule(this::expireExecs, EXEC_GRACE_MILLIS + 50, TimeUnit.MILLISECONDS);
            log.info("{} exec'd; its new program has {} s to join ({} peers)", worker.describe(),
                    EXEC_GRACE_MILLIS / 1000, workers.size());
        } else {
            log.info("{} left ({} peers)", worker.describe(), workers.size());
        }
        if (checkpoint != null && checkpoint.involves(worker) && !checkpoint.answered(worker, Verbs.COMMIT)) {
            // (one that has committed its image is done with this generation: nothing to undo)
            if (checkpoint.answered(worker, Barriers.WRITE)) {
                // its state is in this generation, but its image may never be complete
                abortCheckpoint(worker.describe() + " disconnected during " + checkpoint.currentLabel());
            } else {
                // it ended (or exec'd) before its state was taken: the computation no longer has
                // it, and a generation taken again without it is whole
                retryCheckpoint(worker.describe() + " ended", "a process ended during the checkpoint; retrying");
            }
        }
        if (restart != null && restart.involves(worker) && !restart.answered(worker, Barriers.RESUME)) {
            abortRestart(worker.describe() + " disconnected during " + restart.currentLabel());
        }
        if (gathering != null) {
            gathering.remove(worker);
            if (gathering.isEmpty()) {
                gathering = null;
            }
        }
        namedBarriers.forget(worker.number());
        releaseCompleteBarriers();
        exitIfLast();
    }

    private static String execKey(String host, String pid) {
        return host + "/" + pid;
    }

    /** Gives up on exec'd programs that did not join in time. */
    private void expireExecs() {
        long now = System.nanoTime();
        execs.entrySet().removeIf(e -> {
            if (now - e.getValue() < 0) {
                return false;
            }
            log.info("the program exec'd by process {} did not join within {} s (not under Stasis, or it failed)",
                    e.getKey(), EXEC_GRACE_MILLIS / 1000);
            return true;
        });
        exitIfLast();
    }

    private void exitIfLast() {
        if (workers.isEmpty() && execs.isEmpty() && everJoined && settings.exitOnLast()) {
            terminate("the last worker disconnected (--exit-on-last)");
        }
    }

    // ---- messages from workers -------------------------------------------------------------

    void onWorkerMessage(WorkerSession worker, Message message) throws ProtocolException {
        switch (message.verb()) {
            case Verbs.ARRIVE, Verbs.DURABLE, Verbs.COMMITTED -> onStepAnswer(worker, message);
            // state=begin just before the process calls execve, state=failed if that returned
            case Verbs.EXEC -> worker.execing("begin".equals(message.get("state", "")));
            case Verbs.KV_PUT -> {
                String key = required(message, "key");
                store.put(key, message.get("value", ""));
                worker.send(Message.builder(Verbs.KV_OK).put("key", key).build());
            }
            case Verbs.KV_GET -> {
                String key = required(message, "key");
                String value = store.get(key);
                worker.send(Message.builder(Verbs.KV_VALUE)
                        .put("key", key)
                        .put("found", value == null ? 0 : 1)
                        .put("value", value == null ? "" : value)
                        .build());
            }
            // many keys in one frame: puts are not answered (the agent does not wait for them);
            // gets are answered in one frame, or with too_big=1 when the values would not fit
            case Verbs.KV_PUTS -> {
                int count = count(message);
                for (int i = 1; i <= count; i++) {
                    store.put(required(message, "key." + i), message.get("value." + i, ""));
                }
            }
            case Verbs.KV_GETS -> worker.send(kvValues(message));
            case Verbs.BARRIER -> {
                // An arrival sent before its generation was abandoned may come after the next one
                // started: counted there, it would release that generation's barrier early.
                String g = message.get("generation", "");
                GenerationRun run = running();
                if (!g.isEmpty() && (run == null || !g.equals(String.valueOf(run.generation())))) {
                    log.debug("ignored BARRIER {} of generation {} from {}: not the generation in progress",
                            message.get("name", ""), g, worker.describe());
                    return;
                }
                // scope=host: a plugin's local barrier, among the workers on this worker's host
                String host = "host".equals(message.get("scope", "")) ? worker.hello().host() : null;
                namedBarriers.arrive(new NamedBarriers.Key(required(message, "name"), host), worker.number());
                releaseCompleteBarriers();
            }
            default -> throw new ProtocolException("unexpected " + message.verb() + " from a worker");
        }
    }

    private Message kvValues(Message request) throws ProtocolException {
        int count = count(request);
        Message.Builder reply = Message.builder(Verbs.KV_VALUES).put("id", required(request, "id")).put("count", count);
        long bytes = 0;
        for (int i = 1; i <= count; i++) {
            String value = store.get(required(request, "key." + i));
            bytes += 32 + (value == null ? 0 : value.length());
            reply.put("found." + i, value == null ? 0 : 1).put("value." + i, value == null ? "" : value);
        }
        if (bytes > MessageCodec.MAX_FRAME - 1024) {
            return Message.builder(Verbs.KV_VALUES).put("id", request.get("id")).put("too_big", 1).build();
        }
        return reply.build();
    }

    private static int count(Message message) throws ProtocolException {
        try {
            int count = Integer.parseInt(required(message, "count"));
            if (count < 0 || count > 4096) {
                throw new NumberFormatException();
            }
            return count;
        } catch (NumberFormatException e) {
            throw new ProtocolException(message.verb() + " with a bad count: " + message.get("count"));
        }
    }

    private static String required(Message message, String key) throws ProtocolException {
        String value = message.get(key);
        if (value == null || value.isEmpty()) {
            throw new ProtocolException(message.verb() + " without " + key);
        }
        return value;
    }

    private void releaseCompleteBarriers() {
        Map<Integer, String> live = new LinkedHashMap<>();
        workers.forEach((n, w) -> live.put(n, w.hello().host()));
        for (NamedBarriers.Release r : namedBarriers.takeComplete(live)) {
            log.debug("plugin barrier {} released for {} workers", r.name(), r.workers().size());
            GenerationRun run = running();
            Message.Builder b = Message.builder(Verbs.RELEASE).put("name", r.name());
            if (run != null) {
                b.put("generation", run.generation());
            }
            Message release = b.build();
            r.workers().forEach(n -> workers.get(n).send(release));
        }
    }

    private void onStepAnswer(WorkerSession worker, Message answer) {
        GenerationRun run = running();
        if (run == null || !String.valueOf(run.generation()).equals(answer.get("generation"))) {
            // Late answers to an aborted generation are normal, not an error.
            log.debug("ignored {} from {}: no matching generation in progress", answer.verb(), worker.describe());
            return;
        }
        switch (run.accept(worker, answer)) {
            case IGNORED -> log.debug("ignored {} {} from {} during {}", answer.verb(), answer.get("name", ""),
                    worker.describe(), run.currentLabel());
            case RECORDED -> { }
            case FAILED -> {
                if (run == checkpoint) {
                    abortCheckpoint(run.failure());
                } else {
                    abortRestart(run.failure());
                }
            }
            case COMPLETE -> {
                if (run == checkpoint) {
                    completeCheckpoint();
                } else {
                    completeRestart();
                }
            }
        }
    }

    /** The checkpoint or restart generation in progress, or null. */
    private GenerationRun running() {
        return checkpoint != null ? checkpoint : restart;
    }

    // ---- checkpoints -----------------------------------------------------------------------

    CheckpointStart requestCheckpoint(String why) {
        if (terminated) {
            return CheckpointStart.refused("coordinator is shutting down");
        }
        if (checkpoint != null) {
            return CheckpointStart.refused("checkpoint already in progress");
        }
        if (restart != null || gathering != null) {
            return CheckpointStart.refused("restart in progress");
        }
        if (workers.isEmpty()) {
            return CheckpointStart.refused("no workers connected");
        }
        checkpointRetries = 0;
        checkpointRequestNanos = System.nanoTime();
        CompletableFuture<CheckpointResult> result = new CompletableFuture<>();
        checkpointWaiters.add(result);
        int g = startCheckpointGeneration(why);
        return new CheckpointStart(true, g, "", result);
    }

    /** A new generation with every worker connected now; never reuses an attempted number. */
    private int startCheckpointGeneration(String why) {
        int g = Math.max(generation, lastAttempt) + 1;
        lastAttempt = g;
        List<WorkerSession> participants = List.copyOf(workers.values());
        checkpoint = new GenerationRun("checkpoint", g, Step.checkpoint(checkpointBarriers), participants,
                Map.of("peers", String.valueOf(participants.size())));
        log.info("checkpoint generation {} started ({}) for {} workers", g, why, participants.size());
        checkpoint.begin();
        return g;
    }

    /**
     * The computation's processes changed while a checkpoint runs: a fresh worker joined (most
     * likely a process forked or started by one being checkpointed, which the running
     * generation's images would miss while its parent's image may already show it), or a worker
     * ended before its state was taken (a short-lived child that exited or exec'd). Either way
     * the running generation cannot be kept. Its participants are told to abort it and a new
     * one starts at once with everybody connected now, on behalf of the same waiters: a
     * blocking checkpoint command gets the outcome of the retry, not this abort.
     *
     * <p>Both go out from this one loop thread, the ABORT first, and each connection keeps
     * its writes in order, so every participant has dropped the old generation before it sees
     * the new one's first EVENT.
     */
    private void retryCheckpoint(String what, String abortReason) {
        if (checkpointRetries >= MAX_CHECKPOINT_RETRIES) {
            abortCheckpoint("processes kept starting or ending during the checkpoint (" + checkpointRetries
                    + " retries)");
            return;
        }
        GenerationRun run = checkpoint;
        checkpoint = null;
        checkpointRetries++;
        log.info("checkpoint generation {} abandoned at {} after {} ms: {}; retry {} of at most {}",
                run.generation(), run.currentLabel(), run.elapsedMillis(), what, checkpointRetries,
                MAX_CHECKPOINT_RETRIES);
        abortParticipants(run, abortReason);
        if (workers.isEmpty()) {
            String reason = "every process of the computation ended during the checkpoint";
            last = last.failed(reason);
            finishWaiters(CheckpointResult.failure(run.generation(), reason, requestElapsedMillis()));
            return;
        }
        startCheckpointGeneration("retry " + checkpointRetries + " after " + what);
    }

    private void completeCheckpoint() {
        GenerationRun run = checkpoint;
        checkpoint = null;
        generation = run.generation();
        List<String> images = run.images();
        last = LastOutcome.ok(images);
        run.participants().forEach(WorkerSession::settle);
        log.info("checkpoint generation {} complete in {} ms, {} images{}", generation, run.elapsedMillis(),
                images.size(), checkpointRetries == 0 ? "" : " (after " + checkpointRetries
                        + (checkpointRetries == 1 ? " retry)" : " retries)"));
        List<WorkerSession> participants = run.participants();
        Map<String, String> scriptEnv = scriptEnvironment(participants);
        List<Path> bundles = bundles(participants);
        writeRestartScript(images, run.imageHosts(), scriptEnv, bundles);
        tellListener(images, bundles, pluginNames(participants));
        run.notes().forEach(note -> log.warn("checkpoint generation {}: {}", generation, note));
        finishWaiters(CheckpointResult.success(generation, images, requestElapsedMillis(), run.notes()));
        if (settings.exitAfterCkpt()) {
            killWorkers("--exit-after-ckpt");
            terminate("first checkpoint complete (--exit-after-ckpt)");
        }
    }

    /**
     * Done on the loop on purpose: the script is a few hundred bytes, and writing it before
     * answering means "checkpoint complete" always implies "script on disk".
     */
    private void writeRestartScript(List<String> images, List<String> hosts, Map<String, String> scriptEnv,
            List<Path> bundles) {
        try {
            RestartScript.writeInto(settings.ckptDir(), settings.stasisHome(), compid, generation, settings.host(),
                    settings.port(), interval, images, hosts, scriptEnv, bundles);
        } catch (IOException | RuntimeException e) {
            log.warn("generation {} is complete but the restart script could not be written in {}: {}",
                    generation, settings.ckptDir(), e.toString());
        }
    }

    /**
     * The restart-script variables of all participants. Workers of one launch agree; workers of
     * different launches may not, and then the first worker's value stands: one script restarts
     * them all.
     */
    private Map<String, String> scriptEnvironment(List<WorkerSession> participants) {
        Map<String, String> merged = new LinkedHashMap<>();
        for (WorkerSession w : participants) {
            for (Map.Entry<String, String> e : w.hello().scriptEnv().entrySet()) {
                String before = merged.putIfAbsent(e.getKey(), e.getValue());
                if (before != null && !before.equals(e.getValue())) {
                    log.warn("generation {}: {} asks the restart script for {}={} but another worker set it to {};"
                            + " keeping the first", generation, w.describe(), e.getKey(), e.getValue(), before);
                }
            }
        }
        return merged;
    }

    private static List<Path> bundles(List<WorkerSession> participants) {
        List<Path> all = new ArrayList<>();
        for (WorkerSession w : participants) {
            for (Path b : w.hello().bundles()) {
                if (!all.contains(b)) {
                    all.add(b);
                }
            }
        }
        return all;
    }

    private static List<String> pluginNames(List<WorkerSession> participants) {
        List<String> all = new ArrayList<>();
        for (WorkerSession w : participants) {
            w.hello().plugins().stream().filter(p -> !all.contains(p)).forEach(all::add);
        }
        return all;
    }

    private void tellListener(List<String> images, List<Path> bundles, List<String> plugins) {
        Path dir = settings.ckptDir().toAbsolutePath().normalize();
        List<Path> absolute = images.stream().map(i -> dir.resolve(i).normalize()).toList();
        try {
            listener.generationCompleted(new CompletedGeneration(compid, generation, dir, absolute, bundles, plugins));
        } catch (RuntimeException e) {
            log.warn("generation {} is complete but its listener failed", generation, e);
        }
    }

    /**
     * What the front end's work after generation {@code g} came to (empty: it went well). Only
     * the newest generation's report is kept, so an old failure does not outlive a later success.
     */
    void hookOutcome(int g, String error) {
        if (g < hookGeneration) {
            return;
        }
        hookGeneration = g;
        hookError = error == null ? "" : error;
    }

    private void abortCheckpoint(String reason) {
        GenerationRun run = checkpoint;
        checkpoint = null;
        log.warn("checkpoint generation {} aborted after {} ms: {}", run.generation(), run.elapsedMillis(), reason);
        abortParticipants(run, reason);
        last = last.failed(reason);
        finishWaiters(CheckpointResult.failure(run.generation(), reason, requestElapsedMillis()));
    }

    /**
     * Sends ABORT to the run's participants that are still connected. A worker that joined
     * after the run began never saw its generation and has nothing to undo.
     */
    private void abortParticipants(GenerationRun run, String reason) {
        namedBarriers.clear();
        Message abort = abortMessage(run.generation(), reason);
        workers.values().stream().filter(run::involves).forEach(w -> {
            w.send(abort);
            w.settle();
        });
    }

    /** Across retries, so a blocking command's elapsed_ms is what it actually waited. */
    private long requestElapsedMillis() {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - checkpointRequestNanos);
    }

    private static Message abortMessage(int generation, String reason) {
        return Message.builder(Verbs.ABORT).put("generation", generation).put("reason", reason).build();
    }

    private void finishWaiters(CheckpointResult result) {
        List<CompletableFuture<CheckpointResult>> waiters = List.copyOf(checkpointWaiters);
        checkpointWaiters.clear();
        waiters.forEach(w -> w.complete(result));
    }

    // ---- restart ---------------------------------------------------------------------------

    private void completeRestart() {
        GenerationRun run = restart;
        restart = null;
        run.participants().forEach(WorkerSession::settle);
        log.info("restart of generation {} complete in {} ms: {} workers running", run.generation(),
                run.elapsedMillis(), run.size());
    }

    private void abortRestart(String reason) {
        GenerationRun run = restart;
        restart = null;
        log.warn("restart of generation {} failed after {} ms: {}", run.generation(), run.elapsedMillis(), reason);
        abortParticipants(run, reason);
        last = last.failed("restart failed: " + reason);
    }

    // ---- periodic checkpoints --------------------------------------------------------------

    void setInterval(int seconds) {
        if (seconds < 0) {
            throw new IllegalArgumentException("interval must not be negative: " + seconds);
        }
        interval = seconds;
        if (ticker != null) {
            ticker.cancel(false);
            ticker = null;
        }
        if (seconds > 0 && !terminated) {
            ticker = loop.scheduleWithFixedDelay(this::tick, seconds, seconds, TimeUnit.SECONDS);
        }
    }

    private void tick() {
        if (terminated || workers.isEmpty() || checkpoint != null || restart != null || gathering != null) {
            log.debug("interval tick skipped");
            return;
        }
        requestCheckpoint("interval of " + interval + " s");
    }

    // ---- generations that make no progress --------------------------------------------------

    private void reportStall() {
        GenerationRun run = running();
        if (run == null) {
            return;
        }
        if (run != stallReported) {
            stallReported = run;
            stallReports = 0;
        }
        long idle = run.millisWithoutProgress(System.nanoTime());
        if (idle < STALL_REPORT_MILLIS * (stallReports + 1)) {
            return;
        }
        stallReports = idle / STALL_REPORT_MILLIS;
        List<WorkerSession> waiting = run.waitingFor();
        StringBuilder who = new StringBuilder();
        waiting.forEach(w -> who.append(who.length() == 0 ? "" : "; ").append(w.describe()));
        log.warn("{} generation {} has had no answer for {} s at {}; waiting for {} of {} workers: {}",
                run.kind(), run.generation(), idle / 1000, run.currentLabel(), waiting.size(), run.size(), who);
    }

    // ---- kill and quit ---------------------------------------------------------------------

    /**
     * Completes on the loop once no checkpoint is in progress: at once (with null), or with the
     * outcome of the running request, retries included. Kill and quit wait for it: a job script
     * that checkpoints and then quits must not lose the checkpoint it asked for because the
     * image took longer to write than it slept.
     */
    CompletableFuture<CheckpointResult> checkpointSettled(String who) {
        if (checkpoint == null) {
            return CompletableFuture.completedFuture(null);
        }
        log.info("{} waits for checkpoint generation {} to end", who, checkpoint.generation());
        CompletableFuture<CheckpointResult> settled = new CompletableFuture<>();
        checkpointWaiters.add(settled);
        return settled;
    }

    void killWorkers(String why) {
        if (checkpoint != null) {
            abortCheckpoint("workers killed (" + why + ")");
        }
        if (restart != null) {
            abortRestart("workers killed (" + why + ")");
        }
        gathering = null;
        log.info("killing {} workers ({})", workers.size(), why);
        Message kill = Message.builder(Verbs.KILL).build();
        workers.values().forEach(w -> w.send(kill));
    }

    void quit() {
        killWorkers("quit");
        terminate("quit requested");
    }

    /** Stops everything once; the transport closes connections after what was sent leaves. */
    void terminate(String why) {
        if (terminated) {
            return;
        }
        if (checkpoint != null) {
            abortCheckpoint("coordinator stopped: " + why);
        }
        terminated = true;
        if (ticker != null) {
            ticker.cancel(false);
            ticker = null;
        }
        stallWatch.cancel(false);
        log.info("coordinator stopping: {}", why);
        onTerminate.run();
    }

    boolean terminated() {
        return terminated;
    }

    // ---- reports ---------------------------------------------------------------------------

    CoordinatorStatus status() {
        boolean running = !workers.isEmpty() && workers.values().stream().noneMatch(WorkerSession::stopped);
        return new CoordinatorStatus(settings.host(), settings.port(), workers.size(), running, compid, generation,
                interval, checkpoint != null, last.result(), last.error(), last.images(), hookError);
    }

    List<WorkerSession> workers() {
        return List.copyOf(workers.values());
    }

    int interval() {
        return interval;
    }
}
