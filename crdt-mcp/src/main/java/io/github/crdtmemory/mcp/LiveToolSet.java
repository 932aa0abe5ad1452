package io.github.crdtmemory.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.crdtmemory.live.Observations;
import io.github.crdtmemory.memory.Entity;
import io.github.crdtmemory.memory.MemoryGraph;
import io.github.crdtmemory.memory.Relation;
import io.github.crdtmemory.live.LiveMemory;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.server.McpServerFeatures.SyncResourceSpecification;
import io.modelcontextprotocol.server.McpServerFeatures.SyncToolSpecification;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The nine tools of {@code @modelcontextprotocol/server-memory} and its {@code memory://knowledge-graph}
 * resource over a {@link LiveMemory}, for the HTTP mode: the same definitions ({@code tools.json}),
 * result shapes and texts as {@link MemoryToolSet}, but every call goes to the live memory (writes are
 * serialized there, durable when they return; reads take no lock). Calls {@code changed} after every
 * write.
 *
 * <p>To be replaced by the public tool API's LiveMemory backend once it exists; until then the
 * argument parsing and result formats are kept identical to {@link MemoryToolSet}'s.
 */
final class LiveToolSet {
    private static final String GRAPH_URI = MemoryToolSet.GRAPH_URI;

    private static final Logger log = LoggerFactory.getLogger(LiveToolSet.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final LiveMemory memory;
    private final Path memoryFile;
    private final Runnable changed;

    LiveToolSet(LiveMemory memory, Path memoryFile, Runnable changed) {
        this.memory = memory;
        this.memoryFile = memoryFile;
        this.changed = changed;
    }

    List<SyncToolSpecification> specifications(McpJsonMapper mapper) {
        JsonNode tools;
        try (InputStream in = LiveToolSet.class.getResourceAsStream("tools.json")) {
            tools = JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException("the tool definitions are missing from the jar", e);
        }
        List<SyncToolSpecification> out = new ArrayList<>();
        for (JsonNode t : tools) {
            String name = t.path("name").asText();
            JsonNode a = t.path("annotations");
            McpSchema.Tool tool = McpSchema.Tool.builder().name(name).title(t.path("title").asText())
                    .description(t.path("description").asText())
                    .inputSchema(mapper, t.path("inputSchema").toString())
                    .outputSchema(mapper, t.path("outputSchema").toString())
                    .annotations(new McpSchema.ToolAnnotations(null, a.path("readOnlyHint").asBoolean(),
                            a.path("destructiveHint").asBoolean(), a.path("idempotentHint").asBoolean(),
                            a.path("openWorldHint").asBoolean(), null))
                    .build();
            Function<Map<String, Object>, Object[]> handler = handler(name);
            out.add(SyncToolSpecification.builder().tool(tool).callHandler((exchange, request) -> {
                try {
                    Object[] result = handler.apply(request.arguments() == null ? Map.of() : request.arguments());
                    return McpSchema.CallToolResult.builder().addTextContent((String) result[0])
                            .structuredContent(result[1]).build();
                } catch (RuntimeException e) {
                    log.debug("{} failed: {}", name, e.toString());
                    return McpSchema.CallToolResult.builder().addTextContent(e.getMessage() == null ? e.toString()
                            : e.getMessage()).isError(true).build();
                } catch (OutOfMemoryError e) { // the transport's threads would only log it, and never answer
                    HeapExhausted.exit(memoryFile);
                    throw e;
                }
            }).build());
        }
        return out;
    }

    /** The {@value #GRAPH_URI} resource: name, title, description and MIME type as the npm server's. */
    SyncResourceSpecification graphResource() {
        McpSchema.Resource resource = McpSchema.Resource.builder().uri(GRAPH_URI).name("knowledge-graph")
                .title("Knowledge Graph").description("The full knowledge graph with all entities and relations")
                .mimeType("application/json").build();
        return new SyncResourceSpecification(resource, (exchange, request) -> {
            try {
                return new McpSchema.ReadResourceResult(List.of(new McpSchema.TextResourceContents(request.uri(),
                        "application/json", (String) graph(memory.readGraph())[0])));
            } catch (OutOfMemoryError e) {
                HeapExhausted.exit(memoryFile);
                throw e;
            }
        });
    }

    /** Returns {text, structuredContent} for a tool's arguments. */
    private Function<Map<String, Object>, Object[]> handler(String tool) {
        return switch (tool) {
            case "create_entities" -> args -> {
                List<Object> out = wrote(memory.createEntities(entities(args))).stream()
                        .map(LiveToolSet::entity).toList();
                return new Object[] {PrettyJson.write(out), Map.of("entities", out)};
            };
            case "create_relations" -> args -> {
                List<Object> out = wrote(memory.createRelations(relations(args, "relations"))).stream()
                        .map(LiveToolSet::relation).toList();
                return new Object[] {PrettyJson.write(out), Map.of("relations", out)};
            };
            case "add_observations" -> args -> {
                List<Observations> added = wrote(memory.addObservations(observations(args, "observations",
                        "contents")));
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
                memory.deleteEntities(strings(args.get("entityNames")));
                wrote(null);
                return success("Entities deleted successfully");
            };
            case "delete_observations" -> args -> {
                memory.deleteObservations(observations(args, "deletions", "observations"));
                wrote(null);
                return success("Observations deleted successfully");
            };
            case "delete_relations" -> args -> {
                memory.deleteRelations(relations(args, "relations"));
                wrote(null);
                return success("Relations deleted successfully");
            };
            case "read_graph" -> args -> graph(memory.readGraph());
            case "search_nodes" -> args -> graph(memory.searchNodes(String.valueOf(args.get("query"))));
            case "open_nodes" -> args -> graph(memory.openNodes(strings(args.get("names"))));
            default -> throw new IllegalStateException("unknown tool in tools.json: " + tool);
        };
    }

    private <T> T wrote(T result) {
        changed.run();
        return result;
    }

    private static Object[] success(String message) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("success", true);
        m.put("message", message);
        return new Object[] {message, m};
    }

    private static Object[] graph(MemoryGraph g) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("entities", g.entities().stream().map(LiveToolSet::entity).toList());
        m.put("relations", g.relations().stream().map(LiveToolSet::relation).toList());
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

    private static List<?> list(Object value, String what) {
        if (!(value instanceof List<?> l)) {
            throw new IllegalArgumentException("'" + what + "' must be an array");
        }
        return l;
    }

    private static Map<?, ?> map(Object value, String what) {
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

    private static List<String> strings(Object value) {
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
