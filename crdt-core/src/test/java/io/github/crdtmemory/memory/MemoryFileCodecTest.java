/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.crdtmemory.core.Clock;
import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.internal.JsonOutput;
import io.github.crdtmemory.testkit.Generators;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class MemoryFileCodecTest {

    private static byte[] fixture(String name) throws IOException {
        try (InputStream in = MemoryFileCodecTest.class.getResourceAsStream("/fixtures/" + name)) {
            assertThat(in).as(name).isNotNull();
            return in.readAllBytes();
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void realServerFileRoundTripsByteForByte() throws IOException {
        byte[] bytes = fixture("server-2026.8.31.jsonl");
        MemoryFile file = MemoryFileCodec.parse(bytes, "server-2026.8.31.jsonl");
        assertThat(file.warnings()).isEmpty();
        assertThat(file.trailingNewline()).isFalse();
        assertThat(file.graph().entities()).hasSize(5);
        assertThat(file.graph().relations()).hasSize(3);
        assertThat(file.graph().entity("Alice").orElseThrow().observations())
                .containsExactly("likes tea", "speaks French");
        assertThat(MemoryFileCodec.write(file.graph(), file.trailingNewline())).isEqualTo(bytes);
        // through the CRDT and back: the view keeps the file's order
        MemoryState state = MemoryState.fromGraph(file.graph(), Clock.manual(ReplicaId.of("a"), 1));
        assertThat(MemoryFileCodec.write(state.view(), false)).isEqualTo(bytes);
    }

    @Test
    void trailingNewlineIsKept() {
        byte[] bytes = utf8("{\"type\":\"entity\",\"name\":\"A\",\"entityType\":\"t\",\"observations\":[]}\n");
        MemoryFile file = MemoryFileCodec.parse(bytes, "m.jsonl");
        assertThat(file.trailingNewline()).isTrue();
        assertThat(MemoryFileCodec.write(file.graph(), true)).isEqualTo(bytes);
    }

    @Test
    void emptyFileIsAnEmptyGraphAndAnEmptyGraphIsAnEmptyFile() {
        assertThat(MemoryFileCodec.parse(new byte[0], "m").graph().isEmpty()).isTrue();
        assertThat(MemoryFileCodec.parse(utf8(" \n\r\n\t"), "m").graph().isEmpty()).isTrue();
        assertThat(MemoryFileCodec.write(MemoryGraph.empty(), true)).isEmpty();
    }

    @Test
    void crlfAndBlankLinesAreRead() {
        String text = "{\"type\":\"entity\",\"name\":\"A\",\"entityType\":\"t\",\"observations\":[\"o\"]}\r\n\r\n"
                + "   \n{\"type\":\"relation\",\"from\":\"A\",\"to\":\"B\",\"relationType\":\"r\"}\r\n";
        MemoryGraph g = MemoryFileCodec.parse(utf8(text), "m").graph();
        assertThat(g.entities()).containsExactly(Entity.of("A", "t", "o"));
        assertThat(g.relations()).containsExactly(new Relation("A", "r", "B"));
    }

    @Test
    void olderArrayAndObjectFormsAreRead() {
        String array = "[{\"type\":\"entity\",\"name\":\"A\",\"entityType\":\"t\",\"observations\":[\"o\"]},\n"
                + " {\"type\":\"relation\",\"from\":\"A\",\"to\":\"B\",\"relationType\":\"r\"}]";
        String object = "{\"entities\":[{\"name\":\"A\",\"entityType\":\"t\",\"observations\":[\"o\"]}],\n"
                + " \"relations\":[{\"from\":\"A\",\"to\":\"B\",\"relationType\":\"r\"}]}";
        MemoryGraph expected = MemoryGraph.of(List.of(Entity.of("A", "t", "o")), List.of(new Relation("A", "r", "B")));
        MemoryFile a = MemoryFileCodec.parse(utf8(array), "memory.json");
        MemoryFile o = MemoryFileCodec.parse(utf8(object), "memory.json");
        assertThat(a.format()).isEqualTo(MemoryFile.Format.JSON_ARRAY);
        assertThat(o.format()).isEqualTo(MemoryFile.Format.JSON_OBJECT);
        assertThat(a.graph()).isEqualTo(expected);
        assertThat(o.graph()).isEqualTo(expected);
    }

    @Test
    void duplicatesAreMergedWithWarnings() {
        String text = String.join("\n",
                "{\"type\":\"entity\",\"name\":\"A\",\"entityType\":\"t\",\"observations\":[\"x\",\"x\"]}",
                "{\"type\":\"entity\",\"name\":\"B\",\"entityType\":\"t\",\"observations\":[]}",
                "{\"type\":\"entity\",\"name\":\"A\",\"entityType\":\"u\",\"observations\":[\"y\",\"x\"]}",
                "{\"type\":\"relation\",\"from\":\"A\",\"to\":\"B\",\"relationType\":\"r\"}",
                "{\"type\":\"relation\",\"from\":\"A\",\"to\":\"B\",\"relationType\":\"r\",\"updatedAt\":1}");
        MemoryFile file = MemoryFileCodec.parse(utf8(text), "m");
        assertThat(file.graph().entities()).containsExactly(Entity.of("A", "t", "x", "y"), Entity.of("B", "t"));
        assertThat(file.graph().relations()).containsExactly(new Relation("A", "r", "B"));
        assertThat(file.warnings()).hasSize(5);
        assertThat(file.warnings()).anySatisfy(w -> assertThat(w).contains("line 3").contains("repeats line 1"));
        assertThat(file.warnings()).anySatisfy(w -> assertThat(w).contains("updatedAt"));
    }

    @Test
    void badInputNamesFileLineColumnAndReason() {
        String ok = "{\"type\":\"entity\",\"name\":\"A\",\"entityType\":\"t\",\"observations\":[]}\n";
        expectError(ok + "{\"type\":\"entity\",\"name\":\"B\"", 2, "malformed JSON");
        expectError(ok + "{\"type\":\"entity\",\"name\":7,\"entityType\":\"t\",\"observations\":[]}", 2,
                "field 'name' must be a string, found a number");
        expectError(ok + "{\"type\":\"entity\",\"name\":\"B\",\"entityType\":\"t\"}", 2,
                "entity is missing field 'observations'");
        expectError(ok + "{\"type\":\"entity\",\"name\":\"B\",\"entityType\":\"t\",\"observations\":[1]}", 2,
                "field 'observations' must hold only strings");
        expectError(ok + "{\"type\":\"relation\",\"from\":\"A\",\"to\":\"B\"}", 2, "missing field 'relationType'");
        expectError(ok + "{\"type\":\"_aim\",\"source\":\"x\"}", 2, "unknown line type '_aim'");
        expectError(ok + "{\"name\":\"B\"}", 2, "missing field 'type'");
        expectError(ok + "[1]", 2, "expected a JSON object");
        expectError(ok.trim() + " " + ok, 1, "more than one JSON value on one line");
        expectError(ok + "{\"type\":\"entity\",\"name\":\"B\",\"name\":\"C\",\"entityType\":\"t\",\"observations\":[]}",
                2, "duplicate field 'name'");
        expectError(ok + "{\"type\":\"entity\",\"name\":\"B\",\"entityType\":\"t\",\"x\":1,\"x\":2,\"observations\":[]}",
                2, "duplicate field 'x'");
        expectError(ok + "{\"type\":\"relation\",\"from\":\"A\",\"to\":\"B\",\"relationType\":\"r\",\"to\":\"C\"}",
                2, "duplicate field 'to'");
        expectError("{\"entities\":[],\"relations\":[],\"entities\":[]}", 1, "duplicate field 'entities'");
    }

    @Test
    void invalidUtf8IsReportedWithItsPosition() {
        byte[] prefix = utf8("{\"type\":\"entity\",\"name\":\"A\",\"entityType\":\"t\",\"observations\":[]}\n{\"type\":\"entity\",\"name\":\"");
        byte[] bytes = new byte[prefix.length + 2];
        System.arraycopy(prefix, 0, bytes, 0, prefix.length);
        bytes[prefix.length] = (byte) 0xc3;
        bytes[prefix.length + 1] = (byte) 0x28;
        assertThatThrownBy(() -> MemoryFileCodec.parse(bytes, "/home/u/memory.jsonl"))
                .isInstanceOfSatisfying(MemoryFormatException.class, e -> {
                    assertThat(e.line()).isEqualTo(2);
                    assertThat(e.column()).isEqualTo(26);
                    assertThat(e.reason()).contains("invalid UTF-8");
                    assertThat(e.getMessage()).startsWith("/home/u/memory.jsonl:2:26: invalid UTF-8");
                });
        // overlong encodings and encoded surrogates are invalid too
        for (byte[] bad : new byte[][] {{(byte) 0xc0, (byte) 0x80}, {(byte) 0xed, (byte) 0xa0, (byte) 0x80},
                {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, {(byte) 0xe2, (byte) 0x82}}) {
            assertThat(Utf8Check.firstInvalid(bad)).isZero();
        }
        assertThat(Utf8Check.firstInvalid(utf8("ok 😀 é \uE000"))).isEqualTo(-1);
    }

    private static void expectError(String text, int line, String reason) {
        ThrowingCallable parse = () -> MemoryFileCodec.parse(utf8(text), "memory.jsonl");
        assertThatThrownBy(parse).as(text)
                .isInstanceOfSatisfying(MemoryFormatException.class, e -> {
                    assertThat(e.source()).isEqualTo("memory.jsonl");
                    assertThat(e.line()).isEqualTo(line);
                    assertThat(e.column()).isPositive();
                    assertThat(e.reason()).contains(reason);
                    assertThat(e.getMessage()).startsWith("memory.jsonl:" + line + ":");
                });
    }

    /** Our writer against JavaScript's own JSON.stringify, on the strings that break writers. */
    @Test
    void writerMatchesJavaScriptJsonStringify(@TempDir Path dir) throws Exception {
        assumeTrue(nodeAvailable(), "node is not installed; the fixture test covers the same escaping");
        List<Entity> entities = new java.util.ArrayList<>();
        int i = 0;
        for (String s : Generators.HARD_STRINGS) {
            entities.add(new Entity("e" + i++ + s, s, s.isEmpty() ? List.of() : List.of(s, s + "\uD800 lone")));
        }
        MemoryGraph g = MemoryGraph.of(entities, List.of(new Relation("a\u0007", "\u007f", "\uDFFF")));
        Path input = dir.resolve("graph.jsonl");
        Files.write(input, MemoryFileCodec.write(g, false));
        // node re-serializes every line with JSON.stringify; identical bytes mean identical escaping
        Path script = dir.resolve("restringify.js");
        Files.writeString(script, "const fs=require('fs');const t=fs.readFileSync(process.argv[2],'utf8');"
                + "fs.writeFileSync(process.argv[3],t.split('\\n').map(l=>JSON.stringify(JSON.parse(l))).join('\\n'));");
        Path output = dir.resolve("out.jsonl");
        Process p = new ProcessBuilder("node", script.toString(), input.toString(), output.toString())
                .redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isZero();
        assertThat(Files.readAllBytes(output)).isEqualTo(Files.readAllBytes(input));
    }

    static boolean nodeAvailable() {
        try {
            Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Test
    void quoteEscapesAsJavaScriptDoes() {
        assertThat(JsonOutput.quote("a\"b\\\n\t\u0001\u007f\ud800é😀"))
                .isEqualTo("\"a\\\"b\\\\\\n\\t\\u0001\u007f\\ud800é😀\"");
    }
}
