/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.mcp;

import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.internal.PrivateFiles;
import io.github.crdtmemory.live.LiveMemory;
import io.github.crdtmemory.sync.SyncEngine;
import io.github.crdtmemory.sync.SyncSettings;
import io.github.crdtmemory.mcp.api.MemoryBackend;
import io.github.crdtmemory.mcp.api.MemoryMcp;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import picocli.CommandLine.Option;
import org.jspecify.annotations.Nullable;

/**
 * The options of {@code memory-mcp-server --http} and the start of that mode: one process serving the
 * memory to many MCP clients over Streamable HTTP. Refuses to start (exit 2, one line on stderr) on a
 * non-loopback address unless {@code --allow-remote} and TLS are both given, on an unreadable or
 * world-readable token file, when another HTTP server already serves this memory file, or when the
 * port cannot be bound.
 */
final class HttpMode {
    /** The exit status of a refused start. */
    static final int USAGE = 2;
    static final String DEFAULT_PORT = "8723";
    static final String PASSWORD_ENV = "MEMORY_MCP_TLS_PASSWORD";

    @Option(names = "--http", description = "Serve MCP over Streamable HTTP at /mcp (one process for many clients) "
            + "instead of stdio; the process owns the memory and keeps the memory file up to date.")
    boolean enabled;

    @Option(names = "--host", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
            description = "With --http: the address to bind. Default: ${DEFAULT-VALUE}. Another than a loopback "
                    + "address needs --allow-remote and --tls-keystore.")
    String host = "127.0.0.1";

    @Option(names = "--port", paramLabel = "PORT", defaultValue = DEFAULT_PORT,
            description = "With --http: the port (0: any free one, printed on stderr). Default: ${DEFAULT-VALUE}.")
    int port = Integer.parseInt(DEFAULT_PORT);

    @Option(names = "--token-file", paramLabel = "FILE",
            description = "With --http: the bearer token's file (first line; mode 600). Default: "
                    + "<state-dir>/mcp-http.token, created with a random token on the first start.")
    Path tokenFile;

    @Option(names = "--allow-remote", description = "With --http: allow binding an address other than loopback "
            + "(TLS is then required).")
    boolean allowRemote;

    @Option(names = "--allow-host", paramLabel = "NAME",
            description = "With --http: a host name clients may send in Host and Origin, besides localhost, "
                    + "127.0.0.1, [::1] and the bound address (repeatable).")
    List<String> allowHosts = new ArrayList<>();

    @Option(names = "--tls-keystore", paramLabel = "FILE",
            description = "With --http: serve HTTPS with this PKCS#12 keystore; its password comes from "
                    + "--tls-password-file or $" + PASSWORD_ENV + ", never the command line.")
    Path keystore;

    @Option(names = "--tls-password-file", paramLabel = "FILE",
            description = "With --http: the file (mode 600) whose first line is the keystore's password.")
    Path passwordFile;

    @Option(names = "--max-body", paramLabel = "BYTES", defaultValue = "4194304",
            description = "With --http: the largest request body; larger ones get 413. Default: ${DEFAULT-VALUE}.")
    int maxBody = 4 * 1024 * 1024;

    /** What {@link HttpServer} needs, once the options are checked. */
    record Checked(Set<String> hosts, BearerToken token, char @Nullable [] password) {
    }

    /**
     * Checks the options against each other and reads the secrets.
     *
     * @throws IllegalArgumentException naming the problem (no secret in it)
     */
    Checked check(Path stateRoot) throws IOException {
        if (port < 0 || port > 65535 || maxBody < 1024) {
            throw new IllegalArgumentException("--port must be 0-65535 and --max-body at least 1024");
        }
        boolean loopback = InetAddress.getByName(host).isLoopbackAddress();
        if (!loopback && !allowRemote) {
            throw new IllegalArgumentException("refusing to bind " + host + ", not a loopback address: add "
                    + "--allow-remote and --tls-keystore to serve other machines");
        }
        if (!loopback && keystore == null) {
            throw new IllegalArgumentException("--allow-remote needs TLS: --tls-keystore and its password");
        }
        char @Nullable [] password = null;
        if (keystore != null) {
            password = password();
        }
        Set<String> hosts = new HashSet<>(List.of("localhost", "127.0.0.1", "[::1]"));
        hosts.add(host.toLowerCase(Locale.ROOT));
        allowHosts.forEach(h -> hosts.add(h.toLowerCase(Locale.ROOT)));
        Path file = tokenFile != null ? tokenFile.toAbsolutePath() : stateRoot.resolve("mcp-http.token");
        return new Checked(hosts, BearerToken.load(file, tokenFile == null), password);
    }

    private char[] password() throws IOException {
        if (passwordFile != null) {
            if (PrivateFiles.permissions(passwordFile).stream().anyMatch(p -> !p.name().startsWith("OWNER"))) {
                throw new IllegalArgumentException("the TLS password file must be readable by its owner only: "
                        + passwordFile);
            }
            String text = Files.readString(passwordFile, StandardCharsets.UTF_8);
            int eol = text.indexOf('\n');
            return (eol < 0 ? text : text.substring(0, eol)).strip().toCharArray();
        }
        String env = System.getenv(PASSWORD_ENV);
        if (env == null) {
            throw new IllegalArgumentException("--tls-keystore needs a password: --tls-password-file or $" + PASSWORD_ENV);
        }
        return env.toCharArray();
    }

    /**
     * Runs the HTTP mode until SIGTERM (or SIGINT); see {@link HttpServer}.
     *
     * @return the exit status
     */
    int serve(SyncEngine engine, boolean syncing, long syncEvery, Path stateRoot, ReplicaId replica,
            StartupWarmUp warmUp) throws Exception {
        Checked checked;
        try {
            checked = check(stateRoot);
        } catch (IllegalArgumentException | IOException e) {
            System.err.println("memory-mcp-server: " + e.getMessage());
            return USAGE;
        }
        Path memoryFile = engine.settings().memoryFile();
        Path engineDir = SyncSettings.stateDirOf(stateRoot, replica, memoryFile);
        Path dir = PrivateFiles.createDirectories(engineDir.resolveSibling(engineDir.getFileName() + "-http"));
        FileChannel lockChannel = PrivateFiles.openOrCreate(dir.resolve("server.lock"));
        FileLock lock = lockChannel.tryLock();
        if (lock == null) {
            System.err.println("memory-mcp-server: another memory-mcp-server --http serves " + memoryFile);
            lockChannel.close();
            return USAGE;
        }
        HttpServer server;
        try {
            server = HttpServer.start(this, checked, engine, syncing, syncEvery, dir, replica, warmUp);
        } catch (IOException e) { // the port taken, most often
            System.err.println("memory-mcp-server: cannot listen on " + host + ":" + port + ": " + e.getMessage());
            lock.release();
            lockChannel.close();
            return USAGE;
        }
        System.err.println("memory-mcp-server: serving " + (keystore == null ? "http" : "https") + "://"
                + (host.contains(":") ? "[" + host + "]" : host) + ":" + server.port() + HttpEndpoint.MCP_PATH
                + " (memory file " + memoryFile + ")");
        server.awaitStop();
        lock.release();
        lockChannel.close();
        return 0;
    }

    /**
     * The MCP server over the live memory: the public API's tools and resource
     * ({@link MemoryMcp}, {@link MemoryBackend#live}) on the SDK's servlet transport; subscribers hear of
     * every change of the live memory (tool calls, other writers' edits taken from the file, syncs).
     */
    static McpSyncServer mcpServer(HttpServletStreamableServerTransportProvider transport, LiveMemory memory,
            Path memoryFile, StartupWarmUp warmUp) {
        MemoryMcp features = MemoryMcp.of(MemoryBackend.live(memory), warmUp.mapper());
        McpSyncServer server = McpServer.sync(transport)
                .serverInfo("memory-server", "0.6.3")
                .capabilities(MemoryMcp.capabilities().build())
                .jsonSchemaValidator(warmUp.validator())
                .tools(HeapExhausted.guardTools(features.syncTools(), memoryFile))
                .resources(HeapExhausted.guardResource(features.syncResource(), memoryFile))
                .build();
        features.notifySubscribers(server); // for the server's life
        return server;
    }
}
