/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.crdtmemory.core.ReplicaId;
import org.junit.jupiter.api.Test;

/**
 * The cron time of {@code install-schedule}: a minute offset per replica (first 32 bits of the SHA-256
 * of its id, computed independently with Python's hashlib for these ids), stable across installs.
 */
final class CronTimeTest {
    private static String time(int minutes, String replica) {
        return ScheduleCommands.Install.cronTime(minutes, ReplicaId.of(replica));
    }

    @Test
    void machinesGetDifferentMinutesWithinThePeriod() {
        assertThat(time(15, "alice")).isEqualTo("1-59/15 * * * *");
        assertThat(time(15, "bob")).isEqualTo("12-59/15 * * * *");
        assertThat(time(15, "laptop-3fa9c1")).isEqualTo("3-59/15 * * * *");
        assertThat(time(30, "laptop-3fa9c1")).isEqualTo("3-59/30 * * * *");
        assertThat(time(15, "bob")).as("stable: a second install writes the same line").isEqualTo(time(15, "bob"));
    }

    @Test
    void aPeriodThatDoesNotDivideTheHourKeepsItsRunsPerHour() {
        // */45 runs at :00 and :45; a shift must stay below 15 to keep both runs
        for (String replica : new String[] {"alice", "bob", "laptop-3fa9c1", "ci-1", "ci-2", "ci-3"}) {
            String every45 = time(45, replica);
            int offset = Integer.parseInt(every45.substring(0, every45.indexOf('-')));
            assertThat(offset).as(every45).isBetween(0, 14);
            String every7 = time(7, replica);
            assertThat(Integer.parseInt(every7.substring(0, every7.indexOf('-')))).as(every7).isBetween(0, 3);
        }
        assertThat(time(45, "bob")).isEqualTo("12-59/45 * * * *"); // 12 < 15: as for 15
        assertThat(time(45, "laptop-3fa9c1")).isEqualTo("3-59/45 * * * *");
    }

    @Test
    void hoursGetAMinuteOfTheHourAndEveryMinuteNeedsNone() {
        assertThat(time(120, "laptop-3fa9c1")).isEqualTo("33 */2 * * *");
        assertThat(time(60, "bob")).isEqualTo("12 */1 * * *");
        assertThat(time(1, "bob")).isEqualTo("* * * * *");
    }

    @Test
    void periodsCronCannotSayAreUsageErrors() {
        for (int bad : new int[] {0, -5, 90, 24 * 60}) {
            assertThatThrownBy(() -> time(bad, "bob")).isInstanceOf(CommandFailure.class);
        }
    }
}
