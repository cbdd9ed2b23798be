package com.abiquo.aim.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
            assertFalse(sameDone.await(300, TimeUnit.MILLISECONDS), "a call on the same bridge must wait");
        }
        assertTrue(sameDone.await(5, TimeUnit.SECONDS));
        Thread.sleep(50);
        assertEquals(0, locks.size(), "locks nobody holds are forgotten");
    }
}
