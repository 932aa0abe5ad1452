/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.crdtmemory.testkit.McpClient;
import org.junit.jupiter.api.Test;

class McpReportTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode server(double start, double write, double read) {
        var s = JSON.createObjectNode();
        s.putObject("startMillis").put("median", start).put("p90", start);
        s.putObject("writeMillis").put("median", write).put("p90", write * 2);
        for (String m : new String[] {"searchMillis", "openMillis", "readGraphMillis"}) {
            s.putObject(m).put("median", read).put("p90", read);
        }
        return s;
    }

    @Test
    void targetsAreRatiosToTheNpmServerAndTheWriteTargetTightensAtTenThousand() {
        var mcp = JSON.createObjectNode();
        var small = mcp.putArray("sizes").addObject().put("entities", 1000);
        small.set("ours", server(300, 10, 5));
        small.set("npm", server(250, 10, 5)); // start 1.2 ×, write 1 ×, reads 1 ×: all met
        var large = ((com.fasterxml.jackson.databind.node.ArrayNode) mcp.get("sizes")).addObject().put("entities", 10000);
        large.set("ours", server(400, 30, 6));
        large.set("npm", server(300, 50, 5)); // start 1.33 ×, write 0.6 × (> 0.5), reads 1.2 ×: none met
        StringBuilder md = new StringBuilder();
        McpReport.targets(md, mcp);
        String[] rows = md.toString().split("\n");
        assertThat(rows).hasSize(6);
        assertThat(rows[0]).contains("1,000 entities ≤ npm", "10 ms / 10 ms: 1.00 ×").endsWith("| yes |");
        assertThat(rows[1]).endsWith("| yes |");
        assertThat(rows[2]).contains("1.20 ×").endsWith("| yes |");
        assertThat(rows[3]).contains("10,000 entities ≤ 0.5 × npm", "0.60 ×").endsWith("| **no** |");
        assertThat(rows[4]).contains("search_nodes 1.20 ×").endsWith("| **no** |");
        assertThat(rows[5]).contains("1.33 ×").endsWith("| **no** |");
    }

    @Test
    void withoutTheNpmServerTheTargetsSayNotMeasured() {
        var mcp = JSON.createObjectNode().put("npmSkipped", "node is not installed");
        var size = mcp.putArray("sizes").addObject().put("entities", 1000);
        size.set("ours", server(300, 10, 5));
        StringBuilder md = new StringBuilder();
        McpReport.targets(md, mcp);
        McpReport.section(md, mcp);
        assertThat(md.toString()).contains("npm server not run (node is not installed) | not measured |")
                .contains("The npm server was not run: node is not installed").doesNotContain("| yes |");
    }

    @Test
    void theHarnessComparesAgainstTheVersionTheInteropTestsPin() {
        assertThat(McpSideBySide.NPM_PACKAGE).isEqualTo(McpClient.NPM_PACKAGE);
    }
}
