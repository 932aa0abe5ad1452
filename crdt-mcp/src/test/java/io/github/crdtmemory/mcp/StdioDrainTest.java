/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * {@link StdioDrain}: what counts as a request or a response, the end of stdin held back until the
 * SDK has every byte and every request its answer, and never held back for ever.
 */
final class StdioDrainTest {
    private static final String INITIALIZE = "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{}}";
    private static final String INITIALIZED = "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}";

    private static String ping(int id) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"ping\"}";
    }

    private static byte[] answer(int id) {
        return ("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":{}}\n").getBytes(StandardCharsets.UTF_8);
    }

    private static List<StdioDrain.Kind> kinds(String text, int chunk) {
        StdioDrain.LineKinds lines = new StdioDrain.LineKinds();
        List<StdioDrain.Kind> out = new ArrayList<>();
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < b.length; i += chunk) {
            lines.feed(b, i, Math.min(chunk, b.length - i), out::add);
        }
        return out;
    }

    @Test
    void requestsAndResponsesAreToldApartByTheirTopLevelFieldsWhateverTheChunksAndLineEnds() {
        String text = INITIALIZE + "\n"
                + INITIALIZED + "\r\n"
                + "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"read_graph\"}}\r"
                + "{\"params\":{\"id\":7,\"method\":\"x\"},\"method\":\"notifications/progress\",\"jsonrpc\":\"2.0\"}\n"
                + "{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"result\":{\"method\":\"not a request\",\"id\":3}}\n"
                + "{\"error\":{\"code\":-32601,\"message\":\"no\"},\"id\":2,\"jsonrpc\":\"2.0\"}\n"
                + "{\"jsonrpc\":\"2.0\",\"result\":{},\"id\":5}\n"
                + "{\"params\":{\"text\":\"a \\\"quoted\\\" {brace\"},\"method\":\"tools/call\",\"id\":3}\n"
                + "not json at all {\"id\":1,\"method\":\"m\"}\n"
                + "[" + ping(9) + "]\n"
                + "\n"
                + "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\",\"id\":4}\n"
                + ping(4) + "\n"
                + ping(5); // no line end: not a message
        List<StdioDrain.Kind> expected = List.of(StdioDrain.Kind.INITIALIZE, StdioDrain.Kind.INITIALIZED,
                StdioDrain.Kind.REQUEST, StdioDrain.Kind.OTHER, StdioDrain.Kind.RESPONSE, StdioDrain.Kind.RESPONSE,
                StdioDrain.Kind.RESPONSE, StdioDrain.Kind.REQUEST, StdioDrain.Kind.OTHER, StdioDrain.Kind.OTHER,
                StdioDrain.Kind.OTHER, StdioDrain.Kind.REQUEST, StdioDrain.Kind.REQUEST);
        for (int chunk : new int[] {1, 2, 3, 7, 64, text.length()}) {
            assertThat(kinds(text, chunk)).as("chunks of %d bytes", chunk).isEqualTo(expected);
        }
    }

    /** The SDK's side: reads everything there is now, without waiting for the end. */
    private static String readAvailable(InputStream in, int bytes) throws IOException {
        byte[] b = new byte[bytes];
        int n = 0;
        while (n < bytes) {
            n += in.read(b, n, bytes - n);
        }
        return new String(b, StandardCharsets.UTF_8);
    }

    private static CompletableFuture<Integer> endOf(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return in.read(new byte[16], 0, 16);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    @Test
    void theEndOfStdinWaitsForEveryAnswerOnceTheClientIsInitialized() throws Exception {
        StdioDrain drain = new StdioDrain(Duration.ofMinutes(1));
        String requests = INITIALIZE + "\n" + ping(1) + "\n" + INITIALIZED + "\n" + ping(2) + "\n" + ping(3);
        InputStream in = drain.in(new ByteArrayInputStream(requests.getBytes(StandardCharsets.UTF_8)));
        ByteArrayOutputStream written = new ByteArrayOutputStream();
        OutputStream out = drain.out(written);

        assertThat(readAvailable(in, requests.length())).isEqualTo(requests);
        CompletableFuture<Integer> end = endOf(in);
        out.write(answer(0));
        out.write(answer(1));
        out.write("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/resources/updated\"}\n".getBytes(StandardCharsets.UTF_8));
        assertThatEndIsHeldBack(end);
        byte[] last = answer(2);
        out.write(last, 0, 10); // a response written in two pieces counts once it is whole
        assertThatEndIsHeldBack(end);
        out.write(last, 10, last.length - 10);
        assertThat(end.get(30, TimeUnit.SECONDS)).as("ping 3 has no line end: not waited for").isEqualTo(-1);
        drain.awaitEnd();
        assertThat(written.toString(StandardCharsets.UTF_8)).endsWith("\"id\":2,\"result\":{}}\n");
    }

    @Test
    void requestsOfAClientThatNeverSaidInitializedAreNotWaitedFor() throws Exception {
        StdioDrain drain = new StdioDrain(Duration.ofMinutes(1));
        String requests = INITIALIZE + "\n" + ping(1) + "\n";
        InputStream in = drain.in(new ByteArrayInputStream(requests.getBytes(StandardCharsets.UTF_8)));
        OutputStream out = drain.out(new ByteArrayOutputStream());
        readAvailable(in, requests.length());
        CompletableFuture<Integer> end = endOf(in);
        assertThatEndIsHeldBack(end);
        out.write(answer(0)); // the SDK holds ping 1 until notifications/initialized, which never comes
        assertThat(end.get(30, TimeUnit.SECONDS)).isEqualTo(-1);
    }

    @Test
    void stdinEndsOnceTheBoundPassesWhenTheSdkStopsReadingOrNeverAnswers() throws Exception {
        StdioDrain stopped = new StdioDrain(Duration.ofMillis(500));
        String requests = INITIALIZE + "\n" + "x".repeat(200) + "\n";
        InputStream in = stopped.in(new ByteArrayInputStream(requests.getBytes(StandardCharsets.UTF_8)));
        stopped.out(new ByteArrayOutputStream());
        long start = System.nanoTime();
        assertThat(in.read(new byte[10], 0, 10)).isEqualTo(10); // and never reads again, as after a bad line
        stopped.awaitEnd();
        assertThat(System.nanoTime() - start).as("held for the bound").isGreaterThanOrEqualTo(500_000_000L);

        StdioDrain unanswered = new StdioDrain(Duration.ofMillis(500));
        InputStream in2 = unanswered.in(new ByteArrayInputStream((INITIALIZE + "\n").getBytes(StandardCharsets.UTF_8)));
        unanswered.out(new ByteArrayOutputStream());
        start = System.nanoTime();
        assertThat(in2.readAllBytes()).hasSize(INITIALIZE.length() + 1);
        assertThat(System.nanoTime() - start).as("held for the bound").isGreaterThanOrEqualTo(500_000_000L);
        unanswered.awaitEnd();
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
