package io.github.crdtmemory.sync;

import io.github.crdtmemory.core.Timestamp;
import io.github.crdtmemory.memory.MemoryGraph;
import io.github.crdtmemory.memory.MemoryState;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything a sync keeps between runs, persisted as one file so that it changes atomically: the
 * replica's own state, the base (the graph the memory file last agreed with), the clock, and a pending
 * write-back. Immutable.
 *
 * @param clock the hybrid time to resume the clock from
 * @param state the replica's own state, the join of all it has seen
 * @param base the graph the memory file last agreed with
 * @param pending the bytes about to be written to the memory file, or null; if the file holds exactly
 *     these bytes at the next start, the write-back happened and they become the base
 */
record Checkpoint(Timestamp clock, MemoryState state, MemoryGraph base, byte[] pending) {
    Checkpoint {
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(base, "base");
        pending = pending == null ? null : pending.clone();
    }

    static Checkpoint initial() {
        return new Checkpoint(Timestamp.ZERO, MemoryState.empty(), MemoryGraph.empty(), null);
    }

    Optional<byte[]> pendingBytes() {
        return Optional.ofNullable(pending).map(byte[]::clone);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Checkpoint c && clock.equals(c.clock) && state.equals(c.state) && base.equals(c.base)
                && Arrays.equals(pending, c.pending);
    }

    @Override
    public int hashCode() {
        return Objects.hash(clock, state, base, Arrays.hashCode(pending));
    }

    @Override
    public String toString() {
        return "Checkpoint[clock=" + clock + ", state=" + state.size() + " atoms, base="
                + base.entities().size() + " entities, pending=" + (pending != null) + "]";
    }
}
