/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.mcp;

import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.mcp.api.MemoryBackend;
import io.github.crdtmemory.mcp.api.MemoryMcp;
import io.github.crdtmemory.store.MemoryStore;
import io.github.crdtmemory.store.ReplicaStore;
import io.github.crdtmemory.seal.KeyFile;
import io.github.crdtmemory.store.StoreOptions;
import io.github.crdtmemory.store.StoreRegistry;
import io.github.crdtmemory.sync.DefaultReplica;
import io.github.crdtmemory.sync.SyncEngine;
import io.github.crdtmemory.sync.SyncReport;
import io.github.crdtmemory.sync.SyncSettings;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.StdioServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code memory-mcp-server}: an MCP memory server over stdio, a drop-in for
 * {@code @modelcontextprotocol/server-memory}. It serves the same nine tools and keeps writing the same
 * JSONL file ({@code MEMORY_FILE_PATH}), but every write is a stamped CRDT edit taken in turn under a
 * file lock, so concurrent calls and concurrent server processes lose nothing. It serves the npm
 * server's subscribable resource {@code memory://knowledge-graph} too. With a store it syncs with the
 * other replicas periodically. It exits when its stdin closes, once every request read before the end
 * is answered ({@code StdioDrain}).
 */
@Command(name = "memory-mcp-server", mixinStandardHelpOptions = true,
        versionProvider = MemoryServer.Version.class, subcommands = ServiceInstaller.class,
        description = "An MCP memory server over stdio (or, with --http, Streamable HTTP): the npm server's nine "
                + "tools, on a CRDT that loses no write.")
public final class MemoryServer implements Callable<Integer> {
    static {
        // before any logger exists: logs go to stderr (stdout carries the protocol), warnings only
        System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    }

    private static final Logger log = LoggerFactory.getLogger(MemoryServer.class);

    private static final String SYNC_EVERY = "300";
    /** How long the end of stdin waits for the requests read before it (a tool may wait 60 s for the lock). */
    private static final Duration DRAIN_BOUND = Duration.ofMinutes(2);

    private final StartupWarmUp warmUp;

    @Option(names = "--memory-file", paramLabel = "FILE",
            description = "The JSONL memory file. Default: $MEMORY_FILE_PATH, else ~/.cache/mcp-memory/memory.json.")
    Path memoryFile;

    @Option(names = "--store", paramLabel = "URI",
            description = "Sync with this replica store periodically (git+file:, git+ssh:, git+https:, file:). "
                    + "Default: $MEMORY_BACKUP_STORE, else no sync.")
    String store;

    @Option(names = "--replica", paramLabel = "ID",
            description = "This replica's id. Default: $MEMORY_BACKUP_REPLICA, else the id persisted in the state dir.")
    String replica;

    @Option(names = "--state-dir", paramLabel = "DIR",
            description = "Sync state, shared with memory-backup. Default: ~/.local/state/memory-backup.")
    Path stateDir;

    @Option(names = "--key-file", paramLabel = "FILE",
            description = "Encrypt the store end to end with this key file (from 'memory-backup keygen'). "
                    + "Default: $MEMORY_BACKUP_KEY_FILE, else none.")
    Path keyFile;

    @Option(names = "--sync-every", paramLabel = "SECONDS", defaultValue = SYNC_EVERY,
            description = "Seconds between syncs with the store. Default: ${DEFAULT-VALUE}.")
    long syncEvery = Long.parseLong(SYNC_EVERY);

    /** {@code --http} and its options: one process serving many clients over Streamable HTTP. */
    @picocli.CommandLine.Mixin
    HttpMode http = new HttpMode();

    /** The memory file once resolved, for the out-of-heap message. */
    private volatile @Nullable Path file;

    /**
     * Runs the server until stdin closes.
     *
     * @param args the command line
     */
    public static void main(String[] args) {
        StartupWarmUp warmUp = StartupWarmUp.start(); // in parallel with the command line and the engine
        MemoryServer server = new MemoryServer(warmUp);
        // out of heap in any thread ends the server with one line: never a server alive but not answering
        Thread.setDefaultUncaughtExceptionHandler((thread, e) -> {
            if (e instanceof OutOfMemoryError) {
                HeapExhausted.exit(server.file);
            }
            System.err.print("Exception in thread \"" + thread.getName() + "\" "); // what the JVM prints
            e.printStackTrace(System.err);
        });
        try {
            if (server.setOptions(args)) {
                try {
                    System.exit(server.call());
                } catch (Exception e) { // as picocli's execute: the trace on stderr, exit code 1
                    e.printStackTrace();
                    System.exit(1);
                }
            }
            java.io.PrintWriter help = new java.io.PrintWriter(
                    new java.io.OutputStreamWriter(System.err, java.nio.charset.Charset.defaultCharset()), true);
            System.exit(new CommandLine(server).setOut(help).execute(args));
        } catch (OutOfMemoryError e) {
            HeapExhausted.exit(server.file);
        }
    }

    /**
     * Sets the options from a command line made only of this command's {@code @Option}s, each once with
     * a value ({@code --name value} or {@code --name=value}) that converts, without picocli: picocli is
     * compiled for Java 5, so the class-data sharing archive cannot hold its classes, and parsing with
     * it costs 45-75 ms of every start. Anything else (help, version, an unknown or repeated option, a
     * value that does not convert) returns false with no field set, for picocli to handle.
     *
     * @param args the command line
     * @return true if the options are set
     */
    boolean setOptions(String[] args) {
        Map<String, java.lang.reflect.Field> fields = new java.util.HashMap<>();
        for (java.lang.reflect.Field f : MemoryServer.class.getDeclaredFields()) {
            Option o = f.getAnnotation(Option.class);
            if (o != null) {
                for (String name : o.names()) {
                    fields.put(name, f);
                }
            }
        }
        Map<java.lang.reflect.Field, Object> values = new java.util.HashMap<>();
        for (int i = 0; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            String name = eq < 0 ? args[i] : args[i].substring(0, eq);
            java.lang.reflect.Field f = fields.get(name);
            if (f == null || (eq < 0 && (i + 1 >= args.length || fields.containsKey(args[i + 1])))) {
                return false;
            }
            String value = eq < 0 ? args[++i] : args[i].substring(eq + 1);
            Object converted;
            try {
                converted = f.getType() == Path.class ? Path.of(value) : f.getType() == long.class
                        ? Long.parseLong(value) : value;
            } catch (RuntimeException e) {
                return false;
            }
            if (values.put(f, converted) != null) {
                return false;
            }
        }
        try {
            for (Map.Entry<java.lang.reflect.Field, Object> e : values.entrySet()) {
                e.getKey().set(this, e.getValue());
            }
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
        return true;
    }

    MemoryServer(StartupWarmUp warmUp) {
        this.warmUp = warmUp;
    }

    @Override
    public Integer call() throws Exception {
        Map<String, String> env = System.getenv();
        Path home = Path.of(env.getOrDefault("HOME", System.getProperty("user.home")));
        file = (memoryFile != null ? memoryFile : env.containsKey("MEMORY_FILE_PATH")
                ? Path.of(env.get("MEMORY_FILE_PATH")) : home.resolve(".cache/mcp-memory/memory.json"))
                .toAbsolutePath().normalize();
        Path root = (stateDir != null ? stateDir : home.resolve(".local/state/memory-backup")).toAbsolutePath();
        ReplicaId id = ReplicaId.of(replica != null ? replica
                : env.containsKey("MEMORY_BACKUP_REPLICA") ? env.get("MEMORY_BACKUP_REPLICA")
                : DefaultReplica.of(root, env.getOrDefault("HOSTNAME", "")).value());
        String location = store != null ? store : env.get("MEMORY_BACKUP_STORE");
        Path keys = keyFile != null ? keyFile : env.containsKey("MEMORY_BACKUP_KEY_FILE")
                ? Path.of(env.get("MEMORY_BACKUP_KEY_FILE")) : null;
        StoreOptions options = StoreOptions.of(home.resolve(".cache/memory-backup"))
                .withKeyring(location == null || keys == null ? null : KeyFile.read(keys)); // a bad key file: no start
        try (ReplicaStore replicas = location == null ? MemoryStore.create("unsynced-" + id)
                : StoreRegistry.discover().open(location, options)) {
            SyncEngine engine = SyncEngine.create(SyncSettings.of(file, SyncSettings.stateDirOf(root, id, file), id)
                    .withLockTimeout(Duration.ofSeconds(60)), replicas);
            if (http.enabled) {
                return http.serve(engine, location != null, syncEvery, root, id, warmUp);
            }
            serveStdio(engine, replicas, location != null);
        }
        return 0;
    }

    /**
     * Serves the memory over stdio until stdin ends (every request read before the end answered), with
     * a sync every {@code syncEvery} seconds and a last one at the end when {@code syncing}.
     */
    private void serveStdio(SyncEngine engine, ReplicaStore replicas, boolean syncing) throws InterruptedException {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "memory-sync");
            t.setDaemon(true);
            return t;
        });
        AtomicReference<McpSyncServer> built = new AtomicReference<>();
        Runnable changed = () -> { // as the npm server: subscribers hear of every write
            McpSyncServer s = built.get();
            if (s != null) {
                try {
                    s.notifyResourcesUpdated(new McpSchema.ResourcesUpdatedNotification(MemoryMcp.GRAPH_URI));
                } catch (RuntimeException e) {
                    log.warn("cannot notify subscribers of {}: {}", MemoryMcp.GRAPH_URI, e.toString());
                }
            }
        };
        if (syncing) {
            java.util.concurrent.ScheduledFuture<?> unused = timer.scheduleWithFixedDelay(
                    () -> syncNow(engine, replicas, changed), 0, Math.max(1, syncEvery), TimeUnit.SECONDS);
        }
        StdioDrain stdio = new StdioDrain(DRAIN_BOUND); // stdin's end waits for the requests read before it
        McpJsonMapper json = warmUp.mapper();
        MemoryBackend backend = MemoryBackend.sharedFile(engine);
        backend.onChange(changed); // also run after a sync below
        MemoryMcp memory = MemoryMcp.of(backend, json);
        McpSyncServer server = McpServer.sync(new StdioServerTransportProvider(json,
                        stdio.in(System.in), stdio.out(System.out)))
                .serverInfo("memory-server", "0.6.3")
                .capabilities(MemoryMcp.capabilities().build())
                .jsonSchemaValidator(warmUp.validator()) // made on the warm-up thread
                .tools(HeapExhausted.guardTools(memory.syncTools(), engine.settings().memoryFile()))
                .resources(HeapExhausted.guardResource(memory.syncResource(), engine.settings().memoryFile()))
                .build();
        built.set(server);
        stdio.awaitEnd();
        server.closeGracefully();
        timer.shutdownNow();
        if (syncing) {
            try {
                engine.sync(); // a last sync so the session's writes leave the machine
            } catch (RuntimeException e) {
                log.warn("final sync with {} failed: {}", replicas.description(), e.getMessage());
            }
        }
    }

    /** One scheduled sync; {@code changed} runs if other replicas' edits were written into the file. */
    private void syncNow(SyncEngine engine, ReplicaStore replicas, Runnable changed) {
        try {
            if (engine.sync().writeBack() == SyncReport.WriteBack.WRITTEN) {
                changed.run(); // other replicas' edits arrived
            }
        } catch (RuntimeException e) {
            log.warn("sync with {} failed: {}", replicas.description(), e.getMessage());
        } catch (OutOfMemoryError e) { // a scheduled task's error would only stop the schedule
            HeapExhausted.exit(engine.settings().memoryFile());
        }
    }

    /** The version from the jar manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = MemoryServer.class.getPackage().getImplementationVersion();
            return new String[] {"memory-mcp-server " + (v == null ? "(development build)" : v)};
        }
    }
}
