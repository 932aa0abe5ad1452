/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.mcp;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.schema.JsonSchemaValidator;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * What the server needs but the {@code initialize} answer does not wait for, made on a thread of its
 * own from the first moment of the process, while the main thread parses the command line and opens
 * the engine: the SDK's JSON mapper with its reader of tool schemas (then handed to the main thread),
 * a handshake read and answered once (so the classes and serializers of the real one are ready), the
 * tool definitions' JSON reader, and the SDK's JSON-schema validator with its schema library, warmed by
 * one validation. The
 * validator is only needed by the first tool call: {@link #validator()} is a validator that waits for
 * it then. A failure surfaces where the result is used, never on the warm-up thread alone.
 */
final class StartupWarmUp {
    private final CompletableFuture<McpJsonMapper> mapper = new CompletableFuture<>();
    private final CompletableFuture<JsonSchemaValidator> validator = new CompletableFuture<>();

    private StartupWarmUp() {
    }

    /** Starts the warm-up thread (a daemon: it never keeps the process alive). */
    static StartupWarmUp start() {
        StartupWarmUp w = new StartupWarmUp();
        Thread t = new Thread(w::run, "memory-startup");
        t.setDaemon(true);
        t.start();
        return w;
    }

    private void run() {
        McpJsonMapper m;
        try {
            m = McpJsonDefaults.getMapper();
            // the mapper's first schema: the main thread then reads the nine tools' schemas with a ready reader
            m.readValue("{\"type\": \"object\", \"properties\": {}, \"required\": []}", Map.class);
            mapper.complete(m);
        } catch (IOException | RuntimeException | Error e) {
            mapper.completeExceptionally(e);
            return;
        }
        try {
            warmTheHandshake(m);
        } catch (IOException | RuntimeException e) {
            // only a warm-up: the server reads and answers the real handshake itself
        }
        try {
            new ObjectMapper().readTree("[{\"warm\": \"up\"}]"); // as the API's MemoryToolSet reads tools.json
            JsonSchemaValidator v = McpJsonDefaults.getSchemaValidator();
            v.validate(Map.of("type", "object", "properties", Map.of("names", Map.of("type", "array", "items",
                    Map.of("type", "string")))), Map.of("names", List.of("warm-up")));
            validator.complete(v);
        } catch (IOException | RuntimeException | Error e) {
            validator.completeExceptionally(e);
        }
    }

    /** Reads an {@code initialize} request and writes an answer, as the server is about to. */
    private static void warmTheHandshake(McpJsonMapper m) throws IOException {
        McpSchema.JSONRPCMessage request = McpSchema.deserializeJsonRpcMessage(m, "{\"jsonrpc\": \"2.0\", \"id\": 0, "
                + "\"method\": \"initialize\", \"params\": {\"protocolVersion\": \"2025-06-18\", \"capabilities\": {}, "
                + "\"clientInfo\": {\"name\": \"warm-up\", \"version\": \"0\"}}}");
        m.convertValue(((McpSchema.JSONRPCRequest) request).params(), McpSchema.InitializeRequest.class);
        m.writeValueAsString(new McpSchema.JSONRPCResponse(McpSchema.JSONRPC_VERSION, 0, McpSchema.InitializeResult
                .builder("2025-06-18", McpSchema.ServerCapabilities.builder().tools(true).resources(true, true).build(),
                        McpSchema.Implementation.builder("warm-up", "0").build()).build(), null));
    }

    /** The SDK's JSON mapper, waiting for the warm-up thread to make it. */
    McpJsonMapper mapper() {
        return join(mapper);
    }

    /** A validator that delegates to the SDK's once the warm-up thread has made it. */
    JsonSchemaValidator validator() {
        return new JsonSchemaValidator() {
            @Override
            public ValidationResponse validate(Map<String, Object> schema, Object content) {
                return join(validator).validate(schema, content);
            }

            @Override
            public ValidationResponse validateSchema(Map<String, Object> schema) {
                return join(validator).validateSchema(schema);
            }

            @Override
            public void assertConforms(String what, Map<String, Object> schema) {
                join(validator).assertConforms(what, schema);
            }
        };
    }

    private static <T> T join(CompletableFuture<T> f) {
        try {
            return f.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw e;
        }
    }
}
