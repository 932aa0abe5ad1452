/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.mcp;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.async.ByteArrayFeeder;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stdio server's standard streams, so that the end of stdin ends the server once every request
 * read before it has been answered, and always ends it. A client that writes its requests and closes
 * its end of the pipe (a script: write, close, read) gets every answer and every write is made, as with
 * the npm server; without this the server saw the end of input while the SDK still held the last lines
 * in its buffer, and closed without carrying them out.
 *
 * <p>A thread of its own reads stdin and hands the bytes to the SDK through a queue, so the end of
 * stdin is seen even when the SDK has stopped reading (SDK 2.1.0 stops at the first line it cannot
 * read: an empty line, a byte-order mark, {@code "id": null}, a batch). The stream the SDK reads counts
 * the JSON-RPC requests in the lines it takes (a top-level {@code "method"} and {@code "id"}); the one
 * it writes counts responses (a top-level {@code "id"} and {@code "result"} or {@code "error"}, no
 * {@code "method"}), each flushed before it counts. Requests other than {@code initialize} wait in the
 * SDK until the client's {@code notifications/initialized}, so they count only once it has passed. When
 * stdin ends, the end is passed on only once the SDK has been handed every byte and the counts meet, or once
 * {@code drainBound} has passed (a request the SDK will never answer). A last line without a newline is
 * not a message (MCP's stdio transport delimits messages by newlines; the npm server ignores it too).
 * Lines end at {@code \n}, {@code \r} or {@code \r\n}, as the SDK reads them, and are classified with
 * Jackson's non-blocking parser as the bytes pass, only until the kind is known. One instance serves
 * one stdin and one stdout, each read or written by one thread at a time (as the SDK does).
 */
final class StdioDrain {
    private static final Logger log = LoggerFactory.getLogger(StdioDrain.class);
    private static final JsonFactory JSON = new JsonFactory();
    private static final int CHUNK = 64 * 1024;
    /** Chunks read ahead of the SDK at most: 64 MiB. */
    private static final int QUEUED = 1024;
    private static final byte[] END = new byte[0];

    private final Object lock = new Object();
    private final CountDownLatch ended = new CountDownLatch(1);
    private final BlockingQueue<byte[]> chunks = new ArrayBlockingQueue<>(QUEUED);
    private final Duration drainBound;
    private long requests; // guarded by lock: requests the SDK has taken and will answer
    private long held; // guarded by lock: taken before notifications/initialized
    private boolean initialized; // guarded by lock
    private long answers; // guarded by lock
    private long unread; // guarded by lock: bytes read from stdin and not yet handed to the SDK

    StdioDrain(Duration drainBound) {
        this.drainBound = drainBound;
    }

    /** Starts reading {@code stdin} on a thread of its own; returns the stream to give the SDK. */
    InputStream in(InputStream stdin) {
        Thread reader = new Thread(() -> pump(stdin), "memory-stdin");
        reader.setDaemon(true);
        reader.start();
        return new Input();
    }

    /** Wraps stdout: the stream to give the SDK. */
    OutputStream out(OutputStream stdout) {
        return new Output(stdout);
    }

    /** Waits until the end of stdin has been passed on, every request taken before it answered. */
    void awaitEnd() throws InterruptedException {
        ended.await();
    }

    private void pump(InputStream stdin) {
        try {
            byte[] buf = new byte[CHUNK];
            for (int n = stdin.read(buf); n >= 0; n = stdin.read(buf)) {
                if (n > 0) {
                    synchronized (lock) {
                        unread += n;
                    }
                    chunks.put(Arrays.copyOf(buf, n));
                }
            }
        } catch (IOException e) {
            log.warn("stdin cannot be read any more: {}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            try {
                drain();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            chunks.clear(); // what the SDK never took: nobody reads it any more
            chunks.offer(END);
            ended.countDown();
        }
    }

    /** Blocks until the SDK has taken every chunk and answered every request, or the bound passes. */
    private void drain() throws InterruptedException {
        long deadline = System.nanoTime() + drainBound.toNanos();
        synchronized (lock) {
            while (unread > 0 || answers < requests) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    log.warn("stdin closed; {} of {} requests unanswered and {} bytes not read after {} s,"
                            + " ending anyway", Math.max(0, requests - answers), requests, unread,
                            drainBound.toSeconds());
                    return;
                }
                lock.wait(Math.max(1, left / 1_000_000));
            }
        }
    }

    private void taken(Kind k) {
        synchronized (lock) {
            switch (k) {
                case INITIALIZE -> requests++;
                case REQUEST -> {
                    if (initialized) {
                        requests++;
                    } else {
                        held++;
                    }
                }
                case INITIALIZED -> {
                    initialized = true;
                    requests += held;
                    held = 0;
                }
                default -> { }
            }
            lock.notifyAll();
        }
    }

    private void answered() {
        synchronized (lock) {
            answers++;
            lock.notifyAll();
        }
    }

    private void handed(int n) {
        synchronized (lock) {
            unread -= n;
            lock.notifyAll();
        }
    }

    /** What a line is, as far as this class cares. */
    enum Kind { INITIALIZE, REQUEST, INITIALIZED, RESPONSE, OTHER }

    /**
     * Classifies one line at a time as its bytes pass: a fresh non-blocking parser per line, fed until
     * the top-level fields decide the kind (or the line turns out not to be JSON, or ends). Lines end
     * at {@code \n}, {@code \r} or {@code \r\n}.
     */
    static final class LineKinds {
        private @Nullable JsonParser parser;
        private boolean decided;
        private boolean method;
        private @Nullable String methodName;
        private boolean methodValueNext;
        private boolean id;
        private boolean reply;
        private int depth;
        private boolean afterCr; // the last byte fed was a \r: a \n right after it ends nothing

        /** Feeds {@code len} bytes; calls {@code onLine} with each line's kind as its end passes. */
        void feed(byte[] b, int off, int len, Consumer<Kind> onLine) {
            int start = off;
            int end = off + len;
            for (int i = off; i < end; i++) {
                byte c = b[i];
                if (c == '\n' && afterCr) {
                    afterCr = false;
                    start = i + 1;
                } else if (c == '\n' || c == '\r') {
                    parse(b, start, i);
                    onLine.accept(endLine());
                    afterCr = c == '\r';
                    start = i + 1;
                } else {
                    afterCr = false;
                }
            }
            parse(b, start, end);
        }

        private void parse(byte[] b, int from, int to) {
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
                methodName = null;
                id = false;
                reply = false;
            }
        }

        private void token(JsonToken t, JsonParser p) throws IOException {
            if (methodValueNext) {
                methodValueNext = false;
                if (t == JsonToken.VALUE_STRING) {
                    methodName = p.getText();
                }
            }
            if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                depth++;
                if (depth == 1 && t == JsonToken.START_ARRAY) { // a batch: not used by MCP since 2025-06-18
                    decided = true;
                }
            } else if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
                depth--;
                decided = depth == 0;
            } else if (t == JsonToken.FIELD_NAME && depth == 1) {
                switch (p.currentName()) {
                    case "method" -> {
                        method = true;
                        methodValueNext = true;
                    }
                    case "id" -> id = true;
                    case "result", "error" -> reply = true;
                    default -> { }
                }
            }
            decided |= (methodName != null && id) || (id && reply && !method);
        }

        private Kind endLine() {
            Kind k;
            if (methodName != null && id) {
                k = methodName.equals("initialize") ? Kind.INITIALIZE : Kind.REQUEST;
            } else if (methodName != null && decided && !id) {
                k = methodName.equals("notifications/initialized") ? Kind.INITIALIZED : Kind.OTHER;
            } else {
                k = id && reply && !method ? Kind.RESPONSE : Kind.OTHER;
            }
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
            methodName = null;
            methodValueNext = false;
            id = false;
            reply = false;
            depth = 0;
            return k;
        }
    }

    /** stdin as the SDK reads it: the pumped chunks, their requests counted as they are taken. */
    private final class Input extends InputStream {
        private final LineKinds kinds = new LineKinds();
        private byte[] chunk = new byte[0];
        private int at;

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
            if (chunk == END) {
                return -1;
            }
            if (at == chunk.length) {
                try {
                    chunk = chunks.take();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException("interrupted while waiting for stdin");
                }
                at = 0;
                if (chunk == END) {
                    chunks.offer(END); // for anyone reading after the end
                    return -1;
                }
            }
            int n = Math.min(len, chunk.length - at);
            System.arraycopy(chunk, at, b, off, n);
            at += n;
            kinds.feed(b, off, n, StdioDrain.this::taken); // counted before the bytes count as handed
            handed(n);
            return n;
        }

        @Override
        public int available() {
            return chunk == END ? 0 : chunk.length - at;
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
