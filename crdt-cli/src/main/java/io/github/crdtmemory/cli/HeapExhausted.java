/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * What the command says when the JVM runs out of heap: one line naming the memory file and its size,
 * the heap it had and how to give it more ({@value #JAVA_OPTS}), never a stack trace. Every file the
 * command writes is replaced atomically, so a run stopped here leaves each file as it was or whole.
 */
final class HeapExhausted {
    /** The launcher's variable for JVM options. */
    static final String JAVA_OPTS = "MEMORY_BACKUP_JAVA_OPTS";
    static final String KIND = "OUT_OF_MEMORY";
    private static final long MIB = 1024 * 1024;

    private HeapExhausted() {
    }

    /** The failure to report for an {@link OutOfMemoryError} while working on {@code memoryFile}. */
    static ExitStatus.Failure failure(Path memoryFile) {
        return new ExitStatus.Failure(ExitStatus.INTERNAL, KIND, message(memoryFile, Runtime.getRuntime().maxMemory()));
    }

    static String message(Path memoryFile, long maxHeap) {
        String size = "";
        try {
            if (memoryFile != null && Files.isRegularFile(memoryFile)) {
                size = " (" + mib(Files.size(memoryFile)) + ")";
            }
        } catch (IOException | SecurityException e) {
            size = "";
        }
        long suggested = Math.max(256, Long.highestOneBit(Math.max(1, 2 * maxHeap / MIB - 1)) << 1);
        return "out of memory: the Java heap (at most " + mib(maxHeap) + ") is too small for the memory file "
                + memoryFile + size + "; nothing was left half-written. Give the JVM more heap, e.g. "
                + JAVA_OPTS + "=-Xmx" + suggested + "m for bin/memory-backup (java -Xmx" + suggested + "m -jar ...)";
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / (double) MIB);
    }
}
