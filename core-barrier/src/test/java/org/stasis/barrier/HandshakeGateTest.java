package org.stasis.barrier;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HandshakeGateTest {

    @Test
    void fullGateEvictsTheOldestNotTheNewcomer() {
        HandshakeGate gate = new HandshakeGate(2);
        List<String> evicted = new ArrayList<>();
        HandshakeGate.Pending a = reason -> evicted.add("a: " + reason);
        HandshakeGate.Pending b = reason -> evicted.add("b: " + reason);
        HandshakeGate.Pending c = reason -> evicted.add("c: " + reason);
        gate.enter(a);
        gate.enter(b);
        gate.leave(a);
        gate.enter(c);
        assertEquals(List.of(), evicted);
        gate.enter(a);
        assertEquals(List.of("b: too many connections without HELLO"), evicted);
        assertEquals(2, gate.size());
    }

    @Test
    void messageToStringHidesTheSecret() {
        Message hello = Message.builder("HELLO").put("role", "worker").put("secret", "deadbeef").build();
        assertEquals("HELLO role=worker secret=***", hello.toString());
    }
}
