/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.bench;

import io.github.crdtmemory.core.Stamp;
import io.github.crdtmemory.memory.AtomKey;
import org.apache.pekko.actor.Address;
import org.apache.pekko.cluster.UniqueAddress;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.LWWRegister;

/**
 * The same replicas as Apache Pekko Distributed Data {@code LWWMap}s: one cluster node per replica, each
 * atom put with a clock that returns the atom's stamp, so both implementations resolve the same
 * conflicts from the same data.
 */
final class Pekko {
    private Pekko() {
    }

    static LWWMap<AtomKey, String> map(Fixtures.Replica r) {
        UniqueAddress node = new UniqueAddress(new Address("pekko", "bench", r.replica().value(), 2552),
                (long) r.replica().value().hashCode());
        LWWMap<AtomKey, String> map = LWWMap.create();
        for (int i = 0; i < r.keys().size(); i++) {
            Stamp s = r.stamps().get(i);
            long time = s.wallMillis() * 1000 + s.counter();
            LWWRegister.Clock<String> clock = (current, value) -> time;
            map = map.put(node, r.keys().get(i), "", clock);
        }
        return map;
    }
}
