/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.mcp;

import io.modelcontextprotocol.server.McpServerFeatures.SyncResourceSpecification;
import io.modelcontextprotocol.server.McpServerFeatures.SyncToolSpecification;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The server out of heap, in whichever thread: one line on stderr naming the memory file and its size,
 * the heap it had and how to give it more ({@value #JAVA_OPTS}), never a stack trace; then the process
 * ends with status 1 instead of living on without answering. Every write of the memory file is atomic,
 * so the file is left as it was or whole.
 */
final class HeapExhausted {
    /** The launcher's variable for JVM options. */
    static final String JAVA_OPTS = "MEMORY_MCP_SERVER_JAVA_OPTS";
    private static final long MIB = 1024 * 1024;

    private HeapExhausted() {
    }

    /** Says so and ends the process with status 1. */
    static void exit(@Nullable Path memoryFile) {
        System.err.println("memory-mcp-server: " + message(memoryFile, Runtime.getRuntime().maxMemory()));
        System.err.flush();
        System.exit(1);
    }

    /** The tools, each ending the process here if its call runs out of heap: the transport's threads would only log it. */
    static List<SyncToolSpecification> guardTools(List<SyncToolSpecification> tools, Path memoryFile) {
        return tools.stream().map(t -> new SyncToolSpecification(t.tool(), (exchange, request) -> {
            try {
                return t.callHandler().apply(exchange, request);
            } catch (OutOfMemoryError e) {
                exit(memoryFile);
                throw e;
            }
        })).toList();
    }

    /** The resource, ending the process here if its read runs out of heap. */
    static SyncResourceSpecification guardResource(SyncResourceSpecification resource, Path memoryFile) {
        return new SyncResourceSpecification(resource.resource(), (exchange, request) -> {
            try {
                return resource.readHandler().apply(exchange, request);
            } catch (OutOfMemoryError e) {
                exit(memoryFile);
                throw e;
            }
        });
    }

    static String message(@Nullable Path memoryFile, long maxHeap) {
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
                + memoryFile + size + "; the server stops. Give the JVM more heap in the MCP client's server "
                + "entry, e.g. the environment variable " + JAVA_OPTS + "=-Xmx" + suggested
                + "m for bin/memory-mcp-server (java -Xmx" + suggested + "m -jar ...) [OUT_OF_MEMORY]";
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / (double) MIB);
    }
}
