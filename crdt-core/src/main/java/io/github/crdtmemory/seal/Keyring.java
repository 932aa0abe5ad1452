/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.seal;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * A set of 256-bit AES keys, each named by a random 64-bit key id: the current key seals, every key
 * opens (old keys stay readable during a rotation). Immutable and thread-safe.
 *
 * <p>A sealed chunk is {@code "CMS" 0x01 | key id (8 bytes) | nonce (12 bytes) | AES-256-GCM
 * ciphertext and 128-bit tag}. The nonce is 96 random bits from {@link SecureRandom} for every seal, so
 * nonces never depend on content or position; the associated data is the header (magic, key id, nonce)
 * and the chunk's {@link ChunkContext}. With random nonces NIST SP 800-38D bounds one key to
 * {@value #SEALS_PER_KEY} seals (collision probability below 2<sup>-32</sup>); a publication seals at
 * most 65 chunks (64 shards and the manifest), so one key serves at least 66 million publications:
 * 1,900 years of a sync every 15 minutes on one machine, 1.9 years on 1,000 machines sharing the key
 * (and only changed shards are sealed, so usually far more). Rotate with {@code rekey} long before.
 *
 * <p>{@link #toString()} names key ids only; key material never leaves this class but through
 * {@link KeyFile}.
 */
public final class Keyring {
    /** The NIST SP 800-38D limit on encryptions under one key with random 96-bit nonces: 2<sup>32</sup>. */
    public static final long SEALS_PER_KEY = 1L << 32;
    /** The bytes a seal adds to a chunk: 24 of header, 16 of tag. */
    public static final int OVERHEAD = 40;

    private static final byte[] MAGIC = {'C', 'M', 'S', 1};
    private static final int KEY_ID_BYTES = 8;
    private static final int NONCE_BYTES = 12;
    private static final int HEADER = MAGIC.length + KEY_ID_BYTES + NONCE_BYTES;
    private static final int TAG_BITS = 128;
    private static final HexFormat HEX = HexFormat.of();

    private final String current;
    private final Map<String, SecretKey> keys; // key id -> key; insertion order: current first
    private final SecureRandom random;

    private Keyring(String current, Map<String, SecretKey> keys, SecureRandom random) {
        this.current = current;
        this.keys = Collections.unmodifiableMap(keys);
        this.random = random;
    }

    /**
     * Returns a keyring of one new random key.
     *
     * @return the keyring
     */
    public static Keyring generate() {
        SecureRandom random = new SecureRandom();
        Map<String, SecretKey> keys = new LinkedHashMap<>();
        keys.put(newKeyId(random), newKey(random));
        return new Keyring(keys.keySet().iterator().next(), keys, random);
    }

    /**
     * Returns a keyring from key material: the first entry is the current key.
     *
     * @param keys key id (16 lower-case hex digits) to 32 bytes of key, current first
     * @return the keyring
     * @throws IllegalArgumentException if there is no key, a key id is malformed or a key is not 32 bytes
     */
    static Keyring of(Map<String, byte[]> keys) {
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("a keyring needs at least one key");
        }
        Map<String, SecretKey> out = new LinkedHashMap<>();
        keys.forEach((id, key) -> {
            if (!id.matches("[0-9a-f]{16}")) {
                throw new IllegalArgumentException("malformed key id: " + id);
            }
            if (key.length != 32) {
                throw new IllegalArgumentException("key " + id + " is " + key.length + " bytes, not 32");
            }
            out.put(id, new SecretKeySpec(key, "AES"));
        });
        return new Keyring(out.keySet().iterator().next(), out, new SecureRandom());
    }

    /**
     * Returns a keyring whose current key is a new random one and whose old keys are all of this one's:
     * the key file of a rotation.
     *
     * @return the rotated keyring
     */
    public Keyring rotate() {
        Map<String, SecretKey> out = new LinkedHashMap<>();
        out.put(newKeyId(random), newKey(random));
        out.putAll(keys);
        return new Keyring(out.keySet().iterator().next(), out, random);
    }

    /**
     * Returns a keyring with {@code newer}'s current key as current and every key of both to open.
     *
     * @param newer the keyring whose current key seals from now on
     * @return the combined keyring
     */
    public Keyring sealingWith(Keyring newer) {
        Map<String, SecretKey> out = new LinkedHashMap<>(newer.keys);
        keys.forEach(out::putIfAbsent);
        return new Keyring(newer.current, out, random);
    }

    /**
     * Returns the id of the key that seals.
     *
     * @return 16 lower-case hex digits
     */
    public String currentKeyId() {
        return current;
    }

    /**
     * Returns the ids of every key, current first.
     *
     * @return the key ids
     */
    public List<String> keyIds() {
        return List.copyOf(keys.keySet());
    }

    /** The key material, current first, for {@link KeyFile}. */
    Map<String, byte[]> material() {
        Map<String, byte[]> out = new LinkedHashMap<>();
        keys.forEach((id, key) -> out.put(id, key.getEncoded()));
        return out;
    }

    /**
     * Seals {@code plaintext} under the current key with a fresh random nonce.
     *
     * @param plaintext the chunk
     * @param context where the chunk belongs (bound as associated data)
     * @return the sealed chunk, {@link #OVERHEAD} bytes longer
     */
    public byte[] seal(byte[] plaintext, ChunkContext context) {
        byte[] out = new byte[HEADER + plaintext.length + TAG_BITS / 8];
        System.arraycopy(MAGIC, 0, out, 0, MAGIC.length);
        System.arraycopy(HEX.parseHex(current), 0, out, MAGIC.length, KEY_ID_BYTES);
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        System.arraycopy(nonce, 0, out, MAGIC.length + KEY_ID_BYTES, NONCE_BYTES);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, keys.get(current), new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(out, 0, HEADER);
            cipher.updateAAD(context.associatedData());
            cipher.doFinal(plaintext, 0, plaintext.length, out, HEADER);
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-256-GCM is a required JDK algorithm", e);
        }
    }

    /**
     * Opens a sealed chunk.
     *
     * @param sealed the sealed chunk
     * @param context where the chunk is read from; it opens only if it was sealed for the same place
     * @return the plaintext
     * @throws ChunkException if it is not a sealed chunk, names a key not held, or fails authentication
     */
    public byte[] open(byte[] sealed, ChunkContext context) throws ChunkException {
        String keyId = keyIdOf(sealed);
        if (keyId == null) {
            throw new ChunkException(ChunkException.Reason.MALFORMED, null, "chunk " + context
                    + " is not sealed (" + sealed.length + " bytes without a seal header)");
        }
        SecretKey key = keys.get(keyId);
        if (key == null) {
            throw new ChunkException(ChunkException.Reason.UNKNOWN_KEY, keyId, "chunk " + context
                    + " is sealed with key " + keyId + ", which the key file does not hold (it holds " + keyIds() + ")");
        }
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, sealed,
                    MAGIC.length + KEY_ID_BYTES, NONCE_BYTES));
            cipher.updateAAD(sealed, 0, HEADER);
            cipher.updateAAD(context.associatedData());
            return cipher.doFinal(sealed, HEADER, sealed.length - HEADER);
        } catch (AEADBadTagException e) {
            throw new ChunkException(ChunkException.Reason.AUTHENTICATION, keyId, "chunk " + context
                    + " fails authentication: it was changed, or moved from another replica, position or format");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-256-GCM is a required JDK algorithm", e);
        }
    }

    /**
     * Returns the key id a sealed chunk names, or null if {@code bytes} is not a sealed chunk.
     *
     * @param bytes a chunk as stored
     * @return the key id, or null
     */
    public static @Nullable String keyIdOf(byte[] bytes) {
        if (bytes.length < HEADER + TAG_BITS / 8 || !Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            return null;
        }
        return HEX.formatHex(bytes, MAGIC.length, MAGIC.length + KEY_ID_BYTES);
    }

    private static String newKeyId(SecureRandom random) {
        byte[] id = new byte[KEY_ID_BYTES];
        random.nextBytes(id);
        return HEX.formatHex(id);
    }

    private static SecretKey newKey(SecureRandom random) {
        byte[] key = new byte[32];
        random.nextBytes(key);
        return new SecretKeySpec(key, "AES");
    }

    @Override
    public String toString() {
        List<String> ids = new ArrayList<>(keys.keySet());
        return "Keyring[current=" + current + ", keys=" + ids + "]";
    }

    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof Keyring k && current.equals(k.current) && keys.keySet().equals(k.keys.keySet())
                && sameMaterial(k);
    }

    private boolean sameMaterial(Keyring k) {
        for (Map.Entry<String, SecretKey> e : keys.entrySet()) {
            SecretKey other = k.keys.get(e.getKey());
            if (other == null || !java.security.MessageDigest.isEqual(e.getValue().getEncoded(), other.getEncoded())) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        return ByteBuffer.wrap(HEX.parseHex(current)).getInt();
    }
}
