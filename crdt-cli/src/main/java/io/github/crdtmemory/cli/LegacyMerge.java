/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.cli;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.crdtmemory.internal.PrivateFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Merges the JSON arrays written by the earlier Python tool: entries carry an {@code id} and a
 * {@code _crdt_metadata} object ({@code host}, {@code timestamp}, {@code version}, {@code unique_id}).
 * Entries are grouped by {@code id}; in each group the later timestamp instant wins (ISO-8601 with
 * {@code Z} or an offset; a time without one counts as UTC), then the larger {@code unique_id}, then the
 * larger SHA-256 of the entry's RFC 8785 canonical JSON. The result is sorted by {@code id} and
 * deterministic: the same inputs in any order give the same bytes. An entry without an {@code id} or with
 * unparseable metadata is an error naming file, line and entry; nothing is guessed or dropped.
 */
final class LegacyMerge {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private record Entry(String idKey, String idText, JsonNode node, Instant time, String uniqueId, String sha256) {
    }

    private static final Comparator<Entry> WINNER = Comparator.comparing(Entry::time)
            .thenComparing(Entry::uniqueId)
            .thenComparing(Entry::sha256);

    private LegacyMerge() {
    }

    /** Merges the files (name, bytes) and returns the output: a JSON array, one canonical entry per line. */
    static byte[] merge(Map<String, byte[]> files) {
        Map<String, Entry> winners = new LinkedHashMap<>();
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            for (Entry e : parse(f.getKey(), f.getValue())) {
                winners.merge(e.idKey(), e, (a, b) -> WINNER.compare(a, b) >= 0 ? a : b);
            }
        }
        List<Entry> sorted = new ArrayList<>(winners.values());
        sorted.sort(Comparator.comparing(Entry::idText).thenComparing(Entry::idKey));
        StringBuilder out = new StringBuilder("[");
        for (int i = 0; i < sorted.size(); i++) {
            out.append(i == 0 ? "\n" : ",\n").append(CanonicalJson.text(sorted.get(i).node()));
        }
        out.append(sorted.isEmpty() ? "]\n" : "\n]\n");
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static List<Entry> parse(String file, byte[] bytes) {
        List<Entry> entries = new ArrayList<>();
        try (JsonParser p = MAPPER.createParser(bytes)) {
            if (p.nextToken() != JsonToken.START_ARRAY) {
                throw bad(file, p.currentLocation().getLineNr(), "a legacy file is a JSON array of entries");
            }
            int index = 0;
            while (p.nextToken() != JsonToken.END_ARRAY) {
                int line = p.currentLocation().getLineNr();
                JsonNode node = MAPPER.readTree(p);
                entries.add(entry(file, line, index++, node));
            }
            if (p.nextToken() != null) {
                throw bad(file, p.currentLocation().getLineNr(), "content after the closing ']'");
            }
        } catch (JsonParseException e) {
            throw bad(file, e.getLocation() == null ? 0 : e.getLocation().getLineNr(), "not valid JSON: "
                    + e.getOriginalMessage());
        } catch (IOException e) {
            throw bad(file, 0, "cannot read: " + e.getMessage());
        }
        return entries;
    }

    private static Entry entry(String file, int line, int index, JsonNode node) {
        String where = "entry " + index;
        if (node == null || !node.isObject()) {
            throw bad(file, line, where + " is not a JSON object");
        }
        JsonNode id = node.get("id");
        if (id == null || !(id.isTextual() || id.isNumber())) {
            throw bad(file, line, where + " has no \"id\" (a string or a number)");
        }
        String entry = where + " (id " + CanonicalJson.text(id) + ")";
        JsonNode meta = node.get("_crdt_metadata");
        if (meta == null || !meta.isObject()) {
            throw bad(file, line, entry + " has no \"_crdt_metadata\" object");
        }
        JsonNode ts = meta.get("timestamp");
        if (ts == null || !ts.isTextual()) {
            throw bad(file, line, entry + ": _crdt_metadata.timestamp is missing or not a string");
        }
        Instant time = instant(ts.textValue()).orElseThrow(() -> bad(file, line, entry
                + ": _crdt_metadata.timestamp " + CanonicalJson.text(ts) + " is not an ISO-8601 time"));
        JsonNode unique = meta.get("unique_id");
        if (unique == null || !(unique.isTextual() || unique.isNumber())) {
            throw bad(file, line, entry + ": _crdt_metadata.unique_id is missing or not a string");
        }
        String uniqueText = unique.isTextual() ? unique.textValue() : CanonicalJson.text(unique);
        return new Entry(CanonicalJson.text(id), id.isTextual() ? id.textValue() : CanonicalJson.text(id), node, time,
                uniqueText, PrivateFiles.sha256(CanonicalJson.bytes(node)));
    }

    /** ISO-8601 with {@code Z} or an offset; without one, UTC. A space may separate date and time. */
    static java.util.Optional<Instant> instant(String text) {
        String t = text.strip();
        if (t.length() > 10 && t.charAt(10) == ' ') {
            t = t.substring(0, 10) + 'T' + t.substring(11);
        }
        try {
            return java.util.Optional.of(OffsetDateTime.parse(t).toInstant());
        } catch (DateTimeParseException e) {
            try {
                return java.util.Optional.of(LocalDateTime.parse(t).toInstant(ZoneOffset.UTC));
            } catch (DateTimeParseException e2) {
                return java.util.Optional.empty();
            }
        }
    }

    private static CommandFailure bad(String file, int line, String what) {
        return CommandFailure.badInput(file + (line > 0 ? ":" + line : "") + ": " + what);
    }
}
