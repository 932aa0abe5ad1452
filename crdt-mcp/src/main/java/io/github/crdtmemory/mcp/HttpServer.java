/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.mcp;

import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.live.LiveMemory;
import io.github.crdtmemory.sync.SyncEngine;
import io.github.crdtmemory.sync.SyncReport;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.jspecify.annotations.Nullable;

/**
 * A running {@code memory-mcp-server --http}: the {@link LiveMemory} it owns (its state beside the
 * engine's state directory), the {@link FileBridge} that takes other writers' edits of the memory file
 * within {@value #BRIDGE_MILLIS} ms of seeing the file change and exports the live memory to it at most
 * every {@value #EXPORT_MILLIS} ms while it changes (a write call does not wait for the file), the periodic
 * sync with the store (through the same engine and lock as {@code memory-backup}), and the Jetty
 * endpoint. On SIGTERM or SIGINT: new requests get 503, the calls in flight finish (up to
 * {@value #DRAIN_SECONDS} s), the MCP sessions close, the file is written and, with a store, synced
 * once; then the process exits.
 */
final class HttpServer {
    static final long BRIDGE_MILLIS = 200;
    /** The file is rewritten at most this often: at 10,000 entities an export costs tens of milliseconds. */
    static final long EXPORT_MILLIS = 1_000;
    static final long DRAIN_SECONDS = 30;
    /** Even without a sign of change, the file is compared this often (a writer may keep size and time). */
    static final long FULL_CHECK_MILLIS = 10_000;

    private static final Logger log = LoggerFactory.getLogger(HttpServer.class);

    private final LiveMemory memory;
    private final FileBridge bridge;
    private final SyncEngine engine;
    private final boolean syncing;
    private final ScheduledExecutorService timer;
    private final AtomicReference<McpSyncServer> mcp = new AtomicReference<>();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AtomicLong lastStep = new AtomicLong();
    private final HttpAccessFilter filter;
    private volatile @Nullable HttpEndpoint endpoint; // set once started, before the shutdown hook

    private HttpServer(LiveMemory memory, FileBridge bridge, SyncEngine engine, boolean syncing,
            HttpAccessFilter filter) {
        this.memory = memory;
        this.filter = filter;
        this.bridge = bridge;
        this.engine = engine;
        this.syncing = syncing;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "memory-file-bridge");
            t.setDaemon(true);
            return t;
        });
    }

    static HttpServer start(HttpMode options, HttpMode.Checked checked, SyncEngine engine, boolean syncing,
            long syncEvery, Path dir, ReplicaId replica, StartupWarmUp warmUp) throws Exception {
        Path liveFile = dir.resolve("live.state");
        boolean fresh = !Files.exists(liveFile);
        LiveMemory memory = LiveMemory.open(liveFile, replica);
        FileBridge bridge = new FileBridge(memory, engine, dir.resolve("exported.jsonl"), fresh);
        HttpServer server = new HttpServer(memory, bridge, engine, syncing,
                new HttpAccessFilter(checked.token(), checked.hosts(), options.maxBody));
        bridge.step(); // the file's content (and other writers' edits while this server was down) first
        HttpServletStreamableServerTransportProvider transport = HttpServletStreamableServerTransportProvider
                .builder().jsonMapper(warmUp.mapper()).mcpEndpoint(HttpEndpoint.MCP_PATH)
                .maxRequestSize(options.maxBody).build();
        server.mcp.set(HttpMode.mcpServer(transport, memory, engine.settings().memoryFile(), warmUp));
        server.endpoint = HttpEndpoint.start(options.host, options.port, options.keystore, checked.password(),
                transport, server.filter);
        server.every(server::bridgeIfStale, BRIDGE_MILLIS, TimeUnit.MILLISECONDS);
        if (syncing) {
            server.every(server::syncWithStore, Math.max(1, syncEvery), TimeUnit.SECONDS);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "memory-http-shutdown"));
        return server;
    }

    int port() {
        return Objects.requireNonNull(endpoint, "started").port();
    }

    void awaitStop() throws InterruptedException {
        stopped.await();
    }

    /**
     * Runs {@code task} on the timer every {@code period}; the tasks catch their own failures (a task that
     * threw would never run again), and stopping shuts the timer down, so the futures are not kept.
     */
    @SuppressWarnings("FutureReturnValueIgnored")
    private void every(Runnable task, long period, TimeUnit unit) {
        timer.scheduleWithFixedDelay(task, period, period, unit);
    }

    private void bridgeIfStale() {
        long since = System.currentTimeMillis() - lastStep.get();
        if (bridge.fileChanged() || (bridge.liveChanged() && since >= EXPORT_MILLIS) || since >= FULL_CHECK_MILLIS) {
            step();
        }
    }

    private void step() {
        try {
            lastStep.set(System.currentTimeMillis());
            bridge.step(); // subscribers hear of what it imports through the live memory's listeners
        } catch (RuntimeException e) {
            log.warn("cannot bring the memory file {} up to date: {}", engine.settings().memoryFile(), e.getMessage());
        } catch (OutOfMemoryError e) { // a scheduled task's error would only stop the schedule
            HeapExhausted.exit(engine.settings().memoryFile());
        }
    }

    private void syncWithStore() {
        step();
        try {
            if (engine.sync().writeBack() == SyncReport.WriteBack.WRITTEN) {
                step(); // other replicas' edits are in the file: into the live memory
            }
        } catch (RuntimeException e) {
            log.warn("sync of {} failed: {}", engine.settings().memoryFile(), e.getMessage());
        } catch (OutOfMemoryError e) {
            HeapExhausted.exit(engine.settings().memoryFile());
        }
    }

    /** The graceful stop, from the shutdown hook. */
    private void stop() {
        try {
            filter.close();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DRAIN_SECONDS);
            while (filter.inFlight() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            McpSyncServer server = mcp.get();
            if (server != null) {
                server.closeGracefully();
            }
            HttpEndpoint started = endpoint;
            if (started != null) {
                started.stop();
            }
            timer.shutdown();
            timer.awaitTermination(DRAIN_SECONDS, TimeUnit.SECONDS);
            step();
            if (syncing) {
                try {
                    engine.sync(); // once, so the session's writes leave the machine
                } catch (RuntimeException e) {
                    log.warn("final sync of {} failed: {}", engine.settings().memoryFile(), e.getMessage());
                }
            }
        } catch (Exception e) {
            log.warn("while stopping: {}", e.toString());
        } finally {
            memory.close();
            stopped.countDown();
        }
    }
}
