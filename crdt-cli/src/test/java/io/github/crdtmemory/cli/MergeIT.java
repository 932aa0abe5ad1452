/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code merge}, plain and {@code --legacy}, through the jar. */
class MergeIT {
    @TempDir
    Path tmp;

    private Path file(String name, String content) throws Exception {
        Path p = tmp.resolve(name);
        Files.writeString(p, content, StandardCharsets.UTF_8);
        return p;
    }

    private static String entry(String id, String value, String timestamp, String uniqueId) {
        return "{\"id\":\"" + id + "\",\"value\":\"" + value + "\",\"_crdt_metadata\":{\"host\":\"h\",\"timestamp\":\""
                + timestamp + "\",\"version\":1,\"unique_id\":\"" + uniqueId + "\"}}";
    }

    private Cli cli() throws Exception {
        return new Cli(Files.createDirectories(tmp.resolve("home")));
    }

    private JsonNode legacy(String a, String b) throws Exception {
        Cli cli = cli();
        Path fa = file("a.json", "[" + a + "]");
        Path fb = file("b.json", "[" + b + "]");
        Cli.Run ab = cli.run("merge", "--legacy", fa.toString(), fb.toString());
        Cli.Run ba = cli.run("merge", "--legacy", fb.toString(), fa.toString());
        assertThat(ab.code()).as("%s", ab).isZero();
        assertThat(ab.out()).as("the same bytes in either order").isEqualTo(ba.out());
        return ab.json();
    }

    @Test
    void theLaterInstantWinsAcrossOffsetsAndNaiveTimesCountAsUtc() throws Exception {
        JsonNode out = legacy(
                entry("k1", "old", "2024-05-01T10:00:00Z", "b") + "," + entry("k2", "naive", "2024-05-01T10:00:00", "a"),
                entry("k1", "new", "2024-05-01T12:30:00+02:00", "a") + ","
                        + entry("k2", "offset", "2024-05-01T11:30:00+02:00", "z"));
        // k1: 10:30Z beats 10:00Z although its unique_id is smaller; k2: naive 10:00 UTC beats 09:30Z
        assertThat(out.get(0).get("value").asText()).isEqualTo("new");
        assertThat(out.get(1).get("value").asText()).isEqualTo("naive");
    }

    @Test
    void equalInstantsFallBackToUniqueIdThenToTheCanonicalHash() throws Exception {
        JsonNode byUnique = legacy(entry("k", "first", "2024-05-01T10:00:00Z", "aaa"),
                entry("k", "second", "2024-05-01T10:00:00+00:00", "bbb"));
        assertThat(byUnique.get(0).get("value").asText()).isEqualTo("second");

        String x = entry("k", "x", "2024-05-01T10:00:00Z", "same");
        String y = entry("k", "y", "2024-05-01T10:00:00.000Z", "same");
        JsonNode byHash = legacy(x, y);
        assertThat(byHash).hasSize(1);
        String winner = byHash.get(0).get("value").asText();
        String hx = io.github.crdtmemory.internal.PrivateFiles.sha256(
                CanonicalJson.bytes(Cli.JSON.readTree(x)));
        String hy = io.github.crdtmemory.internal.PrivateFiles.sha256(
                CanonicalJson.bytes(Cli.JSON.readTree(y)));
        assertThat(winner).isEqualTo(hx.compareTo(hy) > 0 ? "x" : "y");
    }

    @Test
    void outputIsSortedByIdAndCanonical() throws Exception {
        Cli cli = cli();
        Path f = file("in.json", "[" + entry("b", "2", "2024-01-01T00:00:00Z", "u") + ",\n  "
                + entry("a", "1", "2024-01-01T00:00:00Z", "u") + "]");
        Cli.Run run = cli.run("merge", "--legacy", f.toString());
        assertThat(run.out()).isEqualTo("[\n"
                + "{\"_crdt_metadata\":{\"host\":\"h\",\"timestamp\":\"2024-01-01T00:00:00Z\",\"unique_id\":\"u\","
                + "\"version\":1},\"id\":\"a\",\"value\":\"1\"},\n"
                + "{\"_crdt_metadata\":{\"host\":\"h\",\"timestamp\":\"2024-01-01T00:00:00Z\",\"unique_id\":\"u\","
                + "\"version\":1},\"id\":\"b\",\"value\":\"2\"}\n]\n");
    }

    @Test
    void malformedEntriesAreErrorsNamingFileLineAndEntry() throws Exception {
        Cli cli = cli();
        Path noId = file("noid.json", "[\n" + entry("a", "1", "2024-01-01T00:00:00Z", "u") + ",\n{\"value\":2}\n]");
        Cli.Run r1 = cli.run("merge", "--legacy", noId.toString());
        assertThat(r1.code()).isEqualTo(3);
        assertThat(r1.err()).contains("noid.json:3").contains("entry 1").contains("\"id\"");
        assertThat(r1.out()).isEmpty();

        Path badTime = file("badtime.json", "[" + entry("a", "1", "yesterday", "u") + "]");
        Cli.Run r2 = cli.run("merge", "--legacy", badTime.toString());
        assertThat(r2.code()).isEqualTo(3);
        assertThat(r2.err()).contains("badtime.json:1").contains("id \"a\"").contains("yesterday");

        Path noMeta = file("nometa.json", "[{\"id\":\"a\"}]");
        assertThat(cli.run("merge", "--legacy", noMeta.toString()).err()).contains("_crdt_metadata");
        Path noUnique = file("nounique.json",
                "[{\"id\":\"a\",\"_crdt_metadata\":{\"timestamp\":\"2024-01-01T00:00:00Z\"}}]");
        assertThat(cli.run("merge", "--legacy", noUnique.toString()).code()).isEqualTo(3);
        Path notArray = file("object.json", "{\"id\":\"a\"}");
        assertThat(cli.run("merge", "--legacy", notArray.toString()).code()).isEqualTo(3);
        Path broken = file("broken.json", "[\n{\"id\":");
        Cli.Run r3 = cli.run("merge", "--legacy", broken.toString());
        assertThat(r3.code()).isEqualTo(3);
        assertThat(r3.err()).contains("broken.json:2");
    }

    @Test
    void plainMemoryFilesMergeToTheirUnionIntoAPrivateOutput() throws Exception {
        Cli cli = cli();
        Path a = file("a.jsonl", Cli.entity("Ada", "person", "one") + "\n");
        Path b = file("b.jsonl", Cli.entity("Ada", "mathematician", "two") + "\n" + Cli.entity("Bob", "person") + "\n");
        Path out = tmp.resolve("out.jsonl");
        Cli.Run run = cli.run("merge", a.toString(), b.toString(), "-o", out.toString());
        assertThat(run.code()).as("%s", run).isZero();
        assertThat(Files.readString(out)).isEqualTo(
                Cli.entity("Ada", "mathematician", "one", "two") + "\n" + Cli.entity("Bob", "person") + "\n");
        assertThat(Files.getPosixFilePermissions(out)).containsOnly(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
        Path bad = file("bad.jsonl", "not json\n");
        Cli.Run failed = cli.run("merge", a.toString(), bad.toString());
        assertThat(failed.code()).isEqualTo(3);
        assertThat(failed.err()).contains("bad.jsonl:1");
    }
}
