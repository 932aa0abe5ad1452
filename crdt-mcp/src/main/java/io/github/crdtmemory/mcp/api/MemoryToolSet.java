/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.mcp.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.crdtmemory.live.Observations;
import io.github.crdtmemory.memory.Entity;
import io.github.crdtmemory.memory.MemoryGraph;
import io.github.crdtmemory.memory.Relation;
import io.github.crdtmemory.sync.MassDeletionException;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The nine tools of {@code @modelcontextprotocol/server-memory} 2026.8.31 over a {@link MemoryBackend}:
 * names, titles, descriptions, input and output schemas and annotations are the npm server's own
 * ({@code tools.json}, taken from its {@code tools/list}); results have its shapes and texts. Also the
 * npm server's resource {@value MemoryMcp#GRAPH_URI}: the whole graph as its {@code read_graph} text.
 * Transport-agnostic: {@link MemoryMcp} adapts it to each flavour of the SDK's specifications.
 */
final class MemoryToolSet {
    private static final Logger log = LoggerFactory.getLogger(MemoryToolSet.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final MemoryBackend backend;
    private final List<McpSchema.Tool> tools;
    private final Map<String, Function<Map<String, Object>, Object[]>> handlers = new LinkedHashMap<>();

    MemoryToolSet(MemoryBackend backend, McpJsonMapper mapper) {
        this.backend = Objects.requireNonNull(backend, "backend");
        JsonNode definitions;
        try (InputStream in = MemoryToolSet.class.getResourceAsStream("tools.json")) {
            definitions = JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException("the tool definitions are missing from the jar", e);
        }
        List<McpSchema.Tool> out = new ArrayList<>();
        for (JsonNode t : definitions) {
            String name = t.path("name").asText();
            JsonNode a = t.path("annotations");
            out.add(McpSchema.Tool.builder(name, mapper, t.path("inputSchema").toString()).title(t.path("title").asText())
                    .description(t.path("description").asText())
                    .outputSchema(mapper, t.path("outputSchema").toString())
                    .annotations(new McpSchema.ToolAnnotations(null, a.path("readOnlyHint").asBoolean(),
                            a.path("destructiveHint").asBoolean(), a.path("idempotentHint").asBoolean(),
                            a.path("openWorldHint").asBoolean(), null))
                    .build());
            handlers.put(name, handler(name));
        }
        this.tools = List.copyOf(out);
    }

    /** The nine tool definitions, in the npm server's order. */
    List<McpSchema.Tool> tools() {
        return tools;
    }

    /**
     * Calls a tool: its result, or an error result ({@code isError}) with the failure's message; never
     * throws but an {@link Error}.
     */
    McpSchema.CallToolResult call(String name, Map<String, Object> arguments) {
        Function<Map<String, Object>, Object[]> handler = handlers.get(name);
        if (handler == null) {
            return McpSchema.CallToolResult.builder().addTextContent("Unknown tool: " + name).isError(true).build();
        }
        try {
            Object[] result = handler.apply(arguments == null ? Map.of() : arguments);
            return McpSchema.CallToolResult.builder().addTextContent((String) result[0])
                    .structuredContent(result[1]).build();
        } catch (MassDeletionException e) {
            log.warn("{} refused: {}", name, e.getMessage());
            return McpSchema.CallToolResult.builder().addTextContent(e.getMessage() + ". With this server:"
                    + " `memory-backup sync --allow-mass-deletion` keeps the deletion; removing the file and"
                    + " `memory-backup restore` brings the memory back").isError(true).build();
        } catch (RuntimeException e) {
            log.debug("{} failed: {}", name, e.toString());
            return McpSchema.CallToolResult.builder().addTextContent(e.getMessage() == null ? e.toString()
                    : e.getMessage()).isError(true).build();
        }
    }

    /** The {@value MemoryMcp#GRAPH_URI} resource: name, title, description and MIME type as the npm server's. */
    static McpSchema.Resource graphResource() {
        return McpSchema.Resource.builder(MemoryMcp.GRAPH_URI, "knowledge-graph")
                .title("Knowledge Graph").description("The full knowledge graph with all entities and relations")
                .mimeType("application/json").build();
    }

    /** Reads the resource: the whole graph as {@code read_graph}'s text. */
    McpSchema.ReadResourceResult read(McpSchema.ReadResourceRequest request) {
        return McpSchema.ReadResourceResult.builder(List.of(new McpSchema.TextResourceContents(request.uri(),
                "application/json", (String) graph(backend.readGraph())[0], null))).build();
    }

    /** Returns {text, structuredContent} for a tool's arguments. */
    private Function<Map<String, Object>, Object[]> handler(String tool) {
        return switch (tool) {
            case "create_entities" -> args -> {
                List<Entity> created = backend.createEntities(entities(args));
                List<Object> out = created.stream().map(MemoryToolSet::entity).toList();
                return new Object[] {PrettyJson.write(out), Map.of("entities", out)};
            };
            case "create_relations" -> args -> {
                List<Relation> created = backend.createRelations(relations(args, "relations"));
                List<Object> out = created.stream().map(MemoryToolSet::relation).toList();
                return new Object[] {PrettyJson.write(out), Map.of("relations", out)};
            };
            case "add_observations" -> args -> {
                List<Observations> added = backend.addObservations(observations(args, "observations", "contents"));
                List<Object> out = new ArrayList<>();
                for (Observations o : added) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("entityName", o.entityName());
                    m.put("addedObservations", o.observations());
                    out.add(m);
                }
                return new Object[] {PrettyJson.write(out), Map.of("results", out)};
            };
            case "delete_entities" -> args -> {
                backend.deleteEntities(strings(args.get("entityNames")));
                return success("Entities deleted successfully");
            };
            case "delete_observations" -> args -> {
                backend.deleteObservations(observations(args, "deletions", "observations"));
                return success("Observations deleted successfully");
            };
            case "delete_relations" -> args -> {
                backend.deleteRelations(relations(args, "relations"));
                return success("Relations deleted successfully");
            };
            case "read_graph" -> args -> graph(backend.readGraph());
            case "search_nodes" -> args -> graph(backend.searchNodes(String.valueOf(args.get("query"))));
            case "open_nodes" -> args -> graph(backend.openNodes(strings(args.get("names"))));
            default -> throw new IllegalStateException("unknown tool in tools.json: " + tool);
        };
    }

    private static Object[] success(String message) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("success", true);
        m.put("message", message);
        return new Object[] {message, m};
    }

    private static Object[] graph(MemoryGraph g) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("entities", g.entities().stream().map(MemoryToolSet::entity).toList());
        m.put("relations", g.relations().stream().map(MemoryToolSet::relation).toList());
        return new Object[] {PrettyJson.write(m), m};
    }

    private static Object entity(Entity e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", e.name());
        m.put("entityType", e.entityType());
        m.put("observations", e.observations());
        return m;
    }

    private static Object relation(Relation r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("from", r.from());
        m.put("to", r.to());
        m.put("relationType", r.relationType());
        return m;
    }

    private static List<Entity> entities(Map<String, Object> args) {
        List<Entity> out = new ArrayList<>();
        for (Object o : list(args.get("entities"), "entities")) {
            Map<?, ?> m = map(o, "entity");
            out.add(new Entity(text(m, "name"), text(m, "entityType"), strings(m.get("observations"))));
        }
        return out;
    }

    private static List<Relation> relations(Map<String, Object> args, String field) {
        List<Relation> out = new ArrayList<>();
        for (Object o : list(args.get(field), field)) {
            Map<?, ?> m = map(o, "relation");
            out.add(new Relation(text(m, "from"), text(m, "relationType"), text(m, "to")));
        }
        return out;
    }

    private static List<Observations> observations(Map<String, Object> args, String field, String texts) {
        List<Observations> out = new ArrayList<>();
        for (Object o : list(args.get(field), field)) {
            Map<?, ?> m = map(o, field);
            out.add(new Observations(text(m, "entityName"), strings(m.get(texts))));
        }
        return out;
    }

    private static List<?> list(@Nullable Object value, String what) {
        if (!(value instanceof List<?> l)) {
            throw new IllegalArgumentException("'" + what + "' must be an array");
        }
        return l;
    }

    private static Map<?, ?> map(@Nullable Object value, String what) {
        if (!(value instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException("each " + what + " must be an object");
        }
        return m;
    }

    private static String text(Map<?, ?> m, String field) {
        if (!(m.get(field) instanceof String s)) {
            throw new IllegalArgumentException("'" + field + "' must be a string");
        }
        return s;
    }

    private static List<String> strings(@Nullable Object value) {
        List<String> out = new ArrayList<>();
        for (Object o : list(value, "list")) {
            if (!(o instanceof String s)) {
                throw new IllegalArgumentException("expected an array of strings");
            }
            out.add(s);
        }
        return out;
    }
}
