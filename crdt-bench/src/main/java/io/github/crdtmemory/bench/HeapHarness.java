/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The smallest heap each user-facing program needs for memories of N entities (two observations and
 * one relation each: four atoms an entity), found by bisection over child processes of the shaded jars
 * with {@code -XX:+UseSerialGC -Xmx<m>m}, as {@code bin/memory-backup} and {@code bin/memory-mcp-server}
 * run them: {@code memory-backup sync} cold (new store, new state) and warm (one edit), {@code restore}
 * on a second machine, and the MCP server (start, one read, one write, exit). For each it reports the
 * smallest {@code -Xmx} that worked, that heap per atom, and the largest heap occupancy after a
 * collection in that run ({@code -Xlog:gc}: the live high-water mark, close to what the program holds at
 * once). It also times a warm {@code sync} with nothing to do at the largest size, whole process
 * (under {@code -Xmx256m}, or 2 GiB where that is too small).
 *
 * <p>Arguments: output JSON file, profile ({@code quick}: 25,000 entities, 16 MiB resolution;
 * {@code full}: 25,000, 50,000 and 100,000, 8 MiB), the memory-backup jar, the memory-mcp-server jar,
 * and optionally the sizes to run instead of the profile's.
 */
public final class HeapHarness {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern GC_AFTER = Pattern.compile("->(\\d+)M\\(");
    private static final int MAX_HEAP_MIB = 2048;
    private static final long PROBE_SECONDS = 300;

    /** What is measured. */
    private enum Program {
        SYNC_COLD("memory-backup sync, cold"),
        SYNC_WARM("memory-backup sync, warm, one edit"),
        RESTORE("memory-backup restore, new machine"),
        SERVER("memory-mcp-server: start, read, write");

        final String label;

        Program(String label) {
            this.label = label;
        }
    }

    /** One child process run: whether it worked, its wall time, the largest heap after a GC (MiB). */
    private record Probe(boolean ok, long wallMillis, long liveMib, String failure) {
    }

    private final Path root;
    private final Path cliJar;
    private final Path serverJar;

    private HeapHarness(Path root, Path cliJar, Path serverJar) {
        this.root = root;
        this.cliJar = cliJar;
        this.serverJar = serverJar;
    }

    /**
     * Runs the measurements.
     *
     * @param args output file, profile, memory-backup jar, memory-mcp-server jar, optional sizes
     * @throws Exception if a program fails for another reason than its heap, or output cannot be written
     */
    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        boolean full = args[1].equals("full");
        int[] sizes = args.length > 4 ? Arrays.stream(args, 4, args.length).mapToInt(Integer::parseInt).toArray()
                : full ? new int[] {25_000, 50_000, 100_000} : new int[] {25_000};
        int resolution = full ? 8 : 16;
        Path root = Files.createTempDirectory("crdt-bench-heap-");
        try {
            HeapHarness h = new HeapHarness(root, Path.of(args[2]).toAbsolutePath(), Path.of(args[3]).toAbsolutePath());
            ObjectNode r = JSON.createObjectNode();
            r.put("format", "crdt-memory-heap-harness");
            r.put("profile", full ? "full" : "quick");
            r.put("resolutionMiB", resolution);
            ArrayNode rows = r.putArray("runs");
            for (int n : sizes) {
                h.prepare(n);
                for (Program p : Program.values()) {
                    rows.add(h.smallestHeap(p, n, resolution));
                }
            }
            int largest = sizes[sizes.length - 1];
            h.prepare(largest);
            r.set("warmNoOpSync", h.warmNoOp(largest, 5));
            JSON.writerWithDefaultPrettyPrinter().writeValue(out.toFile(), r);
            System.out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(r));
        } finally {
            delete(root);
        }
    }

    /** Bisects the heap between a size that fails and one that works, {@code resolution} MiB apart. */
    private ObjectNode smallestHeap(Program p, int entities, int resolution) throws Exception {
        int lo = 8;
        int hi = 256;
        Probe best = probe(p, hi);
        while (!best.ok() && hi < MAX_HEAP_MIB) {
            lo = hi;
            hi *= 2;
            best = probe(p, hi);
        }
        ObjectNode o = JSON.createObjectNode();
        o.put("program", p.label);
        o.put("entities", entities);
        o.put("atoms", entities * 4L);
        if (!best.ok()) {
            o.put("smallestXmxMiB", -1);
            o.put("failure", best.failure());
            return o;
        }
        while (hi - lo > resolution) {
            int mid = (lo + hi) / 2 / 4 * 4;
            Probe m = probe(p, mid);
            if (m.ok()) {
                hi = mid;
                best = m;
            } else {
                lo = mid;
            }
        }
        o.put("smallestXmxMiB", hi);
        o.put("xmxBytesPerAtom", hi * 1048576L / (entities * 4L));
        o.put("liveHighWaterMiB", best.liveMib());
        o.put("liveBytesPerAtom", best.liveMib() * 1048576L / (entities * 4L));
        o.put("wallMillisAtSmallest", best.wallMillis());
        System.err.printf(Locale.ROOT, "%s, %,d entities: -Xmx%dm (live %d MiB, %d ms)%n", p.label, entities, hi,
                best.liveMib(), best.wallMillis());
        return o;
    }

    /** Wall time of a warm sync that has nothing to do, whole process, under -Xmx256m or, failing, 2 GiB. */
    private ObjectNode warmNoOp(int entities, int runs) throws Exception {
        Path world = world(Program.RESTORE); // alice's world as her second sync left it
        int xmx = cli(world, "alice", 256, "sync").ok() ? 256 : MAX_HEAP_MIB;
        long[] millis = new long[runs];
        for (int i = 0; i < runs; i++) {
            Probe p = cli(world, "alice", xmx, "sync");
            if (!p.ok()) {
                throw new IllegalStateException("a warm no-op sync failed under -Xmx" + xmx + "m: " + p.failure());
            }
            millis[i] = p.wallMillis();
        }
        Arrays.sort(millis);
        ObjectNode o = JSON.createObjectNode();
        o.put("entities", entities);
        o.put("atoms", entities * 4L);
        o.put("xmx", "-Xmx" + xmx + "m");
        o.put("runs", runs);
        o.put("medianMillis", millis[runs / 2]);
        o.put("minMillis", millis[0]);
        o.put("maxMillis", millis[runs - 1]);
        return o;
    }

    /** The template world: a memory of {@code n} entities that alice synced once into a bare remote. */
    private void prepare(int n) throws Exception {
        Path template = root.resolve("template");
        delete(template);
        Files.createDirectories(template.resolve("alice"));
        writeMemory(template.resolve("memory.jsonl"), n, "");
        writeMemory(template.resolve("edited.jsonl"), n, "edited ");
        Path world = root.resolve("world");
        delete(world);
        Files.createDirectories(world.resolve("alice"));
        Files.copy(template.resolve("memory.jsonl"), world.resolve("alice/memory.jsonl"));
        git(world, "init", "--bare", "-q", "remote.git");
        for (int i = 0; i < 2; i++) { // the second: the file as sync writes it, nothing left to do
            Probe p = cli(world, "alice", MAX_HEAP_MIB, "sync");
            if (!p.ok()) {
                throw new IllegalStateException("the first sync of " + n + " entities failed: " + p.failure());
            }
        }
        copy(world.resolve("alice"), template.resolve("synced-alice"));
        copy(world.resolve("remote.git"), template.resolve("synced-remote.git"));
    }

    /** A fresh world for one probe, always at the same path (a git clone remembers its remote's path). */
    private Path world(Program p) throws Exception {
        Path world = root.resolve("world");
        Path template = root.resolve("template");
        delete(world);
        Files.createDirectories(world);
        if (p == Program.SYNC_COLD) {
            Files.createDirectories(world.resolve("alice"));
            Files.copy(template.resolve("memory.jsonl"), world.resolve("alice/memory.jsonl"));
            git(world, "init", "--bare", "-q", "remote.git");
        } else {
            copy(template.resolve("synced-alice"), world.resolve("alice"));
            copy(template.resolve("synced-remote.git"), world.resolve("remote.git"));
            Files.createDirectories(world.resolve("bob"));
            if (p == Program.SYNC_WARM) {
                Files.copy(template.resolve("edited.jsonl"), world.resolve("alice/memory.jsonl"),
                        StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return world;
    }

    private Probe probe(Program p, int xmx) throws Exception {
        Path world = world(p);
        return switch (p) {
            case SYNC_COLD, SYNC_WARM -> cli(world, "alice", xmx, "sync");
            case RESTORE -> cli(world, "bob", xmx, "restore");
            case SERVER -> server(world, xmx);
        };
    }

    private List<String> java(Path world, int xmx, Path jar) {
        return new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-Xshare:auto", "-Xmx" + xmx + "m",
                "-Xlog:gc:file=" + world.resolve("gc.log") + "::filecount=0", "-jar", jar.toString()));
    }

    private ProcessBuilder environment(ProcessBuilder pb, Path world, String replica) {
        pb.environment().clear();
        pb.environment().put("PATH", System.getenv("PATH"));
        pb.environment().put("HOME", world.resolve(replica).toString());
        pb.environment().put("MEMORY_FILE_PATH", world.resolve(replica).resolve("memory.jsonl").toString());
        pb.environment().put("MEMORY_BACKUP_STORE", "git+file://" + world.resolve("remote.git"));
        pb.environment().put("MEMORY_BACKUP_REPLICA", replica);
        return pb.redirectError(world.resolve("stderr.txt").toFile());
    }

    private Probe cli(Path world, String replica, int xmx, String command) throws Exception {
        List<String> cmd = java(world, xmx, cliJar);
        cmd.add(command);
        cmd.addAll(List.of("--timeout", PROBE_SECONDS + "s")); // a git push on a loaded VM is no heap failure
        ProcessBuilder pb = environment(new ProcessBuilder(cmd), world, replica)
                .redirectOutput(world.resolve("stdout.txt").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        long t0 = System.nanoTime();
        Process proc = pb.start();
        boolean ended = proc.waitFor(PROBE_SECONDS, TimeUnit.SECONDS);
        long wall = (System.nanoTime() - t0) / 1_000_000;
        if (!ended) {
            proc.destroyForcibly().waitFor();
            return new Probe(false, wall, -1, "ran past " + PROBE_SECONDS + " s");
        }
        return outcome(world, proc.exitValue(), wall);
    }

    /** The server: initialize, open one entity, add an observation to another, close stdin. */
    private Probe server(Path world, int xmx) throws Exception {
        ProcessBuilder pb = environment(new ProcessBuilder(java(world, xmx, serverJar)), world, "alice");
        pb.environment().remove("MEMORY_BACKUP_STORE");
        long t0 = System.nanoTime();
        Process proc = pb.start();
        // a server that stops answering without exiting must not hang the harness
        java.util.concurrent.CompletableFuture.delayedExecutor(PROBE_SECONDS, TimeUnit.SECONDS)
                .execute(proc::destroyForcibly);
        int answered = 0;
        try (OutputStream in = proc.getOutputStream();
             BufferedReader out = new BufferedReader(new InputStreamReader(proc.getInputStream(),
                     StandardCharsets.UTF_8))) {
            in.write(("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
                    + "\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"heap\",\"version\":\"0\"}}}\n"
                    + "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n"
                    + "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"open_nodes\","
                    + "\"arguments\":{\"names\":[\"entity-1\"]}}}\n").getBytes(StandardCharsets.UTF_8));
            in.flush();
            String line;
            while ((line = out.readLine()) != null) {
                JsonNode msg = JSON.readTree(line);
                if (msg.has("result") && !msg.path("result").path("isError").asBoolean(false)) {
                    answered++;
                } else if (msg.has("id")) {
                    break; // an error: the probe failed
                }
                if (answered == 2) {
                    in.write(("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":"
                            + "\"add_observations\",\"arguments\":{\"observations\":[{\"entityName\":\"entity-2\","
                            + "\"contents\":[\"written by the heap harness\"]}]}}}\n").getBytes(StandardCharsets.UTF_8));
                    in.flush();
                } else if (answered == 3) {
                    break;
                }
            }
        } catch (IOException e) {
            // the server ended early: judged by its exit status and answers below
        }
        boolean ended = proc.waitFor(PROBE_SECONDS, TimeUnit.SECONDS);
        long wall = (System.nanoTime() - t0) / 1_000_000;
        if (!ended) {
            proc.destroyForcibly().waitFor();
            return new Probe(false, wall, -1, "ran past " + PROBE_SECONDS + " s");
        }
        return answered < 3 && proc.exitValue() == 0 ? new Probe(false, wall, -1, "answered " + answered + " of 3")
                : outcome(world, proc.exitValue(), wall);
    }

    /** Success, or a failure that must be the heap's: anything else stops the harness. */
    private static Probe outcome(Path world, int exit, long wall) throws IOException {
        String err = Files.readString(world.resolve("stderr.txt"), StandardCharsets.UTF_8);
        if (exit == 0) {
            return new Probe(true, wall, liveMib(world.resolve("gc.log")), "");
        }
        if (!err.contains("OutOfMemoryError") && !err.contains("out of memory")) {
            throw new IllegalStateException("a probe failed, not for its heap: exit " + exit + "\n" + err);
        }
        return new Probe(false, wall, -1, err.strip());
    }

    /** The largest heap occupancy after a collection, from a {@code -Xlog:gc} file, in MiB. */
    private static long liveMib(Path gcLog) throws IOException {
        long max = 0;
        if (Files.exists(gcLog)) {
            Matcher m = GC_AFTER.matcher(Files.readString(gcLog, StandardCharsets.UTF_8));
            while (m.find()) {
                max = Math.max(max, Long.parseLong(m.group(1)));
            }
        }
        return max;
    }

    /** A memory file of {@code n} entities, two observations and one relation each, written as it goes. */
    static void writeMemory(Path file, int n, String edit) throws IOException {
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (int i = 0; i < n; i++) {
                w.write("{\"type\":\"entity\",\"name\":\"entity-" + i + "\",\"entityType\":\""
                        + (i % 7 == 0 ? "organization" : "person") + "\",\"observations\":[\""
                        + (i == 0 ? edit : "") + "observation " + i + " about something that happened in project "
                        + (i % 97) + "\",\"prefers tea over coffee, noted on day " + (i % 365) + "\"]}\n");
            }
            for (int i = 0; i < n; i++) {
                w.write("{\"type\":\"relation\",\"from\":\"entity-" + i + "\",\"to\":\"entity-" + ((i * 31L + 7) % n)
                        + "\",\"relationType\":\"knows\"}\n");
            }
        }
    }

    /**
     * The section of {@code docs/benchmarks.md} for a harness output; empty for none.
     *
     * @param heap the harness's JSON output, or an empty object
     * @return the markdown section
     */
    static String markdown(JsonNode heap) {
        if (!heap.has("runs")) {
            return "";
        }
        StringBuilder md = new StringBuilder("## Heap needed by memory size\n\n")
                .append("The smallest `-Xmx` (to ").append(heap.path("resolutionMiB").asInt())
                .append(" MiB, by bisection over child processes of the shaded jars, serial GC as the launchers run ")
                .append("them) under which each program works on a memory of N entities with two observations and ")
                .append("one relation each (four atoms an entity; about 300 bytes an entity in the file), and the ")
                .append("largest heap occupancy after a collection in that run (`-Xlog:gc`): what the program ")
                .append("holds at once. Warm: a sync with one edit after a first sync; restore: a second machine's ")
                .append("first `restore`; server: start, `open_nodes`, `add_observations`, exit. ")
                .append("`crdt-bench/run.sh quick` runs 25,000 entities, `full` also 50,000 and 100,000.\n\n")
                .append("| program | entities | atoms | smallest -Xmx | per atom | live high-water | per atom | wall time there |\n")
                .append("|---|---|---|---|---|---|---|---|\n");
        for (JsonNode r : heap.path("runs")) {
            md.append(String.format(Locale.ROOT, "| %s | %,d | %,d | ", r.path("program").asText(),
                    r.path("entities").asInt(), r.path("atoms").asLong()));
            if (r.path("smallestXmxMiB").asInt() < 0) {
                md.append("over ").append(MAX_HEAP_MIB).append(" MiB | | | | |\n");
                continue;
            }
            md.append(String.format(Locale.ROOT, "%d MiB | %d B | %d MiB | %d B | %,d ms |%n",
                    r.path("smallestXmxMiB").asInt(), r.path("xmxBytesPerAtom").asLong(),
                    r.path("liveHighWaterMiB").asLong(), r.path("liveBytesPerAtom").asLong(),
                    r.path("wallMillisAtSmallest").asLong()));
        }
        JsonNode w = heap.path("warmNoOpSync");
        if (w.has("medianMillis")) {
            md.append(String.format(Locale.ROOT, "%nA warm `sync` with nothing to do at %,d entities (%,d atoms), "
                    + "whole process under `%s`, %d runs: median %,d ms (min %,d, max %,d).%n",
                    w.path("entities").asInt(), w.path("atoms").asLong(), w.path("xmx").asText(),
                    w.path("runs").asInt(), w.path("medianMillis").asLong(), w.path("minMillis").asLong(),
                    w.path("maxMillis").asLong()));
        }
        return md.append('\n').toString();
    }

    private static void git(Path dir, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("git"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("git " + cmd + " failed");
        }
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> all = Files.walk(from)) {
            for (Path p : all.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    private static void delete(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
