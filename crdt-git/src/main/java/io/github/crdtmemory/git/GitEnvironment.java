/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.git;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The environment and fixed configuration every git call runs with: an empty environment plus an
 * allowlist, so nothing inherited ({@code GIT_DIR}, {@code GIT_INDEX_FILE}, {@code GIT_TRACE*}, a
 * foreign locale, a global config with hooks or signing) changes what git does or prints.
 */
final class GitEnvironment {
    /** {@code -c} settings put before every command: no hooks, no signing, no background gc. */
    static final List<String> FIXED_CONFIG = List.of(
            "-c", "core.hooksPath=/dev/null",
            "-c", "commit.gpgSign=false",
            "-c", "tag.gpgSign=false",
            "-c", "push.gpgSign=false",
            "-c", "gc.auto=0",
            "-c", "gc.autoDetach=false",
            "-c", "maintenance.auto=false",
            "-c", "core.fsync=committed",
            "-c", "transfer.fsckObjects=true",
            "-c", "credential.helper=",
            "-c", "core.askPass=",
            "-c", "protocol.ext.allow=never",
            "-c", "http.lowSpeedLimit=1000",
            "-c", "http.lowSpeedTime=20");

    /** Inherited variables that are kept: where programs are, and what ssh and proxies need. */
    private static final List<String> INHERITED = List.of("PATH", "HOME", "USER", "LOGNAME", "SSH_AUTH_SOCK",
            "TMPDIR", "HTTPS_PROXY", "https_proxy", "NO_PROXY", "no_proxy", "SYSTEMROOT");

    /** The default ssh command: never prompt, give up on dead peers. */
    static final String DEFAULT_SSH_COMMAND =
            "ssh -o BatchMode=yes -o ConnectTimeout=15 -o ServerAliveInterval=15 -o ServerAliveCountMax=4";

    private GitEnvironment() {
    }

    /**
     * Builds the environment: the allowlist from {@code inherited}, then fixed settings. The remote URL
     * travels as environment-scoped config ({@code remote.origin.url}) without its credential: git
     * hands that URL to its remote helper as an argument ({@code git-remote-https origin <url>}),
     * which any local user can read in {@code /proc/<pid>/cmdline}. The credential of an https URL
     * travels as environment-scoped config too ({@code http.extraHeader}, an {@code Authorization}
     * header; see {@link RemoteUrl}): a process's environment is readable by its owner only, and git
     * passes it to its children without putting it on a command line.
     */
    static Map<String, String> build(Map<String, String> inherited, String remoteUrl, String sshCommand) {
        Map<String, String> env = new LinkedHashMap<>();
        for (String name : INHERITED) {
            String v = inherited.get(name);
            if (v != null) {
                env.put(name, v);
            }
        }
        env.putIfAbsent("PATH", "/usr/local/bin:/usr/bin:/bin");
        env.put("LC_ALL", "C");
        env.put("LANG", "C");
        env.put("GIT_CONFIG_NOSYSTEM", "1");
        env.put("GIT_CONFIG_GLOBAL", "/dev/null");
        env.put("GIT_TERMINAL_PROMPT", "0");
        String never = GitProcess.findExecutable("false");
        if (never != null) {
            env.put("GIT_ASKPASS", never);
            env.put("SSH_ASKPASS", never);
        }
        env.put("SSH_ASKPASS_REQUIRE", "never");
        env.put("GCM_INTERACTIVE", "never");
        env.put("GIT_EDITOR", "true");
        env.put("GIT_MERGE_AUTOEDIT", "no");
        env.put("GIT_PAGER", "cat");
        env.put("GIT_SSH_COMMAND", sshCommand);
        env.put("GIT_SSH_VARIANT", "ssh");
        env.put("GIT_HTTP_LOW_SPEED_LIMIT", "1000");
        env.put("GIT_HTTP_LOW_SPEED_TIME", "30");
        env.put("GIT_ALLOW_PROTOCOL", "file:ssh:https");
        env.put("GIT_PROTOCOL_FROM_USER", "0");
        env.put("GIT_AUTHOR_NAME", "crdt-memory");
        env.put("GIT_AUTHOR_EMAIL", "crdt-memory@localhost");
        env.put("GIT_COMMITTER_NAME", "crdt-memory");
        env.put("GIT_COMMITTER_EMAIL", "crdt-memory@localhost");
        RemoteUrl remote = RemoteUrl.parse(remoteUrl);
        env.put("GIT_CONFIG_COUNT", remote.authorization().isPresent() ? "3" : "1");
        env.put("GIT_CONFIG_KEY_0", "remote.origin.url");
        env.put("GIT_CONFIG_VALUE_0", remote.location());
        remote.authorization().ifPresent(credential -> {
            env.put("GIT_CONFIG_KEY_1", "http.extraHeader");
            env.put("GIT_CONFIG_VALUE_1", "Authorization: " + credential);
            // the header goes with every request git makes, and git sends the requests after a redirect
            // of its first one to the new location: with a credential, no redirect is followed
            env.put("GIT_CONFIG_KEY_2", "http.followRedirects");
            env.put("GIT_CONFIG_VALUE_2", "false");
        });
        return env;
    }
}
