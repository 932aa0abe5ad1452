/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.crdtmemory.memory.AtomKey;
import io.github.crdtmemory.memory.AtomKey.EntityKey;
import io.github.crdtmemory.memory.AtomKey.ObservationKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link LwwMap.Builder} joins the registers of a key put twice, whichever comes first. */
final class LwwMapBuilderTest {
    private static final ReplicaId A = ReplicaId.of("a");
    private static final ReplicaId B = ReplicaId.of("b");
    private static final AtomKey ADA = new EntityKey("Ada");
    private static final AtomKey BOB = new EntityKey("Bob");
    private static final AtomKey NOTE = new ObservationKey("Ada", "note");

    @Test
    void theLowerRegisterLastOrFirstGivesTheSameMap() {
        Register low = Register.live(new Stamp(5, 0, A), "person");
        Register high = Register.tombstone(new Stamp(5, 1, A), "person");
        assertThat(build(List.of(Map.entry(ADA, high), Map.entry(ADA, low))).get(ADA)).contains(high);
        assertThat(build(List.of(Map.entry(ADA, low), Map.entry(ADA, high))).get(ADA)).contains(high);
    }

    @Test
    void duplicatesApartAmongOtherKeysAreJoinedInEveryOrder() {
        Register r1 = Register.live(new Stamp(7, 0, A), "");
        Register r2 = Register.live(new Stamp(7, 0, B), "");
        Register r3 = Register.live(new Stamp(6, 9, B), "");
        Register other = Register.live(new Stamp(1, 0, A), "x");
        // equal stamps: a tombstone beats a live value, then the larger value wins
        Register live = Register.live(new Stamp(3, 0, A), "a");
        Register dead = Register.tombstone(new Stamp(3, 0, A), "a");
        Register bigger = Register.live(new Stamp(3, 0, A), "b");
        List<Map.Entry<AtomKey, Register>> entries = List.of(Map.entry(NOTE, r2), Map.entry(BOB, other),
                Map.entry(NOTE, r1), Map.entry(ADA, live), Map.entry(NOTE, r3), Map.entry(ADA, bigger),
                Map.entry(ADA, dead));
        LwwMap<AtomKey> expected = LwwMap.<AtomKey>empty().with(ADA, dead).with(BOB, other).with(NOTE, r2);
        for (List<Map.Entry<AtomKey, Register>> order : permutations(entries)) {
            assertThat(build(order)).as(order.toString()).isEqualTo(expected);
        }
    }

    @Test
    void aSortedRunWithARepeatedKeyIsStillJoined() {
        Register high = Register.live(new Stamp(9, 0, A), "t");
        Register low = Register.live(new Stamp(1, 0, A), "t");
        LwwMap<AtomKey> m = build(List.of(Map.entry(ADA, high), Map.entry(ADA, low), Map.entry(BOB, low)));
        assertThat(m.size()).isEqualTo(2);
        assertThat(m.get(ADA)).contains(high);
    }

    private static LwwMap<AtomKey> build(List<Map.Entry<AtomKey, Register>> entries) {
        LwwMap.Builder<AtomKey> b = LwwMap.builder();
        entries.forEach(e -> b.put(e.getKey(), e.getValue()));
        return b.build();
    }

    private static <T> List<List<T>> permutations(List<T> items) {
        if (items.isEmpty()) {
            return List.of(List.of());
        }
        List<List<T>> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            List<T> rest = new ArrayList<>(items);
            T first = rest.remove(i);
            for (List<T> p : permutations(rest)) {
                List<T> withFirst = new ArrayList<>(List.of(first));
                withFirst.addAll(p);
                out.add(withFirst);
            }
        }
        return out;
    }
}
