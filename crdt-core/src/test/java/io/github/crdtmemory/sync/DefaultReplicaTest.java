/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.strings;

import io.github.crdtmemory.core.ReplicaId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class DefaultReplicaTest {
    @TempDir
    Path tmp;

    @Test
    void madeOnceFromTheHostnameAndKeptPrivately() throws Exception {
        assertThat(DefaultReplica.find(tmp)).as("find makes nothing").isEmpty();
        assertThat(tmp.resolve(DefaultReplica.FILE)).doesNotExist();
        ReplicaId first = DefaultReplica.of(tmp, "My-Laptop.local");
        assertThat(DefaultReplica.find(tmp)).contains(first);
        assertThat(first.value()).matches("my-laptop\\.local-[0-9a-f]{6}");
        assertThat(DefaultReplica.of(tmp, "other")).isEqualTo(first);
        assertThat(Files.getPosixFilePermissions(tmp.resolve(DefaultReplica.FILE)))
                .isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(DefaultReplica.of(tmp.resolve("x"), "").value()).startsWith("host-");
    }

    @Test
    void racingCallersAllGetTheSameId() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            for (int round = 0; round < 30; round++) {
                Path root = tmp.resolve("round-" + round);
                CountDownLatch start = new CountDownLatch(1);
                List<Future<ReplicaId>> ids = new java.util.ArrayList<>();
                for (int i = 0; i < 16; i++) {
                    ids.add(pool.submit(() -> {
                        start.await();
                        return DefaultReplica.of(root, "box");
                    }));
                }
                start.countDown();
                Set<ReplicaId> seen = new HashSet<>();
                for (Future<ReplicaId> f : ids) {
                    seen.add(f.get());
                }
                assertThat(seen).as("round %d", round).hasSize(1);
                try (var files = Files.list(root)) {
                    assertThat(files.map(p -> p.getFileName().toString())).containsExactly(DefaultReplica.FILE);
                }
            }
        } finally {
            pool.shutdown();
        }
    }

    /** Today's code made "a..b-xxxxxx" from "a..b", which every later command rejected. */
    @Test
    void theDerivedIdIsValidForEveryHostname() {
        Gen<String> dotty = strings().betweenCodePoints('(', '~').ofLengthBetween(0, 80)
                .zip(Generate.pick(List.of("", "..", "...", ".lock", ".", "-", "_.", "..lock..")), (a, b) -> b + a + b);
        Gen<String> any = strings().allPossible().ofLengthBetween(0, 100);
        Gen<byte[]> random = Generate.byteArrays(integers().between(3, 3), integers().between(-128, 127)
                .map(Integer::byteValue));
        qt().forAll(Generate.oneOf(dotty, any).describedAs(DefaultReplicaTest::escaped), random)
                .checkAssert((hostname, bytes) -> {
                    ReplicaId id = DefaultReplica.derive(hostname, bytes);
                    assertThat(ReplicaId.isValid(id.value())).as("'%s' from '%s'", id, hostname).isTrue();
                    assertThat(id.value()).doesNotContain("..").endsWith(HexFormat.of().formatHex(bytes));
                });
        assertThat(DefaultReplica.derive("a..b", new byte[3]).value()).isEqualTo("a.b-000000");
        assertThat(DefaultReplica.derive("..", new byte[3]).value()).isEqualTo("host-000000");
    }

    /** The id a hostname with ".." gives is persisted and accepted by every later read. */
    @Test
    void aHostnameWithTwoDotsGivesAnIdThatIsReadBack() {
        ReplicaId made = DefaultReplica.of(tmp, "build..box");
        assertThat(made.value()).matches("build\\.box-[0-9a-f]{6}");
        assertThat(DefaultReplica.find(tmp)).contains(made);
        assertThat(DefaultReplica.of(tmp, "build..box")).isEqualTo(made);
    }

    /**
     * The id is forced to disk before its name appears, and the directory after: traced with strace
     * in a child JVM. Today's code wrote it with Files.writeString and never called fsync.
     */
    @Test
    void theIdIsWrittenDurably() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/strace")), "needs /usr/bin/strace");
        Path root = tmp.resolve("state");
        Path trace = tmp.resolve("trace.txt");
        List<String> cmd = List.of("/usr/bin/strace", "-f", "-y", "-qq", "-e", "trace=fsync,fdatasync,link,linkat",
                "-o", trace.toString(), Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-cp", System.getProperty("java.class.path"),
                MakeOne.class.getName(), root.toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("out.txt").toFile())
                .start();
        assertThat(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).as("child finished").isTrue();
        Assumptions.assumeTrue(p.exitValue() == 0 || !Files.readString(tmp.resolve("out.txt")).contains("ptrace"),
                "strace may not trace here");
        assertThat(p.exitValue()).as(Files.readString(tmp.resolve("out.txt"))).isZero();
        List<String> calls = Files.readAllLines(trace).stream().filter(l -> l.contains(root.toString())).toList();
        int fileSync = indexOf(calls, l -> l.matches(".*fsync\\(\\d+<" + root + "/\\.replica-id\\.[^>]+>\\).*"));
        int link = indexOf(calls, l -> l.matches(".*link(at)?\\(.*replica-id.*"));
        int dirSync = indexOf(calls, l -> l.matches(".*fsync\\(\\d+<" + root + ">\\).*"));
        assertThat(fileSync).as("the content forced before the link: %s", calls).isGreaterThanOrEqualTo(0);
        assertThat(link).as("then linked: %s", calls).isGreaterThan(fileSync);
        assertThat(dirSync).as("then the directory forced: %s", calls).isGreaterThan(link);
    }

    private static String escaped(String s) {
        StringBuilder out = new StringBuilder("\"");
        s.codePoints().forEach(cp -> out.append(cp >= 0x20 && cp < 0x7f ? Character.toString(cp)
                : String.format(java.util.Locale.ROOT, "\\u{%x}", cp)));
        return out.append('"').toString();
    }

    private static int indexOf(List<String> lines, java.util.function.Predicate<String> p) {
        for (int i = 0; i < lines.size(); i++) {
            if (p.test(lines.get(i))) {
                return i;
            }
        }
        return -1;
    }

    /** The child of {@link #theIdIsWrittenDurably}: makes the id in {@code args[0]}. */
    static final class MakeOne {
        private MakeOne() {
        }

        public static void main(String[] args) {
            System.out.println(DefaultReplica.of(Path.of(args[0]), "traced"));
        }
    }

    @Test
    void aDamagedFileIsAnErrorNotANewIdentity() throws Exception {
        Files.writeString(tmp.resolve(DefaultReplica.FILE), "Not Valid!\n");
        assertThatThrownBy(() -> DefaultReplica.of(tmp, "box"))
                .isInstanceOf(io.github.crdtmemory.memory.MemoryFormatException.class)
                .hasMessageContaining("replica-id:1").hasMessageContaining("not a valid replica id");
    }
}
