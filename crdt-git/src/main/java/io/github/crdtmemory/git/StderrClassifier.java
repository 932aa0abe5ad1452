/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.git;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Classifies a failed git command by its stderr (git runs under {@code LC_ALL=C}), not by its exit
 * code: git exits 128 for nearly everything. The first matching rule wins, so the more specific
 * signatures come first. The messages are those git 2.39 prints (and a few of later versions).
 */
final class StderrClassifier {
    private static final List<Map.Entry<GitOperationError.Kind, List<String>>> RULES = List.of(
            Map.entry(GitOperationError.Kind.DUBIOUS_OWNERSHIP, List.of("detected dubious ownership")),
            Map.entry(GitOperationError.Kind.DISK_FULL, List.of("no space left on device", "disk quota exceeded")),
            Map.entry(GitOperationError.Kind.LOCKED, List.of(".lock': file exists", "index.lock",
                    "another git process seems to be running")),
            Map.entry(GitOperationError.Kind.AUTH, List.of("authentication failed", "could not read username",
                    "could not read password", "permission denied (publickey", "host key verification failed",
                    "terminal prompts disabled", "returned error: 401", "returned error: 403",
                    "invalid username or password")),
            // a connection dropped mid-transfer names the pack section: the network, not corruption
            Map.entry(GitOperationError.Kind.NETWORK, List.of("error reading section header",
                    "expected 'packfile'", "unexpected disconnect while reading sideband packet")),
            Map.entry(GitOperationError.Kind.CORRUPT, List.of("unpacker error")),
            Map.entry(GitOperationError.Kind.UNAVAILABLE, List.of("does not appear to be a git repository",
                    "repository not found")),
            Map.entry(GitOperationError.Kind.REJECTED, List.of("[rejected]", "(fetch first)", "(non-fast-forward)",
                    "(stale info)", "failed to update ref", "but expected", "[remote rejected]")),
            Map.entry(GitOperationError.Kind.CORRUPT, List.of("is empty", "is corrupt", "bad object",
                    "loose object", "missing blob", "missing tree", "missing commit", "unable to read",
                    "invalid sha1 pointer", "index file corrupt", "inflate:", "bad signature",
                    "not a git repository", "broken link", "fsck error", "packfile", "hash mismatch",
                    "invalid object")),
            Map.entry(GitOperationError.Kind.NETWORK, List.of("could not resolve host", "connection refused",
                    "connection timed out", "operation too slow", "failed to connect", "network is unreachable",
                    "connection reset", "early eof", "the remote end hung up unexpectedly", "unable to access",
                    "broken pipe", "timed out during banner exchange", "could not read from remote repository")),
            Map.entry(GitOperationError.Kind.UNAVAILABLE, List.of("does not exist", "no such file or directory",
                    "unknown option")));

    private StderrClassifier() {
    }

    static GitOperationError.Kind classify(String stderr) {
        String s = stderr.toLowerCase(Locale.ROOT);
        for (Map.Entry<GitOperationError.Kind, List<String>> rule : RULES) {
            for (String signature : rule.getValue()) {
                if (s.contains(signature)) {
                    return rule.getKey();
                }
            }
        }
        return GitOperationError.Kind.FAILED;
    }
}
