/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.sync;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.github.crdtmemory.core.LwwMap;
import io.github.crdtmemory.core.Register;
import io.github.crdtmemory.core.Timestamp;
import io.github.crdtmemory.internal.PrivateFiles;
import io.github.crdtmemory.memory.AtomKey;
import io.github.crdtmemory.memory.MemoryFile;
import io.github.crdtmemory.memory.MemoryFileCodec;
import io.github.crdtmemory.memory.MemoryFormatException;
import io.github.crdtmemory.memory.MemoryGraph;
import io.github.crdtmemory.memory.MemoryState;
import io.github.crdtmemory.memory.StateCodec;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The bytes of a checkpoint, without files (see {@link StateDirectory} for the layout): the snapshot
 * (version 2; version 1 is still read), the journal's header and its records, and the replay of a
 * journal onto a snapshot. Stateless; every decoding verifies a SHA-256 and throws {@link Malformed}
 * on anything that does not check out.
 *
 * <p>A journal record changes the previous checkpoint into the next: the state joins the record's
 * atoms (states only grow), the clock is the record's, the base is the previous one ({@code same}),
 * the view of the state after the record ({@code view}) or the view of the previous checkpoint's
 * pending write-back ({@code pending}: it landed); the pending write-back is none or the view of the
 * state after the record, identified by the length and CRC-32C of its bytes. A change that none of
 * these express (a base from another writer's file) is written as a snapshot instead.
 */
final class CheckpointCodec {
    static final String SNAPSHOT_FORMAT = "crdt-memory-checkpoint";
    static final String JOURNAL_FORMAT = "crdt-memory-journal";
    static final int SNAPSHOT_VERSION = 2;
    static final int JOURNAL_VERSION = 1;
    private static final JsonFactory JSON = new JsonFactory();
    private static final byte[] RECORD_START = "{\"length\":".getBytes(StandardCharsets.US_ASCII);

    private CheckpointCodec() {
    }

    /** A checkpoint file or journal that does not check out; the message says why. */
    static final class Malformed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Malformed(@Nullable String message, @Nullable Throwable cause) {
            super(message, cause);
        }
    }

    /** What a record does to the base. */
    enum BaseChange {
        SAME, VIEW, PENDING
    }

    /**
     * A decoded snapshot.
     *
     * @param checkpoint what it holds
     * @param owner the replica named in its header
     * @param version 1 or 2
     * @param epoch the random id its journal names (null for version 1, which has no journal)
     * @param stateSha256 the SHA-256 of the state section (the state's canonical encoding)
     * @param size the snapshot's length in bytes
     */
    record Snapshot(Checkpoint checkpoint, String owner, int version, @Nullable String epoch, String stateSha256, long size) {
    }

    /**
     * A replayed journal.
     *
     * @param checkpoint the snapshot's checkpoint changed by every valid record
     * @param validEnd the offset after the last valid record
     * @param records how many records were applied
     * @param tornBytes the bytes after {@code validEnd} (a torn tail, dropped)
     */
    record Replay(Checkpoint checkpoint, int validEnd, int records, int tornBytes) {
    }

    // ---- snapshot -------------------------------------------------------------------------------

    /**
     * A version 2 snapshot ready to be written as a stream: its header line is made (a first pass over
     * the sections, encoded into digests only, gave their lengths and the SHA-256), and
     * {@link #writeTo} encodes the sections again as it writes, so no section is ever held encoded.
     *
     * @param header the header line, with its newline
     * @param checkpoint what it holds
     * @param stateSha256 the SHA-256 of the state section
     * @param length the snapshot's length in bytes
     */
    record SnapshotWriter(byte[] header, Checkpoint checkpoint, String stateSha256, long length)
            implements PrivateFiles.Content {
        @Override
        public void writeTo(OutputStream out) throws IOException {
            out.write(header);
            sections(checkpoint, out, out);
        }
    }

    /** Writes the three sections; the state's bytes go to {@code stateOut}, the others to {@code out}. */
    private static void sections(Checkpoint c, OutputStream stateOut, OutputStream out) throws IOException {
        StateCodec.encode(c.state(), stateOut);
        MemoryFileCodec.write(c.base(), true, out);
        pending(c.pending(), out);
    }

    private static void pending(Checkpoint.@Nullable Pending p, OutputStream out) throws IOException {
        if (p == null) {
            return;
        }
        if (p.bytes() != null) {
            out.write(p.bytes());
        } else {
            MemoryFileCodec.write(p.view(), p.trailingNewline(), out);
        }
    }

    /**
     * The version 2 snapshot of {@code c}: one header line, then the state ({@link StateCodec}), the base
     * (JSONL) and the pending write-back's bytes; the SHA-256 covers the three sections.
     */
    static SnapshotWriter snapshot(String replica, String epoch, Checkpoint c) {
        MessageDigest all = PrivateFiles.sha256Digest();
        MessageDigest stateOnly = PrivateFiles.sha256Digest();
        DigestSink sink = new DigestSink(all);
        long stateLen;
        long baseLen;
        long pendingLen;
        try {
            StateCodec.encode(c.state(), new DigestSink(stateOnly, sink));
            stateLen = sink.count;
            MemoryFileCodec.write(c.base(), true, sink);
            baseLen = sink.count - stateLen;
            pending(c.pending(), sink);
            pendingLen = sink.count - stateLen - baseLen;
        } catch (IOException e) {
            throw new IllegalStateException("digesting cannot fail", e);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        try (JsonGenerator g = JSON.createGenerator(out, JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeStringField("format", SNAPSHOT_FORMAT);
            g.writeNumberField("version", SNAPSHOT_VERSION);
            g.writeStringField("replica", replica);
            g.writeStringField("epoch", epoch);
            g.writeArrayFieldStart("clock");
            g.writeNumber(c.clock().wallMillis());
            g.writeNumber(c.clock().counter());
            g.writeEndArray();
            g.writeNumberField("state", stateLen);
            g.writeNumberField("base", baseLen);
            g.writeNumberField("pending", c.pending() == null ? -1 : pendingLen);
            if (c.pending() != null && c.pending().file() != null) {
                g.writeStringField("pendingFile", c.pending().file());
            }
            g.writeStringField("sha256", HexFormat.of().formatHex(all.digest()));
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory cannot fail", e);
        }
        out.write('\n');
        byte[] header = out.toByteArray();
        return new SnapshotWriter(header, c, HexFormat.of().formatHex(stateOnly.digest()),
                header.length + stateLen + baseLen + pendingLen);
    }

    /**
     * An output stream that only counts and digests what is written to it, and passes it on to
     * {@code next} if given.
     */
    static final class DigestSink extends OutputStream {
        private final MessageDigest digest;
        private final @Nullable OutputStream next;
        long count;

        DigestSink(MessageDigest digest) {
            this(digest, null);
        }

        DigestSink(MessageDigest digest, @Nullable OutputStream next) {
            this.digest = digest;
            this.next = next;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            digest.update(b, off, len);
            count += len;
            if (next != null) {
                next.write(b, off, len);
            }
        }
    }

    /**
     * Reads and decodes a version 1 or 2 snapshot as a stream: one section at a time is held, as bytes,
     * while it is decoded; the SHA-256 is checked over all three before anything is returned (a section
     * that does not decode is reported only when the checksum holds).
     */
    static Snapshot readSnapshot(Path file, String where) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            long size = ch.size();
            InputStream in = new BufferedInputStream(Channels.newInputStream(ch), 1 << 16);
            byte[] line = headerLine(in);
            Fields h = snapshotHeader(line);
            long total = line.length + 1 + h.stateLen + h.baseLen + Math.max(0, h.pendingLen);
            if (total != size) {
                throw new Malformed("length " + size + " does not match the header's " + total, null);
            }
            SectionReader r = new SectionReader(in);
            String[] stateSha = {""};
            MemoryState s = r.section(h.stateLen, "state section", x -> {
                stateSha[0] = PrivateFiles.sha256(x);
                return StateCodec.decode(x, where + " (state section)");
            });
            MemoryGraph b = r.section(h.baseLen, "base section",
                    x -> MemoryFileCodec.parse(x, where + " (base section)").graph());
            Checkpoint.Pending p = h.pendingLen < 0 ? null : r.section(h.pendingLen, "pending write-back", x -> {
                MemoryFile parsed = MemoryFileCodec.parse(x, where + " (pending write-back)");
                return new Checkpoint.Pending(parsed.graph(), parsed.trailingNewline(), x.length,
                        Checkpoint.Pending.crc32c(x), null, h.pendingFile);
            });
            String actual = HexFormat.of().formatHex(r.all.digest());
            if (!actual.equals(h.sha)) {
                throw new Malformed("checksum mismatch: header says " + h.sha + ", content has " + actual, null);
            }
            RuntimeException failure = r.failure;
            if (failure != null) {
                throw new Malformed(failure.getMessage(), failure);
            }
            // without a failure every section was decoded
            Checkpoint cp = new Checkpoint(new Timestamp(h.wall, (int) h.counter),
                    Objects.requireNonNull(s, "the state section"), Objects.requireNonNull(b, "the base section"), p);
            return new Snapshot(cp, Objects.requireNonNull(h.owner, "checked by snapshotHeader"), (int) h.version,
                    h.epoch, stateSha[0], size);
        }
    }

    /** Reads the sections of a snapshot one by one, digesting them; the first decoding failure is kept. */
    private static final class SectionReader {
        final MessageDigest all = PrivateFiles.sha256Digest();
        final InputStream in;
        @Nullable RuntimeException failure; // the first section that did not decode

        SectionReader(InputStream in) {
            this.in = in;
        }

        <T> @Nullable T section(long length, String name, java.util.function.Function<byte[], T> decode) throws IOException {
            if (length > Integer.MAX_VALUE - 16) {
                throw new Malformed("the " + name + " is too large: " + length + " bytes", null);
            }
            byte[] bytes = in.readNBytes((int) length);
            if (bytes.length != length) {
                throw new Malformed("the " + name + " is cut short", null);
            }
            all.update(bytes);
            if (failure != null) {
                return null;
            }
            try {
                return decode.apply(bytes);
            } catch (MemoryFormatException | IllegalArgumentException e) {
                failure = e;
                return null;
            }
        }
    }

    /** The header line of a snapshot, without its newline (at most 1 MiB). */
    private static byte[] headerLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(512);
        for (int c; (c = in.read()) != '\n'; ) {
            if (c < 0 || line.size() > (1 << 20)) {
                throw new Malformed("no header line", null);
            }
            line.write(c);
        }
        return line.toByteArray();
    }

    private static Fields snapshotHeader(byte[] line) {
        Fields h = fields(line, 0, line.length);
        if (!SNAPSHOT_FORMAT.equals(h.format) || (h.version != 1 && h.version != SNAPSHOT_VERSION)) {
            throw new Malformed("not a version 1 or 2 checkpoint (format " + h.format + ", version " + h.version + ")",
                    null);
        }
        if (h.wall < 0 || h.counter < 0 || h.counter > Integer.MAX_VALUE || h.stateLen < 0 || h.baseLen < 0
                || h.pendingLen < -1 || h.sha == null || h.owner == null || (h.version == 2 && h.epoch == null)) {
            throw new Malformed("header misses a field or holds a negative one", null);
        }
        return h;
    }

    // ---- journal --------------------------------------------------------------------------------

    /** The journal's first line: names the snapshot (its epoch) the records apply to. */
    static byte[] journalHeader(String replica, String epoch) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        try (JsonGenerator g = JSON.createGenerator(out, JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeStringField("format", JOURNAL_FORMAT);
            g.writeNumberField("version", JOURNAL_VERSION);
            g.writeStringField("replica", replica);
            g.writeStringField("epoch", epoch);
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory cannot fail", e);
        }
        out.write('\n');
        return out.toByteArray();
    }

    /**
     * The epoch a journal belongs to, or empty when its header line is missing or torn (a crash while
     * it was created: it holds no record).
     *
     * @throws Malformed if the header is complete but not a journal's of this version and replica
     */
    static Optional<String> journalEpoch(byte[] journal, String replica) {
        int nl = lineEnd(journal, 0);
        if (nl < 0) {
            return Optional.empty();
        }
        Fields h = fields(journal, 0, nl);
        if (!JOURNAL_FORMAT.equals(h.format) || h.version != JOURNAL_VERSION || h.epoch == null) {
            throw new Malformed("not a version 1 journal (format " + h.format + ", version " + h.version + ")", null);
        }
        if (!replica.equals(h.owner)) {
            throw new Malformed("the journal belongs to replica " + h.owner + ", not " + replica, null);
        }
        return Optional.of(h.epoch);
    }

    /** Where the first record starts: after the header line. */
    static int recordsStart(byte[] journal) {
        return lineEnd(journal, 0) + 1;
    }

    /**
     * The record that changes {@code previous} (what the files hold) into {@code next}, or empty when
     * no record can express it (the state shrank, the base is neither kept nor a view, the pending
     * write-back is not the next state's view). {@code added}, when given, is what joined into the
     * previous state makes the next one (the caller's guarantee): the record carries it as is.
     */
    static Optional<byte[]> record(Checkpoint previous, Checkpoint next, @Nullable MemoryState added) {
        LwwMap<AtomKey> delta = added != null ? added.atoms() : delta(previous.state().atoms(), next.state().atoms());
        if (delta == null) {
            return Optional.empty();
        }
        BaseChange base;
        if (next.base() == previous.base()) {
            base = BaseChange.SAME;
        } else if (previous.pending() != null && next.base() == previous.pending().view()) {
            base = BaseChange.PENDING;
        } else if (next.base() == next.state().view()) {
            base = BaseChange.VIEW;
        } else if (next.base().equals(previous.base())) {
            base = BaseChange.SAME;
        } else if (previous.pending() != null && next.base().equals(previous.pending().view())) {
            base = BaseChange.PENDING;
        } else {
            return Optional.empty();
        }
        Checkpoint.Pending pending = next.pending();
        if (pending != null && pending.view() != next.state().view() && !pending.view().equals(next.state().view())) {
            return Optional.empty();
        }
        byte[] atoms = StateCodec.encode(MemoryState.of(delta));
        ByteArrayOutputStream payload = new ByteArrayOutputStream(atoms.length + 160);
        try (JsonGenerator g = JSON.createGenerator(payload, JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeArrayFieldStart("clock");
            g.writeNumber(next.clock().wallMillis());
            g.writeNumber(next.clock().counter());
            g.writeEndArray();
            g.writeNumberField("state", atoms.length);
            g.writeStringField("baseChange", base.name().toLowerCase(java.util.Locale.ROOT));
            if (pending != null) {
                g.writeObjectFieldStart("pendingWrite");
                g.writeNumberField("length", pending.length());
                g.writeNumberField("crc32c", Integer.toUnsignedLong(pending.crc32c()));
                g.writeBooleanField("newline", pending.trailingNewline());
                if (pending.file() != null) {
                    g.writeStringField("file", pending.file());
                }
                g.writeEndObject();
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory cannot fail", e);
        }
        payload.write('\n');
        payload.writeBytes(atoms);
        byte[] body = payload.toByteArray();
        byte[] head = ("{\"length\":" + body.length + ",\"sha256\":\"" + PrivateFiles.sha256(body) + "\"}\n")
                .getBytes(StandardCharsets.US_ASCII);
        byte[] out = Arrays.copyOf(head, head.length + body.length);
        System.arraycopy(body, 0, out, head.length, body.length);
        return Optional.of(out);
    }

    /** The registers of {@code next} that {@code previous} lacks, or null if {@code previous} is not below it. */
    private static @Nullable LwwMap<AtomKey> delta(LwwMap<AtomKey> previous, LwwMap<AtomKey> next) {
        if (previous == next) {
            return LwwMap.empty();
        }
        LwwMap.Builder<AtomKey> out = LwwMap.builder();
        LwwMap.Cursor<AtomKey> before = previous.cursor();
        for (LwwMap.Cursor<AtomKey> c = next.cursor(); c.hasEntry(); c.advance()) {
            AtomKey k = c.key();
            Register r = c.register();
            if (before.hasEntry()) {
                AtomKey pk = before.key();
                int cmp = pk == k ? 0 : pk.compareTo(k);
                if (cmp < 0) {
                    return null; // previous holds a key next lacks
                }
                if (cmp == 0) {
                    Register old = before.register();
                    before.advance();
                    if (old == r || old.equals(r)) {
                        continue;
                    }
                    if (r.compareTo(old) < 0) {
                        return null;
                    }
                }
            }
            out.put(k, r);
        }
        return before.hasEntry() ? null : out.build();
    }

    /**
     * Applies the valid records of {@code journal} from offset {@code from} to {@code start}. A record
     * that does not check out (length, SHA-256, content) ends the replay: if a valid record follows it,
     * the journal is refused ({@link Malformed}); if none does, it and everything after it are a torn
     * tail (a crash while appending), reported and dropped. Nothing of a bad record is applied.
     */
    static Replay replay(Checkpoint start, byte[] journal, int from, String where) {
        List<MemoryState> deltas = new ArrayList<>();
        int viewAfter = -1; // the last VIEW or PENDING record: the base is a view of the state there
        boolean viewOfPrevious = false; // PENDING: of the state before that record
        Checkpoint.Pending lastPending = start.pending();
        boolean pendingFromRecord = false;
        Timestamp clock = start.clock();
        int at = from;
        int records = 0;
        while (at < journal.length) {
            JournalRecord r = parse(journal, at, where);
            if (r == null) {
                if (validRecordAfter(journal, at + 1, where)) {
                    throw new Malformed("journal record at offset " + at + " does not check out, and valid records"
                            + " follow it", null);
                }
                break;
            }
            deltas.add(r.delta);
            clock = r.clock;
            switch (r.base) {
                case SAME -> { }
                case VIEW -> {
                    viewAfter = deltas.size();
                    viewOfPrevious = false;
                }
                case PENDING -> {
                    if (lastPending == null) {
                        throw new Malformed("journal record at offset " + at + " takes a pending write-back as the base,"
                                + " but none was pending", null);
                    }
                    viewAfter = deltas.size() - 1;
                    viewOfPrevious = true;
                }
                default -> throw new IllegalStateException();
            }
            lastPending = r.pending;
            pendingFromRecord = true;
            at = r.end;
            records++;
        }
        MemoryState state = start.state();
        MemoryGraph base = start.base();
        if (viewAfter >= 0) {
            if (viewAfter == 0 && viewOfPrevious) {
                base = Objects.requireNonNull(start.pending(),
                        "pending").view(); // the snapshot's own pending write-back landed
            } else {
                state = state.join(MemoryState.joinAll(deltas.subList(0, viewAfter)));
                base = state.view();
            }
        }
        int joined = Math.max(viewAfter, 0);
        state = state.join(MemoryState.joinAll(deltas.subList(joined, deltas.size())));
        Checkpoint.Pending pending = lastPending;
        if (pendingFromRecord && lastPending != null) {
            pending = new Checkpoint.Pending(state.view(), lastPending.trailingNewline(), lastPending.length(),
                    lastPending.crc32c(), null, lastPending.file());
        }
        return new Replay(new Checkpoint(clock, state, base, pending), at, records, journal.length - at);
    }

    private record JournalRecord(Timestamp clock, MemoryState delta, BaseChange base,
                                 Checkpoint.@Nullable Pending pending,
                          int end) {
    }

    /** The record at {@code at}, or null if it does not check out. */
    private static @Nullable JournalRecord parse(byte[] journal, int at, String where) {
        int nl = lineEnd(journal, at);
        if (nl < 0 || !startsWith(journal, at, RECORD_START)) {
            return null;
        }
        Fields f;
        try {
            f = fields(journal, at, nl);
        } catch (Malformed e) {
            return null;
        }
        if (f.length < 0 || f.sha == null || nl + 1 + f.length > journal.length) {
            return null;
        }
        byte[] body = Arrays.copyOfRange(journal, nl + 1, nl + 1 + (int) f.length);
        if (!PrivateFiles.sha256(body).equals(f.sha)) {
            return null;
        }
        int bodyNl = lineEnd(body, 0);
        if (bodyNl < 0) {
            throw new Malformed("journal record at offset " + at + " has no header line", null);
        }
        Fields b = fields(body, 0, bodyNl);
        if (b.wall < 0 || b.counter < 0 || b.counter > Integer.MAX_VALUE || b.stateLen != body.length - bodyNl - 1
                || b.baseChange == null) {
            throw new Malformed("journal record at offset " + at + " misses a field or holds a bad one", null);
        }
        BaseChange base;
        try {
            base = BaseChange.valueOf(b.baseChange.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new Malformed("journal record at offset " + at + " has an unknown base change " + b.baseChange, e);
        }
        MemoryState delta;
        try {
            delta = StateCodec.decode(Arrays.copyOfRange(body, bodyNl + 1, body.length), where + " (record at offset "
                    + at + ")");
        } catch (MemoryFormatException e) {
            throw new Malformed(e.getMessage(), e);
        }
        Checkpoint.Pending pending = b.pendingLength < 0 ? null
                : new Checkpoint.Pending(MemoryGraph.empty(), b.pendingNewline, (int) b.pendingLength,
                        (int) b.pendingCrc, null, b.pendingFile); // the view is the state's after replay
        return new JournalRecord(new Timestamp(b.wall, (int) b.counter), delta, base, pending, nl + 1 + (int) f.length);
    }

    /** Whether a record that checks out starts somewhere after {@code from} (at a line start). */
    private static boolean validRecordAfter(byte[] journal, int from, String where) {
        for (int p = from; p < journal.length; p++) {
            if (journal[p - 1] == '\n' && startsWith(journal, p, RECORD_START)) {
                try {
                    if (parse(journal, p, where) != null) {
                        return true;
                    }
                } catch (Malformed e) {
                    return true; // it checked out (SHA-256) but holds nonsense: still not a torn tail
                }
            }
        }
        return false;
    }

    // ---- shared ---------------------------------------------------------------------------------

    /** Header and record fields; absent ones keep their "absent" values. */
    private static final class Fields {
        @Nullable String format;
        @Nullable String owner;
        @Nullable String epoch;
        @Nullable String sha;
        @Nullable String baseChange;
        long version = -1;
        long wall = -1;
        long counter = -1;
        long stateLen = -1;
        long baseLen = -1;
        long pendingLen = -2;
        long length = -1;
        long pendingLength = -1;
        long pendingCrc = -1;
        boolean pendingNewline;
        @Nullable String pendingFile;
    }

    /** Parses the JSON object on {@code bytes[from, nl)}. */
    private static Fields fields(byte[] bytes, int from, int nl) {
        Fields h = new Fields();
        try (JsonParser p = JSON.createParser(bytes, from, nl - from)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new Malformed("header is not a JSON object", null);
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                switch (name) {
                    case "format" -> h.format = p.getValueAsString();
                    case "version" -> h.version = p.getValueAsLong(-1);
                    case "replica" -> h.owner = p.getValueAsString();
                    case "epoch" -> h.epoch = p.getValueAsString();
                    case "clock" -> clock(p, t, h);
                    case "state" -> h.stateLen = p.getValueAsLong(-1);
                    case "base" -> h.baseLen = p.getValueAsLong(-1);
                    case "pending" -> h.pendingLen = p.getValueAsLong(-2);
                    case "pendingFile" -> h.pendingFile = p.getValueAsString();
                    case "sha256" -> h.sha = p.getValueAsString();
                    case "length" -> h.length = p.getValueAsLong(-1);
                    case "baseChange" -> h.baseChange = p.getValueAsString();
                    case "pendingWrite" -> pendingWrite(p, t, h);
                    default -> p.skipChildren();
                }
            }
        } catch (IOException e) {
            throw new Malformed("malformed header: " + e.getMessage(), e);
        }
        return h;
    }

    private static void clock(JsonParser p, JsonToken t, Fields h) throws IOException {
        if (t != JsonToken.START_ARRAY || p.nextToken() != JsonToken.VALUE_NUMBER_INT) {
            throw new Malformed("clock is not [wall, counter]", null);
        }
        h.wall = p.getLongValue();
        if (p.nextToken() != JsonToken.VALUE_NUMBER_INT) {
            throw new Malformed("clock is not [wall, counter]", null);
        }
        h.counter = p.getLongValue();
        if (p.nextToken() != JsonToken.END_ARRAY) {
            throw new Malformed("clock is not [wall, counter]", null);
        }
    }

    private static void pendingWrite(JsonParser p, JsonToken t, Fields h) throws IOException {
        if (t != JsonToken.START_OBJECT) {
            throw new Malformed("pendingWrite is not an object", null);
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            p.nextToken();
            switch (name) {
                case "length" -> h.pendingLength = p.getValueAsLong(-1);
                case "crc32c" -> h.pendingCrc = p.getValueAsLong(-1);
                case "newline" -> h.pendingNewline = p.getValueAsBoolean();
                case "file" -> h.pendingFile = p.getValueAsString();
                default -> p.skipChildren();
            }
        }
        if (h.pendingLength < 0 || h.pendingCrc < 0 || h.pendingCrc > 0xFFFF_FFFFL) {
            throw new Malformed("pendingWrite misses its length or CRC-32C", null);
        }
    }

    private static int lineEnd(byte[] bytes, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private static boolean startsWith(byte[] bytes, int at, byte[] prefix) {
        return at + prefix.length <= bytes.length
                && Arrays.equals(bytes, at, at + prefix.length, prefix, 0, prefix.length);
    }
}
