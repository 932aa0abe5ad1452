/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.crdtmemory.memory.AtomKey;
import io.github.crdtmemory.memory.AtomKey.EntityKey;
import io.github.crdtmemory.memory.AtomKey.ObservationKey;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;

/** {@link LwwMap.Cursor} walks the entries in key order and seeks the first key at or after another. */
final class LwwMapCursorTest {
    private static final ReplicaId A = ReplicaId.of("a");
    private static final AtomKey ADA = new EntityKey("Ada");
    private static final AtomKey ADA_NOTE = new ObservationKey("Ada", "note");
    private static final AtomKey BOB = new EntityKey("Bob");
    private static final AtomKey CAROL = new EntityKey("Carol");

    private static final LwwMap<AtomKey> MAP = LwwMap.<AtomKey>builder()
            .put(CAROL, Register.live(new Stamp(3, 0, A), "person"))
            .put(ADA_NOTE, Register.live(new Stamp(2, 0, A), ""))
            .put(ADA, Register.live(new Stamp(1, 0, A), "person"))
            .build();

    @Test
    void aCursorWalksEveryEntryInKeyOrderThenStops() {
        List<AtomKey> seen = new ArrayList<>();
        List<Long> stamps = new ArrayList<>();
        LwwMap.Cursor<AtomKey> c = MAP.cursor();
        for (; c.hasEntry(); c.advance()) {
            seen.add(c.key());
            stamps.add(c.register().stamp().wallMillis());
        }
        assertThat(seen).containsExactly(ADA, ADA_NOTE, CAROL);
        assertThat(stamps).containsExactly(1L, 2L, 3L);
        assertThatThrownBy(c::key).isInstanceOf(NoSuchElementException.class);
        assertThatThrownBy(c::advance).isInstanceOf(NoSuchElementException.class);
        assertThat(LwwMap.<AtomKey>empty().cursor().hasEntry()).isFalse();
    }

    @Test
    void cursorAtFindsTheKeyOrTheNextOne() {
        assertThat(MAP.cursorAt(ADA_NOTE).key()).isEqualTo(ADA_NOTE);
        assertThat(MAP.cursorAt(BOB).key()).isEqualTo(CAROL);
        assertThat(MAP.cursorAt(new EntityKey("Dave")).hasEntry()).isFalse();
    }
}
