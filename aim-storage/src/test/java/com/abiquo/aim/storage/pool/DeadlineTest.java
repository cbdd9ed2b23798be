package com.abiquo.aim.storage.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.core.error.AimException;
import io.grpc.Status;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class DeadlineTest {
    @Test
    void returnsTheResultAndPassesTypedFailuresOn() throws Exception {
        try (Deadline deadline = new Deadline()) {
            assertEquals("done", deadline.run("work", Duration.ofSeconds(5), () -> "done"));
            AimException typed = AimException.notFound("X", "no such thing");
            assertSame(typed, assertThrows(AimException.class,
                    () -> deadline.run("work", Duration.ofSeconds(5), () -> {
                        throw typed;
                    })));
            AimException unexpected = assertThrows(AimException.class,
                    () -> deadline.run("work", Duration.ofSeconds(5), () -> {
                        throw new IllegalStateException("bug");
                    }));
            assertEquals(Status.Code.INTERNAL, unexpected.code());
        }
    }

    @Test
    void givesUpOnWorkThatHangs() throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        try (Deadline deadline = new Deadline()) {
            long start = System.nanoTime();
            AimException late = assertThrows(AimException.class,
                    () -> deadline.run("refreshing pool p", Duration.ofMillis(300), () -> {
                        try {
                            never.await();
                        } catch (InterruptedException cancelled) {
                            Thread.currentThread().interrupt();
                        }
                        return null;
                    }));
            assertEquals(Status.Code.DEADLINE_EXCEEDED, late.code());
            assertTrue(late.getMessage().startsWith("refreshing pool p did not finish"), late.getMessage());
            assertTrue(System.nanoTime() - start < 3_000_000_000L);
        }
    }
}
