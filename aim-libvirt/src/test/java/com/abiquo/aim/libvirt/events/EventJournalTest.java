package com.abiquo.aim.libvirt.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.core.error.AimException;
import io.grpc.Status;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventJournalTest {
    private static MonitorEvent event(long sequence, String name) {
        return new MonitorEvent(sequence, 0, 0, "u-" + name, name, EventKind.POWERED_ON, 2, 0, "STARTED/BOOTED",
                VmState.RUNNING, false);
    }

    @Test
    void keepsTheLastCapacityEventsAndForgetsOlderOnes() {
        EventJournal journal = new EventJournal(3, 100);
        assertEquals(99, journal.lastSequence());
        assertTrue(journal.canResumeAfter(99), "nothing issued yet: resuming after the start misses nothing");
        for (long sequence = 100; sequence < 105; sequence++) {
            journal.append(event(sequence, "d" + sequence));
        }
        assertEquals(104, journal.lastSequence());
        assertEquals(102, journal.oldestSequence());
        assertNull(journal.get(101), "overwritten");
        assertEquals("d102", journal.get(102).event().name());
        assertEquals("d104", journal.get(104).event().name());
        assertNull(journal.get(105), "not issued yet");
        assertTrue(journal.canResumeAfter(101), "102.. are all there");
        assertFalse(journal.canResumeAfter(100), "101 is gone");
        assertTrue(journal.canResumeAfter(104));
        assertFalse(journal.canResumeAfter(105), "a sequence never issued by this run");
        assertFalse(journal.canResumeAfter(7), "an earlier run of the agent");
    }

    @Test
    void refusesOutOfOrderAppends() {
        EventJournal journal = new EventJournal(3, 1);
        assertThrows(IllegalStateException.class, () -> journal.append(event(2, "x")));
    }

    @Test
    void readsPagesWithAFilter() throws Exception {
        EventJournal journal = new EventJournal(100, 1);
        for (long sequence = 1; sequence <= 10; sequence++) {
            journal.append(event(sequence, sequence % 2 == 0 ? "even" : "odd"));
        }
        EventJournal.Page page = journal.read(0, 3, e -> e.name().equals("even"));
        assertEquals(List.of(2L, 4L, 6L), page.events().stream().map(MonitorEvent::sequence).toList());
        assertEquals(6, page.nextAfterSequence());
        EventJournal.Page rest = journal.read(page.nextAfterSequence(), 100, e -> e.name().equals("even"));
        assertEquals(List.of(8L, 10L), rest.events().stream().map(MonitorEvent::sequence).toList());
        assertEquals(10, rest.nextAfterSequence());
    }

    @Test
    void aReadFromAPointWhoseNextEventsAreGoneFailsInsteadOfSkippingThem() throws Exception {
        EventJournal journal = new EventJournal(3, 100);
        for (long sequence = 100; sequence < 105; sequence++) {
            journal.append(event(sequence, "d" + sequence));
        }
        AimException gone = assertThrows(AimException.class, () -> journal.read(100, 10, e -> true));
        assertEquals(Status.Code.OUT_OF_RANGE, gone.code());
        assertEquals("JOURNAL_POINT_GONE", gone.reason().name());
        assertThrows(AimException.class, () -> journal.read(7, 10, e -> true), "an earlier run of the agent");
        assertEquals(List.of(102L, 103L, 104L), journal.read(101, 10, e -> true).events().stream()
                .map(MonitorEvent::sequence).toList());
        assertEquals(104, journal.read(104, 10, e -> true).nextAfterSequence(), "nothing after the newest");
        AimException ahead = assertThrows(AimException.class, () -> journal.read(105, 10, e -> true));
        assertEquals(Status.Code.OUT_OF_RANGE, ahead.code(), "a page after it would skip events 105 and on");
        assertEquals("SEQUENCE_NOT_ISSUED", ahead.reason().name());
        assertEquals("SEQUENCE_NOT_ISSUED", assertThrows(AimException.class,
                () -> journal.read(Long.MAX_VALUE, 10, e -> true)).reason().name());
    }

    @Test
    void anEventOverwrittenWhileTheReadRunsFailsTheRead() throws Exception {
        EventJournal journal = new EventJournal(3, 100);
        for (long sequence = 100; sequence < 105; sequence++) {
            journal.append(event(sequence, "d" + sequence));
        }
        // The writer laps the reader: 105 and 106 take the slots of 102 (already read) and 103 (not yet read).
        AimException gone = assertThrows(AimException.class, () -> journal.read(101, 10, e -> {
            if (e.sequence() == 102) {
                journal.append(event(105, "d105"));
                journal.append(event(106, "d106"));
            }
            return true;
        }));
        assertEquals(Status.Code.OUT_OF_RANGE, gone.code());
    }
}
