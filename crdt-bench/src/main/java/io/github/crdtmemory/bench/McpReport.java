/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The part of {@code docs/benchmarks.md} that {@link McpSideBySide} measured: the targets against the
 * npm memory server (ratios ours / npm from the same run) and the side-by-side table. Writes nothing
 * when the results have no MCP measurements.
 */
final class McpReport {
    private static final String[][] READS = {{"searchMillis", "search_nodes"}, {"openMillis", "open_nodes"},
        {"readGraphMillis", "read_graph"}};

    private McpReport() {
    }

    /** Appends the target rows: write, reads and start as ratios to the npm server's figures. */
    static void targets(StringBuilder md, JsonNode mcp) {
        for (JsonNode size : mcp.path("sizes")) {
            String n = String.format(Locale.ROOT, "%,d", size.path("entities").asInt());
            JsonNode ours = size.path("ours");
            JsonNode npm = size.path("npm");
            double writeLimit = size.path("entities").asInt() >= 10_000 ? 0.5 : 1.0;
            String write = "MCP `add_observations`, " + n + " entities ≤ " + (writeLimit == 1.0 ? "" : "0.5 × ")
                    + "npm server (median)";
            String reads = "MCP reads (`search_nodes`, `open_nodes`, `read_graph`), " + n + " entities ≤ npm server "
                    + "(median)";
            String start = "MCP server start to `initialize` answer, " + n + " entities ≤ 1.3 × npm server (median)";
            if (npm.isMissingNode()) {
                String why = "npm server not run (" + mcp.path("npmSkipped").asText("no result") + ")";
                for (String t : List.of(write, reads, start)) {
                    md.append("| ").append(t).append(" | ").append(why).append(" | not measured |\n");
                }
                continue;
            }
            double w = ratio(ours, npm, "writeMillis");
            BenchmarkReport.target(md, write, pair(ours, npm, "writeMillis") + ": " + times(w), w <= writeLimit);
            List<String> parts = new ArrayList<>();
            boolean met = true;
            for (String[] r : READS) {
                double x = ratio(ours, npm, r[0]);
                parts.add(r[1] + " " + times(x));
                met &= x <= 1.0;
            }
            BenchmarkReport.target(md, reads, String.join(", ", parts), met);
            double s = ratio(ours, npm, "startMillis");
            BenchmarkReport.target(md, start, pair(ours, npm, "startMillis") + ": " + times(s), s <= 1.3);
        }
        JsonNode sync = mcp.path("backupSync");
        if (sync.has("processMillis")) {
            md.append("| `memory-backup sync` with nothing to do, ")
                    .append(String.format(Locale.ROOT, "%,d", sync.path("entities").asInt()))
                    .append(" entities: report the figure | ").append(ms(sync.path("processMillis").path("median")))
                    .append(" (whole process, median) | reported |\n");
        }
    }

    /** Appends the side-by-side section. */
    static void section(StringBuilder md, JsonNode mcp) {
        if (!mcp.has("sizes")) {
            return;
        }
        md.append("\n## MCP server against the npm memory server\n\n")
                .append("`McpSideBySide`: both servers started by their launchers (`bin/memory-mcp-server`; `node` on ")
                .append("the npm package `").append(mcp.path("npmPackage").asText()).append('`');
        if (mcp.has("node")) {
            md.append(", node ").append(mcp.path("node").asText());
        }
        md.append(") on the same memory of N entities (three observations and one relation each), one client ")
                .append("over stdio alternating between them call by call. Start: process start to the ")
                .append("`initialize` answer. Calls are sequential; each cell is ours / npm (ratio).");
        if (mcp.has("npmSkipped")) {
            md.append(" **The npm server was not run: ").append(mcp.path("npmSkipped").asText()).append(".**");
        }
        md.append("\n\n| entities | start (median) | `add_observations` median | `add_observations` p90 | ")
                .append("`search_nodes` | `open_nodes` | `read_graph` |\n|---|---|---|---|---|---|---|\n");
        for (JsonNode size : mcp.path("sizes")) {
            JsonNode ours = size.path("ours");
            JsonNode npm = size.path("npm");
            md.append(String.format(Locale.ROOT, "| %,d", size.path("entities").asInt()));
            md.append(" | ").append(cell(ours, npm, "startMillis", "median"));
            md.append(" | ").append(cell(ours, npm, "writeMillis", "median"));
            md.append(" | ").append(cell(ours, npm, "writeMillis", "p90"));
            for (String[] r : READS) {
                md.append(" | ").append(cell(ours, npm, r[0], "median"));
            }
            md.append(" |\n");
        }
        JsonNode first = mcp.path("sizes").path(0);
        md.append(String.format(Locale.ROOT, "%nSamples per server and size: %d starts, %d writes, %d `search_nodes` "
                + "and `open_nodes`, %d `read_graph`.%n", first.path("starts").asInt(), first.path("writes").asInt(),
                first.path("reads").asInt(), first.path("reads").asInt() / 2));
        JsonNode sync = mcp.path("backupSync");
        if (sync.has("processMillis")) {
            JsonNode p = sync.path("processMillis");
            md.append(String.format(Locale.ROOT, "%n`memory-backup sync` with nothing to do, %,d entities, through a "
                    + "local bare git remote, %d runs (whole process from the launcher): median %s, min %s, p90 %s. ",
                    sync.path("entities").asInt(), sync.path("runs").asInt(), ms(p.path("median")), ms(p.path("min")),
                    ms(p.path("p90"))));
            List<String> phases = new ArrayList<>();
            sync.path("phasesMillisOfTheMedianRun").fields().forEachRemaining(e -> phases.add(e.getKey() + " "
                    + e.getValue().asText()));
            long total = sync.path("phasesMillisOfTheMedianRun").path("total").asLong();
            md.append("Phases of the median run inside the JVM (ms, from `--json`): ").append(String.join(", ", phases))
                    .append(String.format(Locale.ROOT, "; the rest of the process time (JVM start, command line, "
                            + "exit) was about %.0f ms.%n", p.path("median").asDouble() - total));
        }
    }

    private static double ratio(JsonNode ours, JsonNode npm, String metric) {
        return ours.path(metric).path("median").asDouble() / npm.path(metric).path("median").asDouble();
    }

    private static String pair(JsonNode ours, JsonNode npm, String metric) {
        return ms(ours.path(metric).path("median")) + " / " + ms(npm.path(metric).path("median"));
    }

    private static String cell(JsonNode ours, JsonNode npm, String metric, String stat) {
        JsonNode o = ours.path(metric).path(stat);
        if (npm.isMissingNode()) {
            return ms(o);
        }
        JsonNode n = npm.path(metric).path(stat);
        return ms(o) + " / " + ms(n) + " (" + times(o.asDouble() / n.asDouble()) + ")";
    }

    private static String ms(JsonNode v) {
        double d = v.asDouble();
        return String.format(Locale.ROOT, d < 10 ? "%.1f ms" : "%.0f ms", d);
    }

    private static String times(double r) {
        return String.format(Locale.ROOT, "%.2f ×", r);
    }
}
