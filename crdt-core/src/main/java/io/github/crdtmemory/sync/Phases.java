/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.sync;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** Wall time per phase of one run, accumulated in the order phases first ran. One per run, one thread. */
final class Phases {
    private final Map<String, Duration> spent = new LinkedHashMap<>();
    private final long start = System.nanoTime();
    private long mark = start;

    /** Charges the time since the previous end (or the start) to {@code phase}. */
    void end(String phase) {
        long now = System.nanoTime();
        spent.merge(phase, Duration.ofNanos(now - mark), Duration::plus);
        mark = now;
    }

    /** The phases so far, and {@code total} since the start. */
    Map<String, Duration> done() {
        spent.put("total", Duration.ofNanos(System.nanoTime() - start));
        return spent;
    }
}
