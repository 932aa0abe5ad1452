/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The main class of the child JVMs of {@link ProcessFileLockTest}. Modes:
 * <ul>
 *   <li>{@code probe file}: tries the OS lock on {@code file} once, prints {@code free} or {@code held};</li>
 *   <li>{@code rounds dir rounds threads startMillis periodMillis}: round {@code i} starts at
 *       {@code startMillis + i * periodMillis} (wall clock, so two children start each round together);
 *       every thread then takes {@code ProcessFileLock} on the fresh file {@code dir/r<i>.lock} and,
 *       holding it, creates {@code dir/r<i>.held} exclusively (printing {@code overlap r<i>} if it is
 *       there: another holder is inside), adds one to the count in {@code dir/r<i>.count}, waits (30 ms
 *       for the round's first holder in this process, else 1 ms) and deletes the marker; prints {@code error r<i>: ...} for a failure inside (a torn
 *       count when two were inside) and goes on; prints {@code done} at the end.</li>
 * </ul>
 */
public final class LockWorker {
    private LockWorker() {
    }

    public static void main(String[] args) throws Exception {
        if (args[0].equals("probe")) {
            try (FileChannel channel = FileChannel.open(Path.of(args[1]), StandardOpenOption.WRITE)) {
                FileLock lock = channel.tryLock();
                System.out.println(lock == null ? "held" : "free");
            }
            return;
        }
        Path dir = Path.of(args[1]);
        int rounds = Integer.parseInt(args[2]);
        int threads = Integer.parseInt(args[3]);
        long start = Long.parseLong(args[4]);
        long period = Long.parseLong(args[5]);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        Set<String> entered = ConcurrentHashMap.newKeySet();
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            done.add(pool.submit(() -> {
                for (int i = 0; i < rounds; i++) {
                    long at = start + i * period;
                    while (System.currentTimeMillis() < at) {
                        Thread.sleep(1);
                    }
                    try {
                        enter(dir, "r" + i, entered);
                    } catch (IOException | RuntimeException e) {
                        System.out.println("error r" + i + ": " + e); // a torn count, say: go on
                    }
                }
                return null;
            }));
        }
        pool.shutdown();
        for (Future<?> f : done) {
            f.get();
        }
        System.out.println("done");
    }

    private static void enter(Path dir, String round, Set<String> entered) throws IOException, InterruptedException {
        try (ProcessFileLock lock = ProcessFileLock.acquire(dir.resolve(round + ".lock"), Duration.ofSeconds(30))) {
            Path held = dir.resolve(round + ".held");
            try {
                Files.createFile(held);
            } catch (FileAlreadyExistsException e) {
                System.out.println("overlap " + round);
            }
            Path count = dir.resolve(round + ".count");
            int n = Files.exists(count) ? Integer.parseInt(Files.readString(count)) : 0;
            // the first holder of a round in this process is the one whose lock a racing creation could
            // have dropped: it stays long enough for the other process's 20 ms polls to find the gap
            Thread.sleep(entered.add(round) ? 30 : 1);
            Files.writeString(count, Integer.toString(n + 1));
            Files.deleteIfExists(held);
        }
    }
}
