/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.mcp;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.async.ByteArrayFeeder;
import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stdio server's standard streams, so that the end of stdin ends the server only once every request
 * read before it has been answered. A client that writes its requests and closes its end of the pipe
 * (a script: write, close, read) gets every answer and every write is made, as with the npm server;
 * without this the server saw the end of input while the SDK still held the last lines in its buffer,
 * and closed without carrying them out.
 *
 * <p>It counts JSON-RPC requests (a line whose top-level object has {@code "method"} and {@code "id"})
 * among the lines the SDK reads, and responses (top-level {@code "id"} and {@code "result"} or
 * {@code "error"}, no {@code "method"}) among the lines it writes, flushing each response before it
 * counts. When stdin ends, the input stream first ends a last line that has no newline, then holds back
 * the end of input until the counts meet (or {@code drainBound} passes, for a request that is never
 * answered), then ends. Lines are classified with Jackson's non-blocking parser, fed as the bytes pass,
 * and only until the kind is known: a large message is not buffered or parsed whole. Thread-safe.
 */
final class StdioDrain {
    private static final Logger log = LoggerFactory.getLogger(StdioDrain.class);
    private static final JsonFactory JSON = new JsonFactory();

    private final Object lock = new Object();
    private final CountDownLatch ended = new CountDownLatch(1);
    private final Duration drainBound;
    private long requests; // guarded by lock
    private long answers; // guarded by lock

    StdioDrain(Duration drainBound) {
        this.drainBound = drainBound;
    }

    /** Wraps stdin: the stream to give the SDK. */
    InputStream in(InputStream stdin) {
        return new Input(stdin);
    }

    /** Wraps stdout: the stream to give the SDK. */
    OutputStream out(OutputStream stdout) {
        return new Output(stdout);
    }

    /** Waits until the end of stdin has been passed on, every request read before it answered. */
    void awaitEnd() throws InterruptedException {
        ended.await();
    }

    private void requested() {
        synchronized (lock) {
            requests++;
        }
    }

    private void answered() {
        synchronized (lock) {
            answers++;
            lock.notifyAll();
        }
    }

    /** Blocks until every request counted has its answer, or the bound passes; true if they all did. */
    private boolean drain() throws InterruptedException {
        long deadline = System.nanoTime() + drainBound.toNanos();
        synchronized (lock) {
            while (answers < requests) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    log.warn("stdin closed; {} of {} requests unanswered after {} s, ending anyway",
                            requests - answers, requests, drainBound.toSeconds());
                    return false;
                }
                lock.wait(Math.max(1, left / 1_000_000));
            }
            return true;
        }
    }

    /** What a line is, as far as this class cares. */
    enum Kind { REQUEST, RESPONSE, OTHER }

    /**
     * Classifies one line at a time as its bytes pass: a fresh non-blocking parser per line, fed until
     * the top-level fields decide the kind (or the line turns out not to be JSON, or ends).
     */
    static final class LineKinds {
        private @Nullable JsonParser parser;
        private boolean decided;
        private boolean method;
        private boolean id;
        private boolean reply;
        private int depth;
        private boolean pending; // a line has started and not ended

        /**
         * Feeds {@code len} bytes; calls {@code onLine} with each line's kind as its newline passes.
         */
        void feed(byte[] b, int off, int len, java.util.function.Consumer<Kind> onLine) {
            int start = off;
            int end = off + len;
            for (int i = off; i < end; i++) {
                if (b[i] == '\n') {
                    parse(b, start, i);
                    onLine.accept(endLine());
                    start = i + 1;
                }
            }
            parse(b, start, end);
        }

        /** Ends a last line that had no newline: its kind, or null if no line had started. */
        @Nullable Kind finish() {
            return pending ? endLine() : null;
        }

        private void parse(byte[] b, int from, int to) {
            if (to > from) {
                pending = true;
            }
            if (decided || to <= from) {
                return;
            }
            try {
                JsonParser p = parser;
                if (p == null) {
                    p = JSON.createNonBlockingByteArrayParser();
                    parser = p;
                }
                ((ByteArrayFeeder) p.getNonBlockingInputFeeder()).feedInput(b, from, to);
                while (!decided) {
                    JsonToken t = p.nextToken();
                    if (t == null || t == JsonToken.NOT_AVAILABLE) {
                        break;
                    }
                    token(t, p);
                }
            } catch (IOException | RuntimeException e) { // not JSON: never a request or a response
                decided = true;
                method = false;
                id = false;
                reply = false;
            }
        }

        private void token(JsonToken t, JsonParser p) throws IOException {
            if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                depth++;
                if (depth == 1 && t == JsonToken.START_ARRAY) { // a batch: not used by MCP since 2025-06-18
                    decided = true;
                }
            } else if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
                depth--;
                if (depth == 0) {
                    decided = true;
                }
            } else if (t == JsonToken.FIELD_NAME && depth == 1) {
                switch (p.currentName()) {
                    case "method" -> method = true;
                    case "id" -> id = true;
                    case "result", "error" -> reply = true;
                    default -> { }
                }
                decided = (method && id) || reply;
            }
        }

        private Kind endLine() {
            Kind k = method && id ? Kind.REQUEST : id && reply && !method ? Kind.RESPONSE : Kind.OTHER;
            JsonParser p = parser;
            if (p != null) {
                try {
                    p.close();
                } catch (IOException e) {
                    // nothing to release: the parser reads from arrays
                }
            }
            parser = null;
            decided = false;
            method = false;
            id = false;
            reply = false;
            depth = 0;
            pending = false;
            return k;
        }
    }

    /** stdin as the SDK reads it: requests counted, the end held back until they are answered. */
    private final class Input extends FilterInputStream {
        private final LineKinds kinds = new LineKinds();
        private boolean atEnd;

        Input(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (!atEnd) {
                int n = super.read(b, off, len);
                if (n > 0) {
                    kinds.feed(b, off, n, this::counted);
                    return n;
                }
                atEnd = true;
                Kind last = kinds.finish();
                if (last != null) { // the SDK reads a last unterminated line at the end: end it here
                    counted(last);
                    b[off] = '\n';
                    return 1;
                }
            }
            try {
                drain();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ended.countDown();
            return -1;
        }

        private void counted(Kind k) {
            if (k == Kind.REQUEST) {
                requested();
            }
        }
    }

    /** stdout as the SDK writes it: each response flushed, then counted. */
    private final class Output extends FilterOutputStream {
        private final LineKinds kinds = new LineKinds();

        Output(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            int start = off;
            int end = off + len;
            for (int i = off; i < end; i++) {
                if (b[i] == '\n') { // the line up to here, written and flushed before it counts
                    out.write(b, start, i + 1 - start);
                    Kind[] kind = {Kind.OTHER};
                    kinds.feed(b, start, i + 1 - start, k -> kind[0] = k);
                    if (kind[0] == Kind.RESPONSE) {
                        out.flush();
                        answered();
                    }
                    start = i + 1;
                }
            }
            if (end > start) {
                out.write(b, start, end - start);
                kinds.feed(b, start, end - start, k -> { });
            }
        }
    }
}
