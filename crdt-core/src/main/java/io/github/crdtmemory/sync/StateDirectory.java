package io.github.crdtmemory.sync;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.core.Timestamp;
import io.github.crdtmemory.internal.PrivateFiles;
import io.github.crdtmemory.internal.ProcessFileLock;
import io.github.crdtmemory.memory.MemoryFileCodec;
import io.github.crdtmemory.memory.MemoryFormatException;
import io.github.crdtmemory.memory.MemoryGraph;
import io.github.crdtmemory.memory.MemoryState;
import io.github.crdtmemory.memory.StateCodec;
import io.github.crdtmemory.store.CorruptStateException;
import io.github.crdtmemory.store.StoreAccessException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;

/**
 * The sync state directory of one memory file ({@code 0700}):
 * <pre>
 *   sync.lock    the lock file (fcntl lock, see ProcessFileLock); held for a whole sync
 *   checkpoint   own state, base, clock and pending write-back, in one file (0600)
 *   last-success the time and kind of the last cycle that completed: {@code <ISO instant> <mode>\n}
 *   copies/      earlier contents of the memory file, one kept before each write-back (0700, files 0600),
 *                named {@code <yyyyMMdd'T'HHmmss.SSS'Z'>-<first 12 hex of SHA-256>.jsonl}
 * </pre>
 * The checkpoint is one header line, then the sections it announces by length:
 * {@code {"format":"crdt-memory-checkpoint","version":1,"replica":"...","clock":[wall,counter],
 * "state":N,"base":M,"pending":P,"sha256":"..."}\n}, the state in {@link StateCodec} form, the base in
 * the memory file's JSONL form, the pending bytes. The checksum covers the three sections.
 */
final class StateDirectory {
    static final String LOCK_FILE = "sync.lock";
    static final String CHECKPOINT_FILE = "checkpoint";
    static final String LAST_SUCCESS_FILE = "last-success";
    static final String COPIES_DIR = "copies";
    private static final java.time.format.DateTimeFormatter COPY_TIME =
            java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(java.time.ZoneOffset.UTC);
    private static final String FORMAT = "crdt-memory-checkpoint";
    private static final JsonFactory JSON = new JsonFactory();

    private final Path dir;
    private final ReplicaId replica;
    // the last encodings: states and graphs are immutable, one cycle saves the same state up to four
    // times, and a loaded checkpoint comes with the encodings of its state and base
    private MemoryState encodedState;
    private byte[] encodedStateBytes;
    private MemoryGraph encodedBase;
    private byte[] encodedBaseBytes;

    StateDirectory(Path dir, ReplicaId replica) {
        this.dir = dir.toAbsolutePath().normalize();
        this.replica = replica;
    }

    Path path() {
        return dir;
    }

    /** Creates the directory if needed and takes its lock. */
    ProcessFileLock lock(Duration timeout) {
        try {
            PrivateFiles.createDirectories(dir);
            return ProcessFileLock.acquire(dir.resolve(LOCK_FILE), timeout);
        } catch (IOException e) {
            throw new StoreAccessException(dir.toString(), replica, "cannot lock the sync state directory: " + e, e);
        }
    }

    /** Reads the checkpoint, or empty on a first run. */
    Optional<Checkpoint> load() {
        Path file = dir.resolve(CHECKPOINT_FILE);
        byte[] bytes;
        try {
            Optional<byte[]> read = PrivateFiles.readIfExists(file);
            if (read.isEmpty()) {
                return Optional.empty();
            }
            bytes = read.get();
        } catch (IOException e) {
            throw new StoreAccessException(dir.toString(), replica, "cannot read " + file + ": " + e, e);
        }
        return Optional.of(decode(file, bytes));
    }

    /**
     * Keeps {@code content} (the memory file before a write-back) as a copy, then deletes the oldest
     * copies beyond {@code keep}. Content equal to the newest copy is not kept twice.
     *
     * @return the copy's path
     */
    Path keepCopy(byte[] content, Instant at, int keep) {
        Path copies = dir.resolve(COPIES_DIR);
        String sha = PrivateFiles.sha256(content).substring(0, 12);
        try {
            PrivateFiles.createDirectories(copies);
            java.util.List<Path> existing = copies(copies);
            if (!existing.isEmpty() && existing.get(existing.size() - 1).getFileName().toString()
                    .endsWith("-" + sha + ".jsonl")) {
                return existing.get(existing.size() - 1);
            }
            Path copy = copies.resolve(COPY_TIME.format(at) + "-" + sha + ".jsonl");
            PrivateFiles.replace(copy, content);
            existing = copies(copies);
            for (int i = 0; i < existing.size() - keep; i++) {
                java.nio.file.Files.deleteIfExists(existing.get(i));
            }
            return copy;
        } catch (IOException e) {
            throw new StoreAccessException(dir.toString(), replica, "cannot keep a copy of the memory file in "
                    + copies + ": " + e, e);
        }
    }

    /** The kept copies, oldest first (their names sort by time). */
    static java.util.List<Path> copies(Path copies) throws IOException {
        if (!java.nio.file.Files.isDirectory(copies)) {
            return java.util.List.of();
        }
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(copies)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".jsonl")).sorted().toList();
        }
    }

    /** Records that a cycle of this kind completed at this time (atomically, 0600). */
    void recordSuccess(Instant at, String mode) {
        Path file = dir.resolve(LAST_SUCCESS_FILE);
        try {
            PrivateFiles.replace(file, (at + " " + mode + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new StoreAccessException(dir.toString(), replica, "cannot write " + file + ": " + e, e);
        }
    }

    /** When the last cycle completed, if one did and the record is readable. */
    Optional<Instant> lastSuccess() {
        try {
            return PrivateFiles.readIfExists(dir.resolve(LAST_SUCCESS_FILE))
                    .map(b -> new String(b, StandardCharsets.UTF_8).strip().split(" ", 2)[0])
                    .map(Instant::parse);
        } catch (IOException | java.time.format.DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /**
     * The canonical encoding of {@code state}, reused while an equal state is saved again (comparing is
     * far cheaper than encoding; equal states have equal encodings).
     */
    synchronized byte[] encode(MemoryState state) {
        if (state != encodedState && !state.equals(encodedState)) {
            encodedStateBytes = StateCodec.encode(state);
            encodedState = state;
        }
        return encodedStateBytes;
    }

    private synchronized byte[] encodeBase(MemoryGraph base) {
        if (base != encodedBase && !base.equals(encodedBase)) {
            encodedBaseBytes = MemoryFileCodec.write(base, true);
            encodedBase = base;
        }
        return encodedBaseBytes;
    }

    /** Whether the checkpoint file holds exactly the bytes whose SHA-256 {@link #save} returned. */
    boolean holds(String fileSha256) {
        Path file = dir.resolve(CHECKPOINT_FILE);
        try {
            return PrivateFiles.readIfExists(file).map(PrivateFiles::sha256).map(fileSha256::equals).orElse(false);
        } catch (IOException e) {
            throw new StoreAccessException(dir.toString(), replica, "cannot read " + file + ": " + e, e);
        }
    }

    /** Replaces the checkpoint atomically and durably; returns the SHA-256 of the whole file written. */
    String save(Checkpoint c) {
        byte[] state = encode(c.state());
        byte[] base = encodeBase(c.base());
        byte[] pending = c.pendingBytes().orElse(new byte[0]);
        String sha = PrivateFiles.sha256(concat(state, base, pending));
        ByteArrayOutputStream out = new ByteArrayOutputStream(state.length + base.length + pending.length + 256);
        try (JsonGenerator g = JSON.createGenerator(out, JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeStringField("format", FORMAT);
            g.writeNumberField("version", 1);
            g.writeStringField("replica", replica.value());
            g.writeArrayFieldStart("clock");
            g.writeNumber(c.clock().wallMillis());
            g.writeNumber(c.clock().counter());
            g.writeEndArray();
            g.writeNumberField("state", state.length);
            g.writeNumberField("base", base.length);
            g.writeNumberField("pending", c.pending() == null ? -1 : pending.length);
            g.writeStringField("sha256", sha);
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory cannot fail", e);
        }
        out.write('\n');
        out.writeBytes(state);
        out.writeBytes(base);
        out.writeBytes(pending);
        Path file = dir.resolve(CHECKPOINT_FILE);
        byte[] bytes = out.toByteArray();
        try {
            PrivateFiles.replace(file, bytes);
        } catch (IOException e) {
            throw new StoreAccessException(dir.toString(), replica, "cannot write " + file + ": " + e, e);
        }
        return PrivateFiles.sha256(bytes);
    }

    private Checkpoint decode(Path file, byte[] bytes) {
        int nl = 0;
        while (nl < bytes.length && bytes[nl] != '\n') {
            nl++;
        }
        if (nl == bytes.length) {
            throw corrupt(file, "no header line", null);
        }
        Header h = header(file, bytes, nl);
        if (!FORMAT.equals(h.format) || h.version != 1) {
            throw corrupt(file, "not a version 1 checkpoint (format " + h.format + ", version " + h.version + ")", null);
        }
        if (!replica.value().equals(h.owner)) {
            throw new StoreAccessException(dir.toString(), replica, "this sync state directory belongs to replica "
                    + h.owner + ", not " + replica + "; use one state directory per replica and memory file", null);
        }
        if (h.wall < 0 || h.counter < 0 || h.counter > Integer.MAX_VALUE || h.stateLen < 0 || h.baseLen < 0
                || h.pendingLen < -1 || h.sha == null) {
            throw corrupt(file, "header misses a field or holds a negative one", null);
        }
        long total = nl + 1 + h.stateLen + h.baseLen + Math.max(0, h.pendingLen);
        if (total != bytes.length) {
            throw corrupt(file, "length " + bytes.length + " does not match the header's " + total, null);
        }
        int at = nl + 1;
        byte[] state = Arrays.copyOfRange(bytes, at, at + (int) h.stateLen);
        at += (int) h.stateLen;
        byte[] base = Arrays.copyOfRange(bytes, at, at + (int) h.baseLen);
        at += (int) h.baseLen;
        byte[] pending = h.pendingLen < 0 ? null : Arrays.copyOfRange(bytes, at, at + (int) h.pendingLen);
        String actual = PrivateFiles.sha256(concat(state, base, pending == null ? new byte[0] : pending));
        if (!actual.equals(h.sha)) {
            throw corrupt(file, "checksum mismatch: header says " + h.sha + ", content has " + actual, null);
        }
        try {
            MemoryState s = StateCodec.decode(state, file + " (state section)");
            MemoryGraph b = MemoryFileCodec.parse(base, file + " (base section)").graph();
            remember(s, state, b, base);
            return new Checkpoint(new Timestamp(h.wall, (int) h.counter), s, b, pending);
        } catch (MemoryFormatException e) {
            throw corrupt(file, e.getMessage(), e);
        }
    }

    /** The checkpoint's header fields as read; missing ones keep their "absent" values. */
    private static final class Header {
        String format;
        String owner;
        String sha;
        long wall = -1;
        long counter = -1;
        long stateLen = -1;
        long baseLen = -1;
        long pendingLen = -2;
        long version = -1;
    }

    /** Parses the header line {@code bytes[0, nl)}. */
    private Header header(Path file, byte[] bytes, int nl) {
        Header h = new Header();
        try (JsonParser p = JSON.createParser(bytes, 0, nl)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw corrupt(file, "header is not a JSON object", null);
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                switch (name) {
                    case "format" -> h.format = p.getValueAsString();
                    case "version" -> h.version = p.getValueAsLong(-1);
                    case "replica" -> h.owner = p.getValueAsString();
                    case "clock" -> {
                        if (t != JsonToken.START_ARRAY || p.nextToken() != JsonToken.VALUE_NUMBER_INT) {
                            throw corrupt(file, "clock is not [wall, counter]", null);
                        }
                        h.wall = p.getLongValue();
                        if (p.nextToken() != JsonToken.VALUE_NUMBER_INT) {
                            throw corrupt(file, "clock is not [wall, counter]", null);
                        }
                        h.counter = p.getLongValue();
                        if (p.nextToken() != JsonToken.END_ARRAY) {
                            throw corrupt(file, "clock is not [wall, counter]", null);
                        }
                    }
                    case "state" -> h.stateLen = p.getValueAsLong(-1);
                    case "base" -> h.baseLen = p.getValueAsLong(-1);
                    case "pending" -> h.pendingLen = p.getValueAsLong(-2);
                    case "sha256" -> h.sha = p.getValueAsString();
                    default -> p.skipChildren();
                }
            }
        } catch (IOException e) {
            throw corrupt(file, "malformed header: " + e.getMessage(), e);
        }
        return h;
    }

    /**
     * Remembers the sections of a loaded checkpoint as the encodings of what they decode to: only
     * {@link #save} writes checkpoints, always canonically, and the SHA-256 just checked shows the bytes
     * are as it wrote them.
     */
    private synchronized void remember(MemoryState state, byte[] stateBytes, MemoryGraph base, byte[] baseBytes) {
        encodedState = state;
        encodedStateBytes = stateBytes;
        encodedBase = base;
        encodedBaseBytes = baseBytes;
    }

    private CorruptStateException corrupt(Path file, String reason, Throwable cause) {
        return new CorruptStateException(dir.toString(), replica, file + ": " + reason, cause);
    }

    private static byte[] concat(byte[] a, byte[] b, byte[] c) {
        byte[] out = Arrays.copyOf(a, a.length + b.length + c.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        System.arraycopy(c, 0, out, a.length + b.length, c.length);
        return out;
    }
}
