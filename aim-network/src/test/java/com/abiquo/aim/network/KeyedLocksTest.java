package com.abiquo.aim.network;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.testing.NegativeCheck;
import com.abiquo.aim.testing.Waits;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class KeyedLocksTest {
    @Test
    void sameKeyWaitsOtherKeysDoNot() throws Exception {
        KeyedLocks locks = new KeyedLocks();
        CountDownLatch otherDone = new CountDownLatch(1);
        CountDownLatch sameDone = new CountDownLatch(1);
        try (KeyedLocks.Held held = locks.lock("eth0.5", "abiquo_5")) {
            Thread other = new Thread(() -> {
                try (KeyedLocks.Held h = locks.lock("eth0.6", "abiquo_6")) {
                    otherDone.countDown();
                }
            });
            Thread same = new Thread(() -> {
                try (KeyedLocks.Held h = locks.lock("abiquo_5", "eth1.5")) {
                    sameDone.countDown();
                }
            });
            other.start();
            same.start();
            assertTrue(otherDone.await(5, TimeUnit.SECONDS), "a different VLAN must not wait");
            // Bounded negative check: the other key's thread, started at the same time, has already got its lock;
            // a same-key thread that did not wait would get it as fast. 300 ms is many times that.
            NegativeCheck.during(Duration.ofMillis(300), "a call on the same bridge takes the held lock",
                    () -> sameDone.getCount() == 0);
        }
        assertTrue(sameDone.await(5, TimeUnit.SECONDS));
        // the count-down comes before the unlock: wait for the unlock to forget the lock
        Waits.await("locks nobody holds to be forgotten", Duration.ofSeconds(5), () -> locks.size() == 0);
    }
}
