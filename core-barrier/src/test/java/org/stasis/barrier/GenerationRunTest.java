package org.stasis.barrier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** What a stalled generation reports: who it waits for, and since when nothing came. */
class GenerationRunTest {

    private static WorkerSession worker(int n, List<Message> sent) {
        WorkerHello hello = new WorkerHello("upid-" + n, String.valueOf(100 + n), "h", "prog" + n, false, 0, "", 0,
                "", List.of(), List.of(), Map.of());
        Peer peer = new Peer() {
            @Override
            public void send(Message message) {
                sent.add(message);
            }

            @Override
            public void sendAndClose(Message message) {
                sent.add(message);
            }

            @Override
            public String remoteAddress() {
                return "test";
            }
        };
        return new WorkerSession(n, hello, peer);
    }

    private static Message arrive(String name) {
        return Message.builder(Verbs.ARRIVE).put("name", name).put("generation", 7).put("ok", 1).build();
    }

    @Test
    void waitingForNamesTheWorkersThatHaveNotAnsweredTheCurrentStep() {
        List<Message> sent = new ArrayList<>();
        WorkerSession a = worker(1, sent);
        WorkerSession b = worker(2, sent);
        WorkerSession c = worker(3, sent);
        GenerationRun run = new GenerationRun("checkpoint", 7, Step.checkpoint(List.of("ONE", "TWO")),
                List.of(a, b, c), Map.of());
        run.begin();
        assertEquals(List.of(a, b, c), run.waitingFor());

        assertEquals(GenerationRun.Answer.RECORDED, run.accept(b, arrive("ONE")));
        assertEquals(List.of(a, c), run.waitingFor());
        assertEquals(GenerationRun.Answer.RECORDED, run.accept(a, arrive("ONE")));
        assertEquals(GenerationRun.Answer.RECORDED, run.accept(c, arrive("ONE")));
        assertEquals("TWO", run.currentLabel());
        assertEquals(List.of(a, b, c), run.waitingFor(), "a new step waits for everybody again");
    }

    @Test
    void progressIsCountedFromTheLastKeptAnswer() throws InterruptedException {
        List<Message> sent = new ArrayList<>();
        WorkerSession a = worker(1, sent);
        WorkerSession b = worker(2, sent);
        GenerationRun run = new GenerationRun("checkpoint", 7, Step.checkpoint(List.of("ONE")), List.of(a, b),
                Map.of());
        run.begin();
        long later = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        assertTrue(run.millisWithoutProgress(later) >= 60_000);
        run.accept(a, arrive("ONE"));
        long afterAnswer = run.millisWithoutProgress(later);
        assertTrue(afterAnswer >= 59_000 && afterAnswer <= 60_000, "measured from the answer: " + afterAnswer);
        Thread.sleep(30);
        run.accept(a, arrive("ONE")); // a repeated answer is no progress
        assertEquals(afterAnswer, run.millisWithoutProgress(later));
    }
}
