package io.github.crdtmemory.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
