/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.memory.AtomCounts;
import io.github.crdtmemory.store.Revision;
import java.nio.charset.StandardCharsets;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class SettledTest {
    private static Settled record() {
        TreeMap<ReplicaId, Revision> revisions = new TreeMap<>();
        revisions.put(ReplicaId.of("alice"), Revision.of("a".repeat(40)));
        return new Settled(ReplicaId.of("alice"), "/m/memory.jsonl", "ab".repeat(32), 12, "1:2:3", "", "store",
                revisions, new AtomCounts(1, 2, 3, 0), "cd".repeat(32), 1);
    }

    @Test
    void aRecordDecodesAsItWasEncoded() {
        assertThat(Settled.decode(record().encode())).contains(record());
    }

    @Test
    void aRecordMissingAFieldIsNotDecoded() {
        String line = new String(record().encode(), StandardCharsets.UTF_8);
        for (String field : new String[] {"memoryFile", "memorySha256", "checkpoint", "journal", "store",
                "stateSha256"}) {
            String without = line.replaceFirst(",\"" + field + "\":\"[^\"]*\"", "");
            assertThat(without).as(field).isNotEqualTo(line);
            assertThat(Settled.decode(without.getBytes(StandardCharsets.UTF_8))).as(field).isEmpty();
        }
    }
}
