/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.sync;

import io.github.crdtmemory.core.LwwMap;
import io.github.crdtmemory.core.Register;
import io.github.crdtmemory.memory.AtomKey;
import io.github.crdtmemory.memory.MemoryState;
import java.util.List;

/** The checks of a join before it is persisted and published (step 3 of the cycle, see {@link SyncEngine}). Stateless. */
final class Verifier {
    private Verifier() {
    }

    /**
     * Checks that {@code merged} is the join of {@code inputs}: above every input, made only of their
     * registers, and sized between the largest input and the sum of all.
     *
     * @param names one label per input, for messages
     * @param inputs the states joined
     * @param merged their join
     * @throws VerificationException if a check fails
     */
    static void verify(List<String> names, List<MemoryState> inputs, MemoryState merged) {
        LwwMap<AtomKey> out = merged.atoms();
        long sum = 0;
        int largest = 0;
        for (int i = 0; i < inputs.size(); i++) {
            LwwMap<AtomKey> in = inputs.get(i).atoms();
            sum += in.size();
            largest = Math.max(largest, in.size());
            if (!in.isCoveredBy(out)) {
                for (LwwMap.Cursor<AtomKey> c = in.cursor(); c.hasEntry(); c.advance()) {
                    AtomKey k = c.key();
                    Register r = out.get(k).orElse(null);
                    if (r == null) {
                        throw new VerificationException("join lost " + k + " of " + names.get(i));
                    }
                    if (r.compareTo(c.register()) < 0) {
                        throw new VerificationException("join holds " + r + " for " + k + ", below "
                                + c.register() + " of " + names.get(i));
                    }
                }
                throw new VerificationException("join is not above " + names.get(i));
            }
        }
        if (out.size() < largest || out.size() > sum) {
            throw new VerificationException("join has " + out.size() + " atoms; expected between " + largest
                    + " and " + sum);
        }
        for (LwwMap.Cursor<AtomKey> c = out.cursor(); c.hasEntry(); c.advance()) {
            AtomKey k = c.key();
            Register r = c.register();
            boolean found = false;
            for (MemoryState in : inputs) {
                if (in.atoms().get(k).map(r::equals).orElse(false)) {
                    found = true;
                    break;
                }
            }
            if (!found) {
                throw new VerificationException("join holds " + r + " for " + k + ", which no input held");
            }
        }
    }
}
