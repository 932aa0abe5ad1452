/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.git;

import io.github.crdtmemory.internal.PrivateFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The repositories owned by another user that git may use anyway: {@code safe.directory}, taken from
 * {@value #VARIABLE} (one path, or {@code *} for any). Git reads {@code safe.directory} only from
 * protected configuration, and a {@code -c} setting does not reach the {@code upload-pack} or
 * {@code receive-pack} git starts for a local remote (it clears {@code GIT_CONFIG_PARAMETERS} there),
 * so the setting goes into a small global config file of the store's own ({@code 0600}), named by
 * {@code GIT_CONFIG_GLOBAL} instead of {@code /dev/null}. It holds that one setting and nothing else.
 */
final class SafeDirectory {
    /** The environment variable that names the trusted repository. Not a secret. */
    static final String VARIABLE = "MEMORY_BACKUP_SAFE_DIRECTORY";
    /** The config file's name in the store's cache directory. */
    static final String FILE = "safe-directory.gitconfig";

    private SafeDirectory() {
    }

    /**
     * Returns {@code env} with {@code GIT_CONFIG_GLOBAL} pointing to a config file in {@code dir} that
     * trusts the repository named by {@value #VARIABLE} in {@code inherited}; {@code env} unchanged when
     * the variable is unset.
     *
     * @throws IllegalArgumentException if the value is not an absolute path or {@code *}, or holds a
     *     control character
     * @throws IOException if the file cannot be written
     */
    static Map<String, String> apply(Map<String, String> env, Map<String, String> inherited, Path dir)
            throws IOException {
        Optional<String> value = Optional.ofNullable(inherited.get(VARIABLE)).map(String::strip)
                .filter(v -> !v.isEmpty());
        if (value.isEmpty()) {
            return env;
        }
        String v = value.get();
        if ((!v.equals("*") && !v.startsWith("/")) || v.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException(VARIABLE + " must be an absolute path (or *), without control "
                    + "characters: '" + v.replaceAll("\\p{Cntrl}", "?") + "'");
        }
        Path file = dir.resolve(FILE);
        String quoted = "\"" + v.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
        byte[] content = ("[safe]\n\tdirectory = " + quoted + "\n").getBytes(StandardCharsets.UTF_8);
        if (!PrivateFiles.readIfExists(file).map(old -> Arrays.equals(old, content)).orElse(false)) {
            PrivateFiles.replace(file, content);
        }
        Map<String, String> out = new LinkedHashMap<>(env);
        out.put("GIT_CONFIG_GLOBAL", file.toString());
        return out;
    }
}
