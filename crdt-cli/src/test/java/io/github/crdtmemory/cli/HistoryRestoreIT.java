/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** history, diff and restore --at through the jar: undoing a bad edit that reached every replica. */
class HistoryRestoreIT {
    @TempDir
    Path tmp;

    Path remote;
    Cli alice;
    Cli bob;

    @BeforeEach
    void setUp() throws Exception {
        remote = Cli.bareRemote(tmp);
        alice = Cli.replica(tmp, "alice", remote);
        bob = Cli.replica(tmp, "bob", remote);
    }

    private static void ok(Cli.Run r) {
        assertThat(r.code()).as("%s", r).isZero();
    }

    @Test
    void aBadEditIsUndoneEverywhereAndTheRestoreIsInTheHistory() throws Exception {
        alice.write(Cli.entity("Ada", "person", "wrote the first program"), Cli.entity("Babbage", "person", "engine"));
        ok(alice.run("sync"));
        ok(bob.run("restore"));
        ok(bob.run("sync"));
        JsonNode good = alice.run("history", "--replica", "alice", "--json").json();
        assertThat(good.get("format").asText()).isEqualTo("crdt-memory-history");
        String goodRev = good.get("entries").get(0).get("revision").asText();
        String goodTime = good.get("entries").get(0).get("time").asText();
        Thread.sleep(1100); // git keeps commit times in seconds

        alice.write(Cli.entity("Ada", "person", "wrote the first program", "JUNK"));
        ok(alice.run("sync"));
        ok(bob.run("sync"));
        assertThat(bob.read()).contains("JUNK").doesNotContain("Babbage");

        JsonNode history = alice.run("history", "--replica", "alice", "--json").json();
        JsonNode entries = history.get("entries");
        assertThat(entries.size()).isGreaterThanOrEqualTo(2);
        assertThat(entries.get(0).get("counts").get("entities").asInt()).isEqualTo(1);
        assertThat(entries.get(0).get("revision").asText()).isNotEqualTo(goodRev);
        assertThat(entries.findValuesAsText("revision")).contains(goodRev);

        JsonNode diff = alice.run("diff", goodRev, entries.get(0).get("revision").asText(), "--json").json();
        assertThat(diff.get("format").asText()).isEqualTo("crdt-memory-diff");
        assertThat(diff.get("entities").get("removed").get(0).get("name").asText()).isEqualTo("Babbage");
        assertThat(diff.get("observations").get("added").get(0).get("text").asText()).isEqualTo("JUNK");

        Cli.Run dry = alice.run("restore", "--at", goodRev.substring(0, 10), "--dry-run");
        ok(dry);
        assertThat(dry.out()).contains("+ entity Babbage").contains("- observation Ada: JUNK");
        assertThat(alice.read()).contains("JUNK");

        byte[] bad = Files.readAllBytes(alice.home.resolve("memory.jsonl"));
        JsonNode restored = alice.run("restore", "--at", goodRev, "--json").json();
        assertThat(restored.get("format").asText()).isEqualTo("crdt-memory-restore");
        Path copy = Path.of(restored.get("keptCopy").asText());
        assertThat(Files.readAllBytes(copy)).isEqualTo(bad);
        assertThat(restored.get("report").get("publication").asText()).isEqualTo("published");

        ok(alice.run("sync"));
        ok(bob.run("sync"));
        ok(alice.run("sync"));
        for (Cli c : List.of(alice, bob)) {
            assertThat(c.read()).contains("Babbage").doesNotContain("JUNK");
        }
        assertThat(alice.read().strip()).isEqualTo(bob.read().strip()); // each file keeps its own final newline
        JsonNode after = alice.run("history", "--replica", "alice", "--json").json();
        assertThat(after.get("entries").get(0).get("revision").asText())
                .isNotEqualTo(entries.get(0).get("revision").asText());
        assertThat(after.get("entries").get(0).get("counts").get("entities").asInt()).isEqualTo(2);

        // by time: the good state again, from bob's side (a no-op now, so nothing changes)
        Cli.Run byTime = alice.run("restore", "--at", goodTime, "--dry-run");
        ok(byTime);
        assertThat(byTime.out()).contains("no differences");

        JsonNode main = alice.run("history", "--json").json();
        assertThat(main.get("subject").asText()).isEqualTo("main");
        assertThat(main.get("entries").size()).isGreaterThanOrEqualTo(3);

        JsonNode vsNow = alice.run("diff", copy.toString(), "--json").json();
        assertThat(vsNow.get("observations").get("removed").get(0).get("text").asText()).isEqualTo("JUNK");
    }

    @Test
    void restoringAnEarlierSmallerMemoryIsAskedForSoNeverRefusedAsAMassDeletion() throws Exception {
        alice.write(Cli.entity("Ada", "person", "x"));
        ok(alice.run("sync"));
        String small = alice.run("history", "--replica", "alice", "--json").json().get("entries").get(0)
                .get("revision").asText();
        List<String> many = new java.util.ArrayList<>(List.of(Cli.entity("Ada", "person", "x")));
        for (int i = 0; i < 8; i++) {
            many.add(Cli.entity("Noise" + i, "junk", "bulk import " + i));
        }
        alice.write(many.toArray(String[]::new));
        ok(alice.run("sync"));

        ok(alice.run("restore", "--at", small));
        assertThat(alice.read()).contains("Ada").doesNotContain("Noise");
        ok(bob.run("restore"));
        assertThat(bob.read()).contains("Ada").doesNotContain("Noise");
    }

    @Test
    void storesWithoutHistorySaySo() throws Exception {
        alice.write(Cli.entity("Ada", "person", "x"));
        String dir = "file:" + tmp.resolve("dirstore");
        ok(alice.run("sync", "--store", dir));
        Cli.Run history = alice.run("history", "--replica", "alice", "--store", dir);
        assertThat(history.code()).isEqualTo(4);
        assertThat(history.err()).contains("keeps no history").contains("[NO_HISTORY]");
        assertThat(alice.run("restore", "--at", "abcdef12", "--store", dir).code()).isEqualTo(4);
    }
}
