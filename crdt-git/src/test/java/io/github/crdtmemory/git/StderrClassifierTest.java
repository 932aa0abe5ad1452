/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.git;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.crdtmemory.git.GitOperationError.Kind;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** git 2.39's own messages (LC_ALL=C) map to the kinds callers act on. */
final class StderrClassifierTest {
    @Test
    void gitsMessagesMapToKinds() {
        Map<String, Kind> cases = Map.ofEntries(
                Map.entry("!\t1234:refs/heads/main\t[rejected] (fetch first)", Kind.REJECTED),
                Map.entry("!\trefs/heads/replicas/a:refs/heads/replicas/a\t[rejected] (stale info)", Kind.REJECTED),
                Map.entry("remote: error: cannot lock ref 'refs/heads/main': is at 1 but expected 2\n"
                        + "! [remote rejected] main -> main (failed to update ref)", Kind.REJECTED),
                Map.entry("remote: error: cannot lock ref 'refs/heads/main': Unable to create '/r/refs/heads/main.lock':"
                        + " File exists.\n! [remote rejected] main -> main (failed to update ref)", Kind.LOCKED),
                Map.entry("fatal: Unable to create '/r/.git/index.lock': File exists.", Kind.LOCKED),
                Map.entry("ssh: connect to host x port 22: Connection timed out during banner exchange", Kind.NETWORK),
                Map.entry("error: RPC failed; curl 28 Operation too slow. Less than 1000 bytes/sec transferred the last"
                        + " 3 seconds", Kind.NETWORK),
                Map.entry("fatal: could not read Username for 'https://h': terminal prompts disabled", Kind.AUTH),
                Map.entry("fatal: Authentication failed for 'https://h/x.git/'", Kind.AUTH),
                Map.entry("git@h: Permission denied (publickey).\nfatal: Could not read from remote repository.", Kind.AUTH),
                Map.entry("Host key verification failed.\nfatal: Could not read from remote repository.", Kind.AUTH),
                Map.entry("ssh: Could not resolve hostname x.invalid: Name or service not known", Kind.NETWORK),
                Map.entry("fatal: unable to access 'https://127.0.0.1:1/x.git/': Failed to connect to 127.0.0.1 port 1"
                        + " after 0 ms: Couldn't connect to server", Kind.NETWORK),
                Map.entry("error: object file .git/objects/ab/cdef is empty\nfatal: loose object abcdef is corrupt",
                        Kind.CORRUPT),
                Map.entry("error: remote unpack failed: eof before pack header was fully read\n"
                        + "! [remote rejected] main -> main (unpacker error)", Kind.CORRUPT),
                Map.entry("fatal: unable to write loose object file: No space left on device", Kind.DISK_FULL),
                Map.entry("fatal: '/x.git' does not appear to be a git repository\n"
                        + "fatal: Could not read from remote repository.", Kind.UNAVAILABLE),
                Map.entry("fatal: detected dubious ownership in repository at '/srv/m.git'\nTo add an exception for this"
                        + " directory, call:\n\n\tgit config --global --add safe.directory /srv/m.git\nfatal: Could not"
                        + " read from remote repository.\n\nPlease make sure you have the correct access rights\nand the"
                        + " repository exists.", Kind.DUBIOUS_OWNERSHIP),
                Map.entry("fatal: something nobody has seen", Kind.FAILED));
        cases.forEach((stderr, kind) -> assertThat(StderrClassifier.classify(stderr)).as(stderr).isEqualTo(kind));
    }

    @Test
    void aDroppedConnectionIsTheNetworkNotCorruption() {
        // git 2.4x's message for a connection lost before the pack (it names the section "packfile")
        assertThat(StderrClassifier.classify("fatal: error reading section header 'packfile'")).isEqualTo(Kind.NETWORK);
        // git 2.39's when the connection drops inside the pack
        assertThat(StderrClassifier.classify("fetch-pack: unexpected disconnect while reading sideband packet\n"
                + "fatal: protocol error: bad pack header")).isEqualTo(Kind.NETWORK);
        // an object refused by git's checks on the way in is still about objects
        assertThat(StderrClassifier.classify("error: object c25e: badDate: invalid author/committer line - bad date\n"
                + "fatal: fsck error in packed object\nfatal: index-pack failed")).isEqualTo(Kind.CORRUPT);
    }
}
