/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.mcp.api;

import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.server.McpAsyncServer;
import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.server.McpStatelessServerFeatures;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.spec.McpSchema;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The memory as the official MCP Java SDK's server features: the nine tools of
 * {@code @modelcontextprotocol/server-memory} ({@code create_entities}, {@code create_relations},
 * {@code add_observations}, {@code delete_entities}, {@code delete_observations},
 * {@code delete_relations}, {@code read_graph}, {@code search_nodes}, {@code open_nodes}) and its
 * resource {@value #GRAPH_URI}, over a {@link MemoryBackend}, for any transport. Adding the memory to
 * an existing server takes three lines:
 *
 * <pre>{@code
 * MemoryMcp memory = MemoryMcp.of(MemoryBackend.live(liveMemory)); // or MemoryBackend.sharedFile(engine)
 * McpSyncServer server = McpServer.sync(transport).capabilities(MemoryMcp.capabilities().build())
 *         .tools(memory.syncTools()).resources(memory.syncResource()).build();
 * memory.notifySubscribers(server);
 * }</pre>
 *
 * <p>Guarantees:
 * <ul>
 *   <li>Names, titles, descriptions, input and output schemas and annotations are the npm server's own
 *       (taken from its {@code tools/list}); a result's text and structured content have its shapes and
 *       texts, byte for byte; the resource's name, title, description, MIME type and text are its.</li>
 *   <li>Every flavour the SDK offers (sync, async, stateless sync, stateless async) runs the same code:
 *       a tool that fails answers an error result ({@code isError}) with the failure's message and
 *       never throws an exception to the transport (an {@link Error} such as running out of heap is
 *       rethrown). The async flavours run the backend's blocking calls on Reactor's
 *       {@code boundedElastic} scheduler, never on the caller's thread.</li>
 *   <li>Calls may run concurrently: the backend serializes writes and loses none.</li>
 *   <li>Immutable and thread-safe; the specification lists are unmodifiable.</li>
 * </ul>
 */
public final class MemoryMcp {
    /** The knowledge-graph resource's URI, as the npm server names it. */
    public static final String GRAPH_URI = "memory://knowledge-graph";

    private static final Logger log = LoggerFactory.getLogger(MemoryMcp.class);

    private final MemoryBackend backend;
    private final MemoryToolSet toolSet;

    private MemoryMcp(MemoryBackend backend, McpJsonMapper mapper) {
        this.backend = backend;
        this.toolSet = new MemoryToolSet(backend, mapper);
    }

    /**
     * The tools and resource over {@code backend}, with the SDK's default JSON mapper.
     *
     * @param backend the memory
     * @return the features
     */
    public static MemoryMcp of(MemoryBackend backend) {
        return of(backend, McpJsonDefaults.getMapper());
    }

    /**
     * The tools and resource over {@code backend}; {@code mapper} reads the tools' JSON schemas.
     *
     * @param backend the memory
     * @param mapper the SDK's JSON mapper
     * @return the features
     */
    public static MemoryMcp of(MemoryBackend backend, McpJsonMapper mapper) {
        return new MemoryMcp(Objects.requireNonNull(backend, "backend"), Objects.requireNonNull(mapper, "mapper"));
    }

    /**
     * The capabilities the npm server declares: tools, and resources with subscriptions. A builder, so
     * a server with more features can add its own.
     *
     * @return a new builder
     */
    public static McpSchema.ServerCapabilities.Builder capabilities() {
        return McpSchema.ServerCapabilities.builder().tools(true).resources(true, true);
    }

    /**
     * The backend these features act on.
     *
     * @return the backend
     */
    public MemoryBackend backend() {
        return backend;
    }

    /**
     * The nine tool definitions, in the npm server's order.
     *
     * @return an unmodifiable list
     */
    public List<McpSchema.Tool> tools() {
        return toolSet.tools();
    }

    /**
     * The nine tools for {@code McpServer.sync(...)}.
     *
     * @return an unmodifiable list
     */
    public List<McpServerFeatures.SyncToolSpecification> syncTools() {
        return toolSet.tools().stream().map(t -> McpServerFeatures.SyncToolSpecification.builder().tool(t)
                .callHandler((exchange, request) -> toolSet.call(t.name(), request.arguments())).build()).toList();
    }

    /**
     * The nine tools for {@code McpServer.async(...)}.
     *
     * @return an unmodifiable list
     */
    public List<McpServerFeatures.AsyncToolSpecification> asyncTools() {
        return toolSet.tools().stream().map(t -> McpServerFeatures.AsyncToolSpecification.builder().tool(t)
                .callHandler((exchange, request) -> offload(() -> toolSet.call(t.name(), request.arguments())))
                .build()).toList();
    }

    /**
     * The nine tools for {@code McpServer.sync(statelessTransport)}.
     *
     * @return an unmodifiable list
     */
    public List<McpStatelessServerFeatures.SyncToolSpecification> statelessSyncTools() {
        return toolSet.tools().stream().map(t -> McpStatelessServerFeatures.SyncToolSpecification.builder().tool(t)
                .callHandler((context, request) -> toolSet.call(t.name(), request.arguments())).build()).toList();
    }

    /**
     * The nine tools for {@code McpServer.async(statelessTransport)}.
     *
     * @return an unmodifiable list
     */
    public List<McpStatelessServerFeatures.AsyncToolSpecification> statelessAsyncTools() {
        return toolSet.tools().stream().map(t -> McpStatelessServerFeatures.AsyncToolSpecification.builder().tool(t)
                .callHandler((context, request) -> offload(() -> toolSet.call(t.name(), request.arguments())))
                .build()).toList();
    }

    /**
     * The {@value #GRAPH_URI} resource for {@code McpServer.sync(...)}: the whole graph as
     * {@code read_graph}'s text, {@code application/json}.
     *
     * @return the specification
     */
    public McpServerFeatures.SyncResourceSpecification syncResource() {
        return new McpServerFeatures.SyncResourceSpecification(MemoryToolSet.graphResource(),
                (exchange, request) -> toolSet.read(request));
    }

    /**
     * The {@value #GRAPH_URI} resource for {@code McpServer.async(...)}.
     *
     * @return the specification
     */
    public McpServerFeatures.AsyncResourceSpecification asyncResource() {
        return new McpServerFeatures.AsyncResourceSpecification(MemoryToolSet.graphResource(),
                (exchange, request) -> offload(() -> toolSet.read(request)));
    }

    /**
     * The {@value #GRAPH_URI} resource for a stateless sync server (which cannot notify subscribers).
     *
     * @return the specification
     */
    public McpStatelessServerFeatures.SyncResourceSpecification statelessSyncResource() {
        return new McpStatelessServerFeatures.SyncResourceSpecification(MemoryToolSet.graphResource(),
                (context, request) -> toolSet.read(request));
    }

    /**
     * The {@value #GRAPH_URI} resource for a stateless async server (which cannot notify subscribers).
     *
     * @return the specification
     */
    public McpStatelessServerFeatures.AsyncResourceSpecification statelessAsyncResource() {
        return new McpStatelessServerFeatures.AsyncResourceSpecification(MemoryToolSet.graphResource(),
                (context, request) -> offload(() -> toolSet.read(request)));
    }

    /**
     * Sends {@code notifications/resources/updated} for {@value #GRAPH_URI} to the server's subscribers
     * after every change of the backend ({@link MemoryBackend#onChange}); a notification that fails is
     * logged.
     *
     * @param server the server built with these features
     * @return closing it stops the notifications
     */
    public AutoCloseable notifySubscribers(McpSyncServer server) {
        Objects.requireNonNull(server, "server");
        return backend.onChange(() -> {
            try {
                server.notifyResourcesUpdated(new McpSchema.ResourcesUpdatedNotification(GRAPH_URI));
            } catch (RuntimeException e) {
                log.warn("cannot notify subscribers of {}: {}", GRAPH_URI, e.toString());
            }
        });
    }

    /**
     * As {@link #notifySubscribers(McpSyncServer)} for an async server; the notification is sent without
     * waiting for it.
     *
     * @param server the server built with these features
     * @return closing it stops the notifications
     */
    public AutoCloseable notifySubscribers(McpAsyncServer server) {
        Objects.requireNonNull(server, "server");
        return backend.onChange(() -> server.notifyResourcesUpdated(new McpSchema.ResourcesUpdatedNotification(GRAPH_URI))
                .subscribe(null, e -> log.warn("cannot notify subscribers of {}: {}", GRAPH_URI, e.toString())));
    }

    private static <T> Mono<T> offload(Supplier<T> call) {
        return Mono.fromSupplier(call).subscribeOn(Schedulers.boundedElastic());
    }

    @Override
    public String toString() {
        return "MemoryMcp[" + backend + "]";
    }
}
