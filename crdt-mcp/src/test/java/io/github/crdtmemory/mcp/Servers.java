/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.mcp;

import io.github.crdtmemory.testkit.McpClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The two MCP memory servers the tests drive: ours from the shaded jar, and the npm one. */
final class Servers {
    private Servers() {
    }

    /** Our server from the shaded jar, with {@code HOME} and extra environment and arguments. */
    static McpClient ours(Path home, Map<String, String> env, String... args) throws Exception {
        return McpClient.start(oursProcess(home, env, args));
    }

    /** The process of {@link #ours}, not started. */
    static ProcessBuilder oursProcess(Path home, Map<String, String> env, String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-XX:+UseSerialGC",
                // lock acquisitions in the log, for the diagnosis of a failed concurrency test
                "-Dorg.slf4j.simpleLogger.log.io.github.crdtmemory.internal=debug", "-jar", System.getProperty("memoryServer.jar",
                "target/memory-mcp-server.jar")));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("HOME", home.toString());
        pb.environment().remove("MEMORY_BACKUP_STORE");
        pb.environment().putAll(env);
        return pb;
    }

    /** The npm server, installed into crdt-cli's build directory (shared with its interop test) if missing. */
    static McpClient npm(Path memoryFile) throws Exception {
        return McpClient.npm(Path.of(System.getProperty("memoryServer.npmDir", "../crdt-cli/target/npm")), memoryFile);
    }
}
