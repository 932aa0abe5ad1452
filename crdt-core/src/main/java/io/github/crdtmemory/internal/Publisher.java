/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.internal;

import io.github.crdtmemory.store.ConcurrentUpdateException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Not API. The one retry loop for publishing by compare-and-swap: a round reads the store, joins and
 * publishes; a round that loses the race ({@link ConcurrentUpdateException}) is run again after a
 * jittered exponential backoff (uniform in [c/2, c] with c = min(1 s, 20 ms &lt;&lt; round)), at most
 * a given number of rounds, then the last loss is thrown. An interrupt during the backoff ends the loop
 * with the loss (the interrupt recorded as suppressed, the flag set again). Stateless and thread-safe.
 */
public final class Publisher {
    private static final Logger log = LoggerFactory.getLogger(Publisher.class);
    private static final long BACKOFF_BASE_MILLIS = 20;
    private static final long BACKOFF_CAP_MILLIS = 1000;

    private final int rounds;

    private Publisher(int rounds) {
        this.rounds = rounds;
    }

    /**
     * A publisher that runs at most {@code rounds} rounds.
     *
     * @param rounds at least 1
     * @return the publisher
     * @throws IllegalArgumentException if {@code rounds} is below 1
     */
    public static Publisher withRounds(int rounds) {
        if (rounds < 1) {
            throw new IllegalArgumentException("rounds must be at least 1: " + rounds);
        }
        return new Publisher(rounds);
    }

    /** One round: read, join, publish; throws {@link ConcurrentUpdateException} when it lost the race. */
    @FunctionalInterface
    public interface Round<T> {
        /**
         * Runs the round.
         *
         * @return its result
         * @throws ConcurrentUpdateException if another writer published first
         */
        T run();
    }

    /**
     * Runs {@code round} until it returns, backing off after each lost race.
     *
     * @param who for the debug log: whose publication this is
     * @param round the round
     * @param <T> its result
     * @return the result of the first round that did not lose
     * @throws ConcurrentUpdateException the last loss, once every round lost, or when interrupted
     */
    public <T> T publish(Object who, Round<T> round) {
        for (int attempt = 1; ; attempt++) {
            try {
                return round.run();
            } catch (ConcurrentUpdateException e) {
                if (attempt >= rounds) {
                    throw e;
                }
                log.debug("publication {} of {} lost a race, retrying: {}", attempt, who, e.getMessage());
                backoff(attempt, e);
            }
        }
    }

    private static void backoff(int attempt, ConcurrentUpdateException lost) {
        long cap = Math.min(BACKOFF_CAP_MILLIS, BACKOFF_BASE_MILLIS << Math.min(attempt, 10));
        try {
            TimeUnit.MILLISECONDS.sleep(ThreadLocalRandom.current().nextLong(cap / 2, cap + 1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            lost.addSuppressed(e);
            throw lost;
        }
    }
}
