package io.github.crdtmemory.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.crdtmemory.core.ReplicaId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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

    @Test
    void aDamagedFileIsAnErrorNotANewIdentity() throws Exception {
        Files.writeString(tmp.resolve(DefaultReplica.FILE), "Not Valid!\n");
        assertThatThrownBy(() -> DefaultReplica.of(tmp, "box"))
                .isInstanceOf(io.github.crdtmemory.memory.MemoryFormatException.class)
                .hasMessageContaining("replica-id:1").hasMessageContaining("not a valid replica id");
    }
}
