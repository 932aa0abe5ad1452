package io.github.crdtmemory.cli;

import io.github.crdtmemory.internal.PrivateFiles;
import io.github.crdtmemory.internal.ProcessFileLock;
import io.github.crdtmemory.store.StoreException;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

/**
 * The {@code --log-file} target: appended, never truncated, {@code 0600} in a {@code 0700} directory,
 * rotated when it passes 1 MiB ({@code FILE.1} ... {@code FILE.5}, the oldest dropped). Rotation runs
 * under a lock so that two runs never rotate at once.
 */
final class LogFile {
    static final long ROTATE_AT = 1 << 20;
    static final int KEEP = 5;

    private LogFile() {
    }

    /** Opens the log for appending, rotating it first if it is too large. */
    static PrintStream open(Path file) throws IOException {
        Path log = file.toAbsolutePath().normalize();
        PrivateFiles.createDirectories(log.getParent());
        if (Files.exists(log) && Files.size(log) > ROTATE_AT) {
            try (ProcessFileLock lock = ProcessFileLock.acquire(log.resolveSibling(log.getFileName() + ".lock"),
                    Duration.ofSeconds(10))) {
                if (Files.exists(log) && Files.size(log) > ROTATE_AT) {
                    rotate(log);
                }
            } catch (StoreException e) {
                // another run is rotating; append to whatever is there
            }
        }
        if (!Files.exists(log)) {
            try {
                PrivateFiles.createFile(log);
            } catch (java.nio.file.FileAlreadyExistsException e) {
                // created by a concurrent run
            }
        }
        return new PrintStream(new FileOutputStream(log.toFile(), true), true, StandardCharsets.UTF_8);
    }

    private static void rotate(Path log) throws IOException {
        Files.deleteIfExists(numbered(log, KEEP));
        for (int i = KEEP - 1; i >= 1; i--) {
            if (Files.exists(numbered(log, i))) {
                Files.move(numbered(log, i), numbered(log, i + 1), StandardCopyOption.ATOMIC_MOVE);
            }
        }
        Files.move(log, numbered(log, 1), StandardCopyOption.ATOMIC_MOVE);
    }

    static Path numbered(Path log, int n) {
        return log.resolveSibling(log.getFileName() + "." + n);
    }
}
