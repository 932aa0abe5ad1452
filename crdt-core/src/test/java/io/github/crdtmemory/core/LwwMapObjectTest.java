/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.crdtmemory.memory.AtomKey;
import io.github.crdtmemory.memory.AtomKey.EntityKey;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@link LwwMap}'s {@code hashCode} and {@code toString}: equal maps hash alike however they were
 * built, distinct maps spread over the hash values (a key or a register alone changes the hash), and
 * the text names every entry in key order.
 */
final class LwwMapObjectTest {
    private static final ReplicaId A = ReplicaId.of("a");
    private static final ReplicaId B = ReplicaId.of("b");

    @Test
    void equalMapsBuiltApartHashAlike() {
        Register ada = Register.live(new Stamp(5, 0, A), "person");
        Register bob = Register.tombstone(new Stamp(6, 0, B), "person");
        LwwMap<AtomKey> one = LwwMap.<AtomKey>empty().with(new EntityKey("Ada"), ada);
        LwwMap<AtomKey> other = LwwMap.<AtomKey>empty().with(new EntityKey("Bob"), bob);
        LwwMap<AtomKey> ab = one.join(other);
        LwwMap<AtomKey> ba = other.join(one);
        assertThat(ab).isEqualTo(ba).isNotSameAs(ba);
        assertThat(ab.hashCode()).isEqualTo(ba.hashCode()).isEqualTo(ab.hashCode());
        assertThat(LwwMap.<AtomKey>empty().hashCode()).isEqualTo(LwwMap.<AtomKey>builder().build().hashCode());
    }

    @Test
    void aKeyOrARegisterAloneChangesTheHash() {
        Set<Integer> byKey = new HashSet<>();
        Set<Integer> byRegister = new HashSet<>();
        Set<Integer> bySecondEntry = new HashSet<>();
        Register same = Register.live(new Stamp(1, 0, A), "thing");
        for (int i = 0; i < 1000; i++) {
            byKey.add(LwwMap.<AtomKey>empty().with(new EntityKey("e" + i), same).hashCode());
            byRegister.add(LwwMap.<AtomKey>empty().with(new EntityKey("e"), Register.live(new Stamp(i, 0, A),
                    "thing")).hashCode());
            bySecondEntry.add(LwwMap.<AtomKey>empty().with(new EntityKey("a"), same)
                    .with(new EntityKey("b"), Register.live(new Stamp(i, 0, A), "thing")).hashCode());
        }
        assertThat(byKey).as("1000 maps differing in their key").hasSizeGreaterThan(990);
        assertThat(byRegister).as("1000 maps differing in their register").hasSizeGreaterThan(990);
        assertThat(bySecondEntry).as("1000 maps differing in their second register").hasSizeGreaterThan(990);
    }

    @Test
    void theTextNamesEveryEntryInKeyOrder() {
        Register ada = Register.live(new Stamp(5, 0, A), "person");
        Register bob = Register.tombstone(new Stamp(6, 0, B), "person");
        LwwMap<AtomKey> m = LwwMap.<AtomKey>empty().with(new EntityKey("Bob"), bob).with(new EntityKey("Ada"), ada);
        assertThat(m.toString()).isEqualTo("LwwMap{" + new EntityKey("Ada") + "=" + ada + ", "
                + new EntityKey("Bob") + "=" + bob + "}");
        assertThat(LwwMap.empty().toString()).isEqualTo("LwwMap{}");
    }
}
