/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.sync;

import static org.assertj.core.api.Assertions.fail;

import io.github.crdtmemory.sync.FaultModel.Kind;
import io.github.crdtmemory.sync.FaultModel.Violation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fault model over the real {@link SyncEngine} ({@link FaultModel}, judged by {@link FaultOracle}):
 * random schedules of several hosts sharing one store, with crashes and foreign writes at every step
 * boundary of the cycle, truncating writers caught mid-write and clocks jumping to the end of time.
 * It checks that every acknowledged write is in the converged view unless a later deletion removed
 * it, that no deletion is undone except by a later re-creation, that a re-creation brings back no
 * observation or relation its entity's deletion hid, that a truncated file is refused, that a stamp
 * at the end of time stops no other host and does not spread, and that all hosts converge.
 *
 * <p>The schedules are drawn from fixed seeds, so a run is repeatable. System properties:
 * <ul>
 *   <li>{@code faultmodel.tries} (default {@value #DEFAULT_TRIES}): how many schedules;</li>
 *   <li>{@code faultmodel.steps} (default {@value #DEFAULT_STEPS}): steps per schedule;</li>
 *   <li>{@code faultmodel.hosts} (default 3);</li>
 *   <li>{@code faultmodel.seed}: run this one seed only (the failure message prints it);</li>
 *   <li>{@code faultmodel.firstSeed} (default {@value #FIRST_SEED}): the seed of the first schedule;</li>
 *   <li>{@code faultmodel.kinds}: a comma-separated subset of {@link Kind} (default all);</li>
 *   <li>{@code faultmodel.keepGoing=true}: run every schedule and report each kind of violation found
 *       (with its first seed) instead of stopping at the first;</li>
 *   <li>{@code faultmodel.shrinkSeconds} (default 60): how long to shrink a failing schedule;</li>
 *   <li>{@code faultmodel.dir}: where the hosts' files go (default {@code /dev/shm} when writable, else
 *       the test's temporary directory).</li>
 * </ul>
 * For example {@code ./mvnw -B -o -pl crdt-core test -Dtest=FaultModelProperties -Dfaultmodel.tries=2000}.
 */
final class FaultModelProperties {
    static final int DEFAULT_TRIES = 300;
    static final int DEFAULT_STEPS = 80;
    static final long FIRST_SEED = 14_000L;

    @TempDir
    Path temp;

    @Test
    void noAcknowledgedWriteIsLostAndNoDeletionUndoneUnderCrashesAndForeignWriters() {
        int tries = Integer.getInteger("faultmodel.tries", DEFAULT_TRIES);
        int steps = Integer.getInteger("faultmodel.steps", DEFAULT_STEPS);
        long first = Long.getLong("faultmodel.firstSeed", FIRST_SEED);
        Long only = Long.getLong("faultmodel.seed");
        boolean keepGoing = Boolean.getBoolean("faultmodel.keepGoing");
        Map<String, String> found = new LinkedHashMap<>();
        Map<String, Integer> counts = new LinkedHashMap<>();
        long start = System.nanoTime();
        int ran = 0;
        for (int i = 0; i < (only == null ? tries : 1); i++) {
            ran++;
            long seed = only == null ? first + i : only;
            List<Integer> schedule = schedule(seed, steps);
            Optional<Violation> v = attempt(seed, schedule);
            v.ifPresent(x -> x.categories.forEach(c -> counts.merge(c, 1, Integer::sum)));
            v.ifPresent(x -> System.out.println("seed " + seed + ": " + x.getMessage().lines().findFirst().orElse("")));
            if (v.isPresent() && !found.containsKey(v.get().category)) {
                found.put(v.get().category, report(seed, i + 1, schedule, v.get()));
                if (!keepGoing) {
                    break;
                }
            }
        }
        System.out.printf(Locale.ROOT, "fault model: %d schedule(s) of %d steps in %d ms, violations: %s%n",
                ran, steps, (System.nanoTime() - start) / 1_000_000, counts);
        if (!found.isEmpty()) {
            String all = String.join("\n\n", found.values());
            System.out.println(all);
            fail(all);
        }
    }

    /** The schedule of a seed: one integer per step, decoded by the model. */
    static List<Integer> schedule(long seed, int steps) {
        Random random = new Random(seed * 31 + 7);
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < steps; i++) {
            out.add(random.nextInt(Integer.MAX_VALUE));
        }
        return out;
    }

    private Optional<Violation> attempt(long seed, List<Integer> schedule) {
        return attempt(seed, schedule, new StringBuilder());
    }

    private Optional<Violation> attempt(long seed, List<Integer> schedule, StringBuilder trace) {
        Path root;
        try {
            root = Files.createTempDirectory(directory(), "fault-model-run");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        FaultModel model = new FaultModel(root, Integer.getInteger("faultmodel.hosts", 3), kinds(), seed);
        try {
            model.run(schedule);
            return Optional.empty();
        } catch (Violation v) {
            return Optional.of(v);
        } catch (RuntimeException | Error e) {
            Violation v = new Violation("UNEXPECTED", "the model itself failed: " + e);
            v.initCause(e);
            return Optional.of(v);
        } finally {
            trace.append(model.trace());
            delete(root);
        }
    }

    private String report(long seed, int tries, List<Integer> schedule, Violation v) {
        List<Integer> small = shrink(seed, schedule, v.category);
        StringBuilder trace = new StringBuilder();
        Violation again = attempt(seed, small, trace).orElse(v);
        return "fault model violation " + v.category + " found by seed " + seed + " (schedule " + tries
                + "; rerun with -Dfaultmodel.seed=" + seed + "):\n" + v.getMessage()
                + (v.getCause() == null ? "" : "\ncaused by " + stackTrace(v.getCause()))
                + "\nshrunk from " + schedule.size() + " to " + small.size() + " steps " + small + ":\n"
                + trace + again.getMessage();
    }

    /** Removes chunks of the schedule while it still fails the same way, for at most the shrink budget. */
    private List<Integer> shrink(long seed, List<Integer> schedule, String category) {
        long deadline = System.nanoTime() + Long.getLong("faultmodel.shrinkSeconds", 60) * 1_000_000_000L;
        List<Integer> best = schedule;
        for (int chunk = Math.max(1, best.size() / 2); chunk >= 1 && System.nanoTime() < deadline; chunk /= 2) {
            for (int at = 0; at < best.size() && System.nanoTime() < deadline; ) {
                List<Integer> candidate = new ArrayList<>(best.subList(0, at));
                candidate.addAll(best.subList(Math.min(best.size(), at + chunk), best.size()));
                if (attempt(seed, candidate).filter(x -> x.category.equals(category)).isPresent()) {
                    best = candidate;
                } else {
                    at += chunk;
                }
            }
        }
        return best;
    }

    /**
     * Where the runs go: {@code faultmodel.dir}, else {@code /dev/shm} when it is a writable directory
     * (every cycle syncs several files to disk, which costs three times the rest of the run on a disk),
     * else the test's temporary directory. Each run gets a fresh {@code 0700} directory, removed after.
     */
    private Path directory() {
        String dir = System.getProperty("faultmodel.dir", "");
        if (!dir.isEmpty()) {
            return Path.of(dir);
        }
        Path shm = Path.of("/dev/shm");
        return Files.isDirectory(shm) && Files.isWritable(shm) ? shm : temp;
    }

    private static Set<Kind> kinds() {
        String names = System.getProperty("faultmodel.kinds", "");
        if (names.isBlank()) {
            return EnumSet.allOf(Kind.class);
        }
        Set<Kind> out = EnumSet.noneOf(Kind.class);
        for (String n : names.split(",")) {
            out.add(Kind.valueOf(n.strip().toUpperCase(Locale.ROOT)));
        }
        return out;
    }

    private static String stackTrace(Throwable t) {
        StringBuilder out = new StringBuilder(t.toString());
        StackTraceElement[] frames = t.getStackTrace();
        for (int i = 0; i < Math.min(8, frames.length); i++) {
            out.append("\n    at ").append(frames[i]);
        }
        return out.toString();
    }

    private static void delete(Path root) {
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
