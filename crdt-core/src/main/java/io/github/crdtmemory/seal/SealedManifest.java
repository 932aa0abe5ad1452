/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.seal;

import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.internal.PrivateFiles;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The manifest of one sealed publication: the name and the SHA-256 of the sealed bytes of every chunk
 * of the replica's state, itself sealed at position {@value #POSITION}. Chunks are sealed one by one (so
 * an unchanged chunk keeps its ciphertext); the manifest, sealed anew at each publication, binds them
 * into one set, so a chunk replayed from an older publication of the same replica at the same position,
 * a chunk dropped or one added does not open as part of this publication. Stateless.
 *
 * <p>Plaintext form: {@code crdt-memory-seal 1}, {@code replica <id>}, then one {@code chunk <name>
 * <sha256>} line per chunk in name order, each line ending in a newline.
 */
public final class SealedManifest {
    /** The position of the manifest in a layout. */
    public static final String POSITION = "seal";
    private static final String HEADER = "crdt-memory-seal 1\n";

    private SealedManifest() {
    }

    /**
     * Returns the SHA-256 (lower-case hex) of a sealed chunk, as a manifest lists it.
     *
     * @param sealedChunk the chunk as stored
     * @return its digest
     */
    public static String digest(byte[] sealedChunk) {
        return PrivateFiles.sha256(sealedChunk);
    }

    /**
     * Seals the manifest of a publication.
     *
     * @param keyring the keys (the current one seals)
     * @param replica the replica
     * @param formatVersion the layout's format version
     * @param chunks chunk name to {@link #digest} of its sealed bytes
     * @return the sealed manifest
     */
    public static byte[] seal(Keyring keyring, ReplicaId replica, int formatVersion, Map<String, String> chunks) {
        StringBuilder text = new StringBuilder(HEADER).append("replica ").append(replica.value()).append('\n');
        new TreeMap<>(chunks).forEach((name, digest) -> text.append("chunk ").append(name).append(' ')
                .append(digest).append('\n'));
        return keyring.seal(text.toString().getBytes(StandardCharsets.UTF_8),
                new ChunkContext(replica, formatVersion, POSITION));
    }

    /**
     * Opens a sealed manifest.
     *
     * @param keyring the keys
     * @param replica the replica it must belong to
     * @param formatVersion the layout's format version
     * @param sealed the manifest as stored
     * @return chunk name to the digest of its sealed bytes
     * @throws ChunkException if it does not open, or opens to something that is not this replica's manifest
     */
    public static SortedMap<String, String> open(Keyring keyring, ReplicaId replica, int formatVersion, byte[] sealed)
            throws ChunkException {
        String text = new String(keyring.open(sealed, new ChunkContext(replica, formatVersion, POSITION)),
                StandardCharsets.UTF_8);
        String prefix = HEADER + "replica " + replica.value() + "\n";
        if (!text.startsWith(prefix)) {
            throw malformed(replica);
        }
        SortedMap<String, String> chunks = new TreeMap<>();
        for (String line : text.substring(prefix.length()).split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            String[] parts = line.split(" ");
            if (parts.length != 3 || !parts[0].equals("chunk") || !parts[2].matches("[0-9a-f]{64}")
                    || chunks.put(parts[1], parts[2]) != null) {
                throw malformed(replica);
            }
        }
        return chunks;
    }

    /**
     * Checks that {@code chunks} (name to {@link #digest}) are exactly the manifest's.
     *
     * @param manifest the opened manifest
     * @param chunks the chunks found in the publication
     * @param replica the replica, for the message
     * @throws ChunkException naming the first chunk that differs
     */
    public static void check(SortedMap<String, String> manifest, Map<String, String> chunks, ReplicaId replica)
            throws ChunkException {
        if (manifest.equals(new TreeMap<>(chunks))) {
            return;
        }
        TreeMap<String, String> all = new TreeMap<>(manifest);
        chunks.forEach(all::putIfAbsent);
        for (String name : all.keySet()) {
            if (!String.valueOf(manifest.get(name)).equals(String.valueOf(chunks.get(name)))) {
                throw new ChunkException(ChunkException.Reason.AUTHENTICATION, null, "chunk " + replica + "/" + name
                        + (manifest.containsKey(name) ? chunks.containsKey(name)
                        ? " is not the one its publication sealed (replayed from another publication, or changed)"
                        : " is missing from the publication" : " is not part of its publication"));
            }
        }
    }

    private static ChunkException malformed(ReplicaId replica) {
        return new ChunkException(ChunkException.Reason.AUTHENTICATION, null, "the seal manifest of " + replica
                + " opens but is not one of its manifests");
    }
}
