/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --log-file}: private, appended, rotated, and never opened through a planted link. */
class LogFileTest {
    @TempDir
    Path tmp;

    @Test
    void appendsPrivatelyAndRotatesKeepingFive() throws Exception {
        Path log = tmp.resolve("logs/memory-backup.log");
        try (PrintStream out = LogFile.open(log)) {
            out.println("first");
        }
        try (PrintStream out = LogFile.open(log)) {
            out.println("second");
        }
        assertThat(log).hasContent("first\nsecond");
        assertThat(Files.getPosixFilePermissions(log)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.getPosixFilePermissions(log.getParent())).isEqualTo(PosixFilePermissions.fromString("rwx------"));

        for (int round = 1; round <= 7; round++) {
            Files.write(log, new byte[(int) LogFile.ROTATE_AT + 1]);
            Files.writeString(log, "round " + round + "\n", java.nio.file.StandardOpenOption.APPEND);
            try (PrintStream out = LogFile.open(log)) {
                out.println("after " + round);
            }
            assertThat(log).hasContent("after " + round);
        }
        for (int i = 1; i <= LogFile.KEEP; i++) {
            assertThat(Files.readString(LogFile.numbered(log, i))).endsWith("round " + (8 - i) + "\n");
        }
        assertThat(LogFile.numbered(log, LogFile.KEEP + 1)).doesNotExist();
    }

    /** A link planted where the log goes: today's code appended through it (or created its target). */
    @Test
    void aPlantedSymbolicLinkIsRefusedNotFollowed() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("logs"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        Path victim = Files.writeString(tmp.resolve("victim"), "precious\n");
        Path log = dir.resolve("memory-backup.log");
        Files.createSymbolicLink(log, victim);
        assertThatThrownBy(() -> LogFile.open(log)).isInstanceOf(IOException.class).hasMessageContaining("symbolic link");
        assertThat(victim).hasContent("precious");

        Files.delete(log);
        Path absent = tmp.resolve("absent");
        Files.createSymbolicLink(log, absent);
        assertThatThrownBy(() -> LogFile.open(log)).isInstanceOf(IOException.class).hasMessageContaining("symbolic link");
        assertThat(absent).as("a dangling link's target is not created").doesNotExist();
    }

    /** Today's code kept an existing directory's 0755 and an existing log's 0644. */
    @Test
    void anExistingLogAndItsOwnDirectoryAreMadePrivate() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("logs"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path log = Files.writeString(dir.resolve("memory-backup.log"), "old\n");
        Files.setPosixFilePermissions(log, PosixFilePermissions.fromString("rw-r--r--"));
        Files.writeString(LogFile.numbered(log, 1), "older\n");
        try (PrintStream out = LogFile.open(log)) {
            out.println("new");
        }
        assertThat(log).hasContent("old\nnew");
        assertThat(Files.getPosixFilePermissions(log)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.getPosixFilePermissions(dir)).isEqualTo(PosixFilePermissions.fromString("rwx------"));
    }

    @Test
    void aSharedDirectoryKeepsItsModeAndAWritableOneIsRefused() throws Exception {
        Path shared = Files.createDirectories(tmp.resolve("shared"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(shared.resolve("someone-elses.txt"), "x");
        Path log = shared.resolve("memory-backup.log");
        LogFile.open(log).close();
        assertThat(Files.getPosixFilePermissions(shared)).as("a directory with other files is not ours to change")
                .isEqualTo(PosixFilePermissions.fromString("rwxr-xr-x"));
        assertThat(Files.getPosixFilePermissions(log)).isEqualTo(PosixFilePermissions.fromString("rw-------"));

        Path open = Files.createDirectories(tmp.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertThatThrownBy(() -> LogFile.open(open.resolve("memory-backup.log"))).isInstanceOf(IOException.class)
                .hasMessageContaining("writable by other users");
        assertThat(open.resolve("memory-backup.log")).doesNotExist();
    }

    @Test
    void legacyRepoUrlsBecomeStoreUris() {
        assertThat(LegacyFlags.storeOf("https://github.com/me/memory.git")).isEqualTo("git+https://github.com/me/memory.git");
        assertThat(LegacyFlags.storeOf("git@github.com:me/memory.git")).isEqualTo("git+ssh://git@github.com/me/memory.git");
        assertThat(LegacyFlags.storeOf("/srv/memory.git")).isEqualTo("/srv/memory.git");
        assertThat(LegacyFlags.translate(new String[] {"status"}).notice()).isNull();
        assertThat(LegacyFlags.translate(new String[] {"--merge", "--host=box"}).args()).containsExactly("sync",
                "--replica", "box");
    }
}
