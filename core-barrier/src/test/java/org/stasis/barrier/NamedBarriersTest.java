package org.stasis.barrier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NamedBarriersTest {

    private static final Map<Integer, String> LIVE = Map.of(1, "a", 2, "a", 3, "b");

    @Test
    void globalBarrierWaitsForEveryLiveWorker() {
        NamedBarriers b = new NamedBarriers();
        b.arrive(new NamedBarriers.Key("files/x", null), 1);
        b.arrive(new NamedBarriers.Key("files/x", null), 2);
        assertTrue(b.takeComplete(LIVE).isEmpty());
        b.arrive(new NamedBarriers.Key("files/x", null), 3);
        List<NamedBarriers.Release> r = b.takeComplete(LIVE);
        assertEquals(1, r.size());
        assertEquals("files/x", r.get(0).name());
        assertEquals(3, r.get(0).workers().size());
        assertTrue(b.takeComplete(LIVE).isEmpty(), "a released barrier is gone");
    }

    @Test
    void hostBarrierWaitsOnlyForThatHostAndTellsOnlyIt() {
        NamedBarriers b = new NamedBarriers();
        b.arrive(new NamedBarriers.Key("shm/y", "a"), 1);
        assertTrue(b.takeComplete(LIVE).isEmpty());
        b.arrive(new NamedBarriers.Key("shm/y", "a"), 2);
        List<NamedBarriers.Release> r = b.takeComplete(LIVE);
        assertEquals(1, r.size());
        assertEquals(List.of(1, 2), r.get(0).workers().stream().sorted().toList());
    }

    @Test
    void departedWorkerNoLongerHoldsABarrier() {
        NamedBarriers b = new NamedBarriers();
        b.arrive(new NamedBarriers.Key("p/z", null), 1);
        b.arrive(new NamedBarriers.Key("p/z", null), 2);
        b.forget(3);
        assertEquals(1, b.takeComplete(Map.of(1, "a", 2, "a")).size());
    }
}
