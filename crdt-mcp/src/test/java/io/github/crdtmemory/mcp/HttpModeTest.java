/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.live.LiveMemory;
import io.github.crdtmemory.live.Observations;
import io.github.crdtmemory.memory.Entity;
import io.github.crdtmemory.memory.MemoryFileCodec;
import io.github.crdtmemory.memory.MemoryGraph;
import io.github.crdtmemory.memory.Relation;
import io.github.crdtmemory.store.MemoryStore;
import io.github.crdtmemory.sync.SyncEngine;
import io.github.crdtmemory.sync.SyncSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The HTTP mode's parts in process: the token, the option checks, the unit file, the file bridge. */
class HttpModeTest {
    @TempDir
    Path tmp;

    @Test
    void aGeneratedTokenIsTheOwnersOnlyAndMatchesOnlyItself() throws Exception {
        Path file = tmp.resolve("state/mcp-http.token");
        BearerToken token = BearerToken.load(file, true);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        String secret = Files.readAllLines(file).get(0);
        assertThat(secret).hasSizeGreaterThanOrEqualTo(43);
        assertThat(token.matches("Bearer " + secret)).isTrue();
        assertThat(token.matches("bearer " + secret)).isTrue();
        assertThat(token.matches("Bearer " + secret + "x")).isFalse();
        assertThat(token.matches("Bearer " + secret.substring(1))).isFalse();
        assertThat(token.matches(secret)).isFalse();
        assertThat(token.matches(null)).isFalse();
        assertThat(token.toString()).doesNotContain(secret);
        assertThat(BearerToken.load(file, true).matches("Bearer " + secret)).as("kept across starts").isTrue();
    }

    @Test
    void aTokenFileOthersCanReadOrASymlinkIsRefused() throws Exception {
        Path open = tmp.resolve("open.token");
        Files.writeString(open, "0123456789abcdef0123\n");
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> BearerToken.load(open, false)).isInstanceOf(IOException.class)
                .hasMessageContaining("chmod 600").hasMessageNotContaining("0123456789abcdef0123");
        Path link = tmp.resolve("link.token");
        Files.createSymbolicLink(link, open);
        assertThatThrownBy(() -> BearerToken.load(link, false)).hasMessageContaining("symbolic link");
        Path shortOne = tmp.resolve("short.token");
        Files.writeString(shortOne, "short\n");
        Files.setPosixFilePermissions(shortOne, PosixFilePermissions.fromString("rw-------"));
        assertThatThrownBy(() -> BearerToken.load(shortOne, false)).hasMessageContaining("shorter than 16");
    }

    private static HttpMode options(String... args) {
        HttpMode mode = new HttpMode();
        new CommandLine(mode).parseArgs(args);
        return mode;
    }

    @Test
    void aNonLoopbackAddressNeedsAllowRemoteAndTls() throws Exception {
        assertThatThrownBy(() -> options("--http", "--host", "0.0.0.0").check(tmp))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a loopback address");
        assertThatThrownBy(() -> options("--http", "--host", "0.0.0.0", "--allow-remote").check(tmp))
                .hasMessageContaining("needs TLS");
        Path password = tmp.resolve("password");
        Files.writeString(password, "secret-password\n");
        Files.setPosixFilePermissions(password, PosixFilePermissions.fromString("rw-r-----"));
        assertThatThrownBy(() -> options("--http", "--host", "0.0.0.0", "--allow-remote", "--tls-keystore",
                tmp.resolve("ks.p12").toString(), "--tls-password-file", password.toString()).check(tmp))
                .hasMessageContaining("owner only").hasMessageNotContaining("secret-password");
        Files.setPosixFilePermissions(password, PosixFilePermissions.fromString("rw-------"));
        HttpMode.Checked ok = options("--http", "--host", "0.0.0.0", "--allow-remote", "--allow-host", "Memory.LAN",
                "--tls-keystore", tmp.resolve("ks.p12").toString(), "--tls-password-file", password.toString()).check(tmp);
        assertThat(new String(ok.password())).isEqualTo("secret-password");
        assertThat(ok.hosts()).contains("localhost", "127.0.0.1", "[::1]", "0.0.0.0", "memory.lan");
        assertThat(options("--http").check(tmp).hosts()).containsExactlyInAnyOrder("localhost", "127.0.0.1", "[::1]");
    }

    @Test
    void theServiceUnitRunsTheJarWithHttpAndQuotesEveryArgument() throws Exception {
        ServiceInstaller installer = new ServiceInstaller();
        new CommandLine(installer).parseArgs("--port", "9000", "--memory-file", "/home/me/my memory%.jsonl",
                "--store", "git+ssh://host/m.git");
        List<String> command = installer.command(java.util.Map.of(), tmp);
        assertThat(command).containsSubsequence("-jar").containsSubsequence("--http", "--port", "9000")
                .containsSubsequence("--memory-file", "/home/me/my memory%.jsonl")
                .containsSubsequence("--store", "git+ssh://host/m.git");
        String unit = ServiceInstaller.unit(command);
        assertThat(unit).contains("\"/home/me/my memory%%.jsonl\"").contains("KillSignal=SIGTERM")
                .contains("WantedBy=default.target").doesNotContain("token");
        assertThatThrownBy(() -> ServiceInstaller.unit(List.of("java", "a\nb"))).hasMessageContaining("line break");
    }

    @Test
    void installServiceWritesTheUnitOwnerOnlyAndRemovesOnlyItsOwn() throws Exception {
        java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
        java.io.PrintStream out = new java.io.PrintStream(printed, true, StandardCharsets.UTF_8);
        ServiceInstaller install = new ServiceInstaller();
        new CommandLine(install).parseArgs();
        assertThat(install.run(tmp, java.util.Map.of(), out)).isZero();
        Path unit = tmp.resolve(".config/systemd/user").resolve(ServiceInstaller.UNIT);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(unit))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(unit.getParent()))).isEqualTo("rwx------");
        assertThat(Files.readString(unit)).contains("\"--http\"").contains(tmp.resolve(".cache/mcp-memory/memory.json")
                .toString());
        ServiceInstaller remove = new ServiceInstaller();
        new CommandLine(remove).parseArgs("--remove");
        Files.writeString(unit, "[Unit]\nDescription=something of the user's\n");
        assertThat(remove.run(tmp, java.util.Map.of(), out)).as("not ours: kept").isEqualTo(HttpMode.USAGE);
        assertThat(unit).exists();
        assertThat(install.run(tmp, java.util.Map.of(), out)).isZero();
        assertThat(remove.run(tmp, java.util.Map.of(), out)).isZero();
        assertThat(unit).doesNotExist();
    }

    @Test
    void theBridgeTakesAnotherWritersEditsAndExportsTheLiveMemory() throws Exception {
        Path file = tmp.resolve("memory.jsonl");
        Files.write(file, MemoryFileCodec.write(MemoryGraph.of(List.of(Entity.of("Ada", "person", "wrote"),
                Entity.of("Gone", "thing")), List.of(new Relation("Ada", "knew", "Gone"))), false));
        SyncEngine engine = SyncEngine.create(SyncSettings.of(file, tmp.resolve("state"), ReplicaId.of("me")),
                MemoryStore.create("bridge"));
        try (LiveMemory live = LiveMemory.open(tmp.resolve("live.state"), ReplicaId.of("me"))) {
            FileBridge bridge = new FileBridge(live, engine, tmp.resolve("exported.jsonl"), true);
            assertThat(bridge.step()).as("the whole file imported at first").isTrue();
            assertThat(live.readGraph().entity("Ada").orElseThrow().observations()).containsExactly("wrote");

            live.addObservations(List.of(new Observations("Ada", List.of("live"))));
            engine.edit(g -> MemoryGraph.of(List.of(new Entity("Ada", "mathematician", List.of("wrote")),
                    Entity.of("New", "note", "by hand")), List.of())); // another writer: retyped, deleted, added
            assertThat(bridge.fileChanged()).isTrue();
            assertThat(bridge.step()).isTrue();
            MemoryGraph g = live.readGraph();
            assertThat(g.entity("Gone")).isEmpty();
            assertThat(g.entity("New").orElseThrow().observations()).containsExactly("by hand");
            assertThat(g.entity("Ada").orElseThrow().entityType()).isEqualTo("mathematician");
            assertThat(g.entity("Ada").orElseThrow().observations()).contains("wrote");
            assertThat(engine.read()).isEqualTo(g);
            assertThat(bridge.liveChanged()).isFalse();
            assertThat(bridge.fileChanged()).isFalse();
            assertThat(Files.readString(tmp.resolve("exported.jsonl"), StandardCharsets.UTF_8)).contains("by hand");
        }
        // a restart: the live memory and the exported base persist; an edit made meanwhile is taken
        engine.edit(g -> MemoryGraph.of(g.entities().stream().filter(e -> !e.name().equals("New")).toList(),
                g.relations()));
        try (LiveMemory live = LiveMemory.open(tmp.resolve("live.state"), ReplicaId.of("me"))) {
            FileBridge bridge = new FileBridge(live, engine, tmp.resolve("exported.jsonl"), false);
            bridge.step();
            assertThat(live.readGraph().entity("New")).as("deleted by another writer while down").isEmpty();
            assertThat(live.readGraph().entity("Ada")).isPresent();
        }
    }
}
