package io.github.crdtmemory.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.crdtmemory.live.MemoryTools;
import io.github.crdtmemory.live.Observations;
import io.github.crdtmemory.memory.Entity;
import io.github.crdtmemory.memory.MemoryGraph;
import io.github.crdtmemory.memory.Relation;
import io.github.crdtmemory.sync.MassDeletionException;
import io.github.crdtmemory.sync.SyncEngine;
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
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The nine tools of {@code @modelcontextprotocol/server-memory} 2026.8.31 over a {@link SyncEngine}:
 * names, titles, descriptions, input and output schemas and annotations are the npm server's own
 * ({@code tools.json}, taken from its {@code tools/list}); results have its shapes and texts. Writes
 * run through {@link SyncEngine#edit} (serialized across threads and processes, nothing lost);
 * reads parse the memory file, which every write leaves complete (atomic rename). Also the npm
 * server's resource {@value #GRAPH_URI}: the whole graph as its {@code read_graph} text.
 */
final class MemoryToolSet {
    /** The knowledge-graph resource's URI, as the npm server names it. */
    static final String GRAPH_URI = "memory://knowledge-graph";

    private static final Logger log = LoggerFactory.getLogger(MemoryToolSet.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SyncEngine engine;
    private final Path memoryFile;
    private final Runnable changed;

    MemoryToolSet(SyncEngine engine, Runnable changed) {
        this.engine = engine;
        this.memoryFile = engine.settings().memoryFile();
        this.changed = changed;
    }

    List<SyncToolSpecification> specifications(McpJsonMapper mapper) {
        JsonNode tools;
        try (InputStream in = MemoryToolSet.class.getResourceAsStream("tools.json")) {
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
                } catch (MassDeletionException e) {
                    log.warn("{} refused: {}", name, e.getMessage());
                    return McpSchema.CallToolResult.builder().addTextContent(e.getMessage() + ". With this server:"
                            + " `memory-backup sync --allow-mass-deletion` keeps the deletion; removing the file and"
                            + " `memory-backup restore` brings the memory back").isError(true).build();
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
                        "application/json", (String) graph(read())[0])));
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
                List<Entity> created = write(g -> MemoryTools.createEntities(g, entities(args)));
                List<Object> out = created.stream().map(MemoryToolSet::entity).toList();
                return new Object[] {PrettyJson.write(out), Map.of("entities", out)};
            };
            case "create_relations" -> args -> {
                List<Relation> created = write(g -> MemoryTools.createRelations(g, relations(args, "relations")));
                List<Object> out = created.stream().map(MemoryToolSet::relation).toList();
                return new Object[] {PrettyJson.write(out), Map.of("relations", out)};
            };
            case "add_observations" -> args -> {
                List<Observations> added = write(g -> MemoryTools.addObservations(g, observations(args, "observations",
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
                write(g -> MemoryTools.deleteEntities(g, strings(args.get("entityNames"))));
                return success("Entities deleted successfully");
            };
            case "delete_observations" -> args -> {
                write(g -> MemoryTools.deleteObservations(g, observations(args, "deletions", "observations")));
                return success("Observations deleted successfully");
            };
            case "delete_relations" -> args -> {
                write(g -> MemoryTools.deleteRelations(g, relations(args, "relations")));
                return success("Relations deleted successfully");
            };
            case "read_graph" -> args -> graph(read());
            case "search_nodes" -> args -> graph(MemoryTools.searchNodes(read(), String.valueOf(args.get("query"))));
            case "open_nodes" -> args -> graph(MemoryTools.openNodes(read(), strings(args.get("names"))));
            default -> throw new IllegalStateException("unknown tool in tools.json: " + tool);
        };
    }

    private <T> T write(Function<MemoryGraph, MemoryTools.Outcome<T>> tool) {
        List<T> result = new ArrayList<>(1);
        engine.edit(g -> {
            MemoryTools.Outcome<T> o = tool.apply(g);
            result.clear();
            result.add(o.result());
            return o.graph();
        });
        changed.run();
        return result.get(0);
    }

    /** The memory file's graph; parsed again only when the file changed since this engine read or wrote it. */
    private MemoryGraph read() {
        return engine.read();
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
