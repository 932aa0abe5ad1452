/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.crdtmemory.core.LwwMap;
import io.github.crdtmemory.core.Register;
import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.core.Stamp;
import io.github.crdtmemory.memory.AtomKey;
import io.github.crdtmemory.memory.AtomKey.ObservationKey;
import io.github.crdtmemory.memory.MemoryState;
import io.github.crdtmemory.testkit.Generators;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link ReplicaStore} keeps, as a JUnit 5 test interface. Implement it in a test
 * class, return a fresh store from {@link #newStore()}, and JUnit runs every default method against it.
 * Published in the {@code crdt-core} test-jar (see {@code docs/storage-spi.md}).
 */
public interface StoreContract {

    /**
     * Returns a handle on new, empty storage. The test closes it.
     *
     * @return the store
     */
    ReplicaStore newStore();

    /**
     * Returns a second handle on the same storage as {@code store}, as another process would open it.
     * The default returns {@code store} itself, for stores that cannot be opened twice.
     *
     * @param store a store from {@link #newStore()}
     * @return another handle; the test closes it
     */
    default ReplicaStore reopen(ReplicaStore store) {
        return store;
    }

    /**
     * Returns the number of atoms of the large-state test.
     *
     * @return 100,000 by default
     */
    default int largeStateAtoms() {
        return 100_000;
    }

    /**
     * Returns how many publications each of the 8 threads of the concurrency tests makes.
     *
     * @return 10 by default
     */
    default int roundsPerThread() {
        return 10;
    }

    /** A state holding one live observation {@code text} on entity {@code "e"}, stamped at {@code wall}. */
    static MemoryState atom(ReplicaId replica, long wall, String text) {
        return MemoryState.of(LwwMap.<AtomKey>builder()
                .put(new ObservationKey("e", text), Register.live(new Stamp(wall, 0, replica), ""))
                .build());
    }

    private static ReplicaId r(String id) {
        return ReplicaId.of(id);
    }

    @Test
    default void emptyStoreHasNoReplicas() {
        try (ReplicaStore store = newStore()) {
            Snapshot s = store.read();
            assertThat(s.size()).isZero();
            assertThat(s.revision(r("a"))).isEqualTo(Revision.NONE);
            assertThat(store.description()).isNotBlank();
        }
    }

    @Test
    default void revisionsAreTheOnesReadWithTheStates() {
        try (ReplicaStore store = newStore()) {
            assertThat(store.revisions()).isEmpty();
            Revision a = store.publish(r("a"), atom(r("a"), 5, "one"), Revision.NONE);
            Revision b = store.publish(r("b"), atom(r("b"), 6, "two"), Revision.NONE);
            Revision a2 = store.publish(r("a"), atom(r("a"), 5, "one").join(atom(r("a"), 7, "three")), a);
            Snapshot s = store.read();
            assertThat(store.revisions()).containsExactly(java.util.Map.entry(r("a"), a2), java.util.Map.entry(r("b"), b))
                    .containsEntry(r("a"), s.revision(r("a"))).containsEntry(r("b"), s.revision(r("b")));
        }
    }

    @Test
    default void publishedStateReadsBackEqual() {
        try (ReplicaStore store = newStore()) {
            MemoryState a = atom(r("a"), 5, "one").join(atom(r("a"), 6, "two"));
            Revision rev = store.publish(r("a"), a, Revision.NONE);
            assertThat(rev.isNone()).isFalse();
            Snapshot s = store.read();
            assertThat(s.replicas()).containsExactly(r("a"));
            assertThat(s.get(r("a")).orElseThrow().state()).isEqualTo(a);
            assertThat(s.revision(r("a"))).isEqualTo(rev);
        }
    }

    @Test
    default void emptyStateRoundTrips() {
        try (ReplicaStore store = newStore()) {
            Revision rev = store.publish(r("a"), MemoryState.empty(), Revision.NONE);
            assertThat(store.read().get(r("a")).orElseThrow()).isEqualTo(
                    new PublishedState(r("a"), rev, MemoryState.empty()));
        }
    }

    @Test
    default void staleRevisionIsRejectedAndNothingChanges() {
        try (ReplicaStore store = newStore()) {
            Revision first = store.publish(r("a"), atom(r("a"), 1, "one"), Revision.NONE);
            Revision second = store.publish(r("a"), atom(r("a"), 2, "two"), first);
            assertThat(second).isNotEqualTo(first);
            Snapshot before = store.read();
            assertThatThrownBy(() -> store.publish(r("a"), atom(r("a"), 3, "three"), first))
                    .isInstanceOf(ConcurrentUpdateException.class)
                    .satisfies(e -> {
                        ConcurrentUpdateException c = (ConcurrentUpdateException) e;
                        assertThat(c.expected()).isEqualTo(first);
                        assertThat(c.replica()).contains(r("a"));
                        // a decorator may name the inner store that refused
                        assertThat(c.store()).isNotBlank();
                        assertThat(c.getMessage()).contains(c.store()).contains("replica a");
                    });
            assertThat(store.read()).isEqualTo(before);
        }
    }

    @Test
    default void noneIsRejectedOnceTheReplicaPublished() {
        try (ReplicaStore store = newStore()) {
            store.publish(r("a"), atom(r("a"), 1, "one"), Revision.NONE);
            Snapshot before = store.read();
            assertThatThrownBy(() -> store.publish(r("a"), atom(r("a"), 2, "two"), Revision.NONE))
                    .isInstanceOf(ConcurrentUpdateException.class);
            assertThat(store.read()).isEqualTo(before);
        }
    }

    @Test
    default void madeUpRevisionIsRejected() {
        try (ReplicaStore store = newStore()) {
            assertThatThrownBy(() -> store.publish(r("a"), atom(r("a"), 1, "x"), Revision.of("not-a-revision")))
                    .isInstanceOf(ConcurrentUpdateException.class);
            assertThat(store.read().size()).isZero();
            Revision rev = store.publish(r("a"), atom(r("a"), 1, "x"), Revision.NONE);
            assertThatThrownBy(() -> store.publish(r("a"), atom(r("a"), 2, "y"), Revision.of("not-a-revision")))
                    .isInstanceOf(ConcurrentUpdateException.class);
            assertThat(store.read().revision(r("a"))).isEqualTo(rev);
        }
    }

    @Test
    default void replicasAreIndependent() {
        try (ReplicaStore store = newStore()) {
            Revision a = store.publish(r("a"), atom(r("a"), 1, "from a"), Revision.NONE);
            Revision b = store.publish(r("b"), atom(r("b"), 1, "from b"), Revision.NONE);
            store.publish(r("b"), atom(r("b"), 2, "from b again"), b);
            Snapshot s = store.read();
            assertThat(s.replicas()).containsExactly(r("a"), r("b"));
            assertThat(s.revision(r("a"))).isEqualTo(a);
            assertThat(s.get(r("a")).orElseThrow().state()).isEqualTo(atom(r("a"), 1, "from a"));
            assertThat(s.get(r("b")).orElseThrow().state()).isEqualTo(atom(r("b"), 2, "from b again"));
        }
    }

    @Test
    default void republishingTheSameStateSucceeds() {
        try (ReplicaStore store = newStore()) {
            MemoryState s = atom(r("a"), 1, "x");
            Revision first = store.publish(r("a"), s, Revision.NONE);
            Revision second = store.publish(r("a"), s, first);
            assertThat(store.read().revision(r("a"))).isEqualTo(second);
            assertThat(store.read().get(r("a")).orElseThrow().state()).isEqualTo(s);
        }
    }

    @Test
    default void secondHandleSeesPublicationsAndSharesTheSwap() {
        try (ReplicaStore store = newStore(); ReplicaStore other = reopen(store)) {
            Revision rev = store.publish(r("a"), atom(r("a"), 1, "x"), Revision.NONE);
            assertThat(other.read().revision(r("a"))).isEqualTo(rev);
            Revision next = other.publish(r("a"), atom(r("a"), 2, "y"), rev);
            assertThatThrownBy(() -> store.publish(r("a"), atom(r("a"), 3, "z"), rev))
                    .isInstanceOf(ConcurrentUpdateException.class);
            assertThat(store.read().revision(r("a"))).isEqualTo(next);
        }
    }

    @Test
    default void hardStringsRoundTrip() {
        try (ReplicaStore store = newStore()) {
            MemoryState s = MemoryState.empty();
            long wall = 1;
            for (String text : Generators.HARD_STRINGS) {
                s = s.join(atom(r("a"), wall++, text));
            }
            store.publish(r("a"), s, Revision.NONE);
            assertThat(store.read().get(r("a")).orElseThrow().state()).isEqualTo(s);
        }
    }

    @Test
    default void largeStateRoundTrips() {
        try (ReplicaStore store = newStore()) {
            LwwMap.Builder<AtomKey> b = LwwMap.builder();
            ReplicaId a = r("a");
            for (int i = 0; i < largeStateAtoms(); i++) {
                b.put(new ObservationKey("entity-" + (i % 1000), "observation number " + i),
                        Register.live(new Stamp(1_700_000_000_000L + i, i % 3, a), ""));
            }
            MemoryState big = MemoryState.of(b.build());
            Revision rev = store.publish(a, big, Revision.NONE);
            PublishedState back = store.read().get(a).orElseThrow();
            assertThat(back.revision()).isEqualTo(rev);
            assertThat(back.state().size()).isEqualTo(largeStateAtoms());
            assertThat(back.state()).isEqualTo(big);
        }
    }

    /**
     * Eight threads share one replica id and add one atom per round by read, join, compare-and-swap,
     * retrying lost races: every atom must survive (a lost update would drop one).
     */
    @Test
    default void concurrentPublishersOfOneReplicaLoseNoUpdate() throws Exception {
        try (ReplicaStore store = newStore()) {
            ReplicaId shared = r("shared");
            int threads = 8;
            int rounds = roundsPerThread();
            AtomicInteger conflicts = new AtomicInteger();
            runThreads(threads, t -> {
                try (ReplicaStore handle = t % 2 == 0 ? new ForwardingStore(store) : otherHandle(store)) {
                    for (int i = 0; i < rounds; i++) {
                        while (true) {
                            Snapshot s = handle.read();
                            MemoryState mine = s.get(shared).map(PublishedState::state).orElse(MemoryState.empty())
                                    .join(atom(shared, 1 + t * 1000L + i, "t" + t + "-" + i));
                            try {
                                handle.publish(shared, mine, s.revision(shared));
                                break;
                            } catch (ConcurrentUpdateException e) {
                                conflicts.incrementAndGet();
                            }
                        }
                    }
                }
            });
            MemoryState last = store.read().get(shared).orElseThrow().state();
            assertThat(last.size()).as("atoms after %s lost races", conflicts.get()).isEqualTo(threads * rounds);
        }
    }

    @Test
    default void concurrentPublishersOfDistinctReplicasNeverConflict() throws Exception {
        try (ReplicaStore store = newStore()) {
            int threads = 8;
            int rounds = roundsPerThread();
            runThreads(threads, t -> {
                ReplicaId me = r("replica-" + t);
                MemoryState mine = MemoryState.empty();
                Revision rev = Revision.NONE;
                for (int i = 0; i < rounds; i++) {
                    mine = mine.join(atom(me, 1 + i, "r" + t + "-" + i));
                    rev = store.publish(me, mine, rev); // a conflict here throws and fails the test
                }
            });
            Snapshot s = store.read();
            assertThat(s.size()).isEqualTo(threads);
            assertThat(s.joined().size()).isEqualTo(threads * rounds);
        }
    }

    /**
     * While one thread publishes a sequence of states, readers take snapshots: every (revision, state)
     * pair they see must be one that was published, and publishing with a snapshot's revision succeeds
     * exactly when nothing was published since.
     */
    @Test
    default void snapshotsPairEachRevisionWithItsState() throws Exception {
        try (ReplicaStore store = newStore()) {
            ReplicaId a = r("a");
            Map<Revision, MemoryState> published = new ConcurrentHashMap<>();
            List<PublishedState> seen = new CopyOnWriteArrayList<>();
            AtomicBoolean done = new AtomicBoolean();
            int rounds = roundsPerThread() * 3;
            ExecutorService pool = Executors.newFixedThreadPool(3);
            try {
                Future<?> writer = pool.submit(() -> {
                    MemoryState s = MemoryState.empty();
                    Revision rev = Revision.NONE;
                    for (int i = 0; i < rounds; i++) {
                        s = s.join(atom(a, 1 + i, "v" + i));
                        rev = store.publish(a, s, rev);
                        published.put(rev, s);
                    }
                    done.set(true);
                    return null;
                });
                List<Future<?>> readers = new ArrayList<>();
                for (int k = 0; k < 2; k++) {
                    readers.add(pool.submit(() -> {
                        try (ReplicaStore handle = otherHandle(store)) {
                            while (!done.get()) {
                                handle.read().get(a).ifPresent(seen::add);
                            }
                        }
                        return null;
                    }));
                }
                writer.get(5, TimeUnit.MINUTES);
                for (Future<?> f : readers) {
                    f.get(5, TimeUnit.MINUTES);
                }
            } finally {
                pool.shutdownNow();
            }
            for (PublishedState p : seen) {
                assertThat(published).containsKey(p.revision());
                assertThat(p.state()).isEqualTo(published.get(p.revision()));
            }
            Snapshot last = store.read();
            Revision current = last.revision(a);
            for (Revision old : new HashSet<>(published.keySet())) {
                if (!old.equals(current)) {
                    assertThatThrownBy(() -> store.publish(a, atom(a, 0, "stale"), old))
                            .isInstanceOf(ConcurrentUpdateException.class);
                }
            }
            assertThat(store.publish(a, last.get(a).orElseThrow().state(), current)).isNotNull();
        }
    }

    @Test
    default void closeIsIdempotent() {
        ReplicaStore store = newStore();
        store.close();
        store.close();
    }

    /** A second handle on {@code store}'s storage that is safe to close. */
    private ReplicaStore otherHandle(ReplicaStore store) {
        ReplicaStore handle = reopen(store);
        return handle == store ? new ForwardingStore(store) : handle;
    }

    /** Runs {@code body(t)} on {@code n} threads started together and rethrows the first failure. */
    private static void runThreads(int n, ThrowingIntConsumer body) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<?>> all = new ArrayList<>();
            for (int t = 0; t < n; t++) {
                int id = t;
                all.add(pool.submit(() -> {
                    go.await();
                    body.accept(id);
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : all) {
                f.get(10, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** A body that may throw. */
    @FunctionalInterface
    interface ThrowingIntConsumer {
        /**
         * Runs for thread {@code t}.
         *
         * @param t the thread's index
         * @throws Exception on failure
         */
        void accept(int t) throws Exception;
    }
}
