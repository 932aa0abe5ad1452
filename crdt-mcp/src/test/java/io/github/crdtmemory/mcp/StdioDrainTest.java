/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/** {@link StdioDrain}: what counts as a request or a response, and the end of stdin held back until answered. */
final class StdioDrainTest {
    private static List<StdioDrain.Kind> kinds(String text, int chunk) {
        StdioDrain.LineKinds lines = new StdioDrain.LineKinds();
        List<StdioDrain.Kind> out = new ArrayList<>();
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < b.length; i += chunk) {
            lines.feed(b, i, Math.min(chunk, b.length - i), out::add);
        }
        StdioDrain.Kind last = lines.finish();
        if (last != null) {
            out.add(last);
        }
        return out;
    }

    @Test
    void requestsAndResponsesAreToldApartByTheirTopLevelFieldsWhateverTheChunks() {
        String text = String.join("\n",
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"read_graph\"}}",
                "{\"params\":{\"id\":7,\"method\":\"x\"},\"method\":\"notifications/initialized\",\"jsonrpc\":\"2.0\"}",
                "{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"result\":{\"method\":\"not a request\",\"id\":3}}",
                "{\"jsonrpc\":\"2.0\",\"id\":2,\"error\":{\"code\":-32601,\"message\":\"no\"}}",
                "{\"params\":{\"text\":\"a \\\"quoted\\\" {brace\"},\"method\":\"tools/call\",\"id\":3}",
                "not json at all {\"id\":1,\"method\":\"m\"}",
                "[{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"ping\"}]",
                "",
                "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"ping\"}");
        List<StdioDrain.Kind> expected = List.of(StdioDrain.Kind.REQUEST, StdioDrain.Kind.OTHER,
                StdioDrain.Kind.RESPONSE, StdioDrain.Kind.RESPONSE, StdioDrain.Kind.REQUEST, StdioDrain.Kind.OTHER,
                StdioDrain.Kind.OTHER, StdioDrain.Kind.OTHER, StdioDrain.Kind.REQUEST);
        for (int chunk : new int[] {1, 2, 3, 7, 64, text.length()}) {
            assertThat(kinds(text, chunk)).as("chunks of %d bytes", chunk).isEqualTo(expected);
        }
    }

    @Test
    void theEndOfStdinWaitsForTheAnswersAndALastLineWithoutNewlineIsEnded() throws Exception {
        StdioDrain drain = new StdioDrain(Duration.ofMinutes(1));
        String requests = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}\n"
                + "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n"
                + "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}"; // no newline
        InputStream in = drain.in(new ByteArrayInputStream(requests.getBytes(StandardCharsets.UTF_8)));
        ByteArrayOutputStream written = new ByteArrayOutputStream();
        OutputStream out = drain.out(written);

        byte[] buf = new byte[8192];
        int n = in.read(buf, 0, buf.length);
        assertThat(new String(buf, 0, n, StandardCharsets.UTF_8)).isEqualTo(requests);
        assertThat(in.read(buf, 0, buf.length)).as("the last line ended by a newline").isEqualTo(1);
        assertThat(buf[0]).isEqualTo((byte) '\n');
        CompletableFuture<Integer> end = CompletableFuture.supplyAsync(() -> {
            try {
                return in.read(buf, 0, buf.length);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        out.write("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}\n".getBytes(StandardCharsets.UTF_8));
        out.write("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/resources/updated\"}\n"
                .getBytes(StandardCharsets.UTF_8));
        assertThatEndIsHeldBack(end);
        byte[] second = "{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":{}}\n".getBytes(StandardCharsets.UTF_8);
        out.write(second, 0, 10); // a response written in two pieces counts once it is whole
        assertThatEndIsHeldBack(end);
        out.write(second, 10, second.length - 10);
        assertThat(end.get(30, TimeUnit.SECONDS)).isEqualTo(-1);
        drain.awaitEnd();
        assertThat(written.toString(StandardCharsets.UTF_8)).endsWith("\"id\":2,\"result\":{}}\n");
    }

    @Test
    void aRequestNeverAnsweredEndsStdinOnceTheBoundPasses() throws Exception {
        StdioDrain drain = new StdioDrain(Duration.ofMillis(300));
        InputStream in = drain.in(new ByteArrayInputStream(
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}\n".getBytes(StandardCharsets.UTF_8)));
        in.readAllBytes();
        assertThat(in.read()).isEqualTo(-1);
        drain.awaitEnd();
    }

    private static void assertThatEndIsHeldBack(CompletableFuture<Integer> end) throws Exception {
        try {
            Integer n = end.get(300, TimeUnit.MILLISECONDS);
            throw new AssertionError("stdin ended (" + n + ") with a request unanswered");
        } catch (TimeoutException expected) {
            // still held back
        }
    }
}
