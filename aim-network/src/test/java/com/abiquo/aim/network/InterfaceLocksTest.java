package com.abiquo.aim.network;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class InterfaceLocksTest {
    @Test
    void sameInterfaceWaitsOtherInterfacesDoNot() throws Exception {
        InterfaceLocks locks = new InterfaceLocks();
        CountDownLatch otherDone = new CountDownLatch(1);
        CountDownLatch sameDone = new CountDownLatch(1);
        try (InterfaceLocks.Held held = locks.lock("eth0.5", "abiquo_5")) {
            Thread other = new Thread(() -> {
                try (InterfaceLocks.Held h = locks.lock("eth0.6", "abiquo_6")) {
                    otherDone.countDown();
                }
            });
            Thread same = new Thread(() -> {
                try (InterfaceLocks.Held h = locks.lock("abiquo_5", "eth1.5")) {
                    sameDone.countDown();
                }
            });
            other.start();
            same.start();
            assertTrue(otherDone.await(5, TimeUnit.SECONDS), "a different VLAN must not wait");
            // Bounded negative check: the call on the same bridge is still waiting after 300 ms.
            assertFalse(sameDone.await(300, TimeUnit.MILLISECONDS), "a call on the same bridge must wait");
        }
        assertTrue(sameDone.await(5, TimeUnit.SECONDS));
    }

    @Test
    void twoCallsTakingTheSameInterfacesInOppositeOrderDoNotDeadlock() throws Exception {
        InterfaceLocks locks = new InterfaceLocks();
        CountDownLatch done = new CountDownLatch(2);
        Runnable forward = () -> {
            for (int i = 0; i < 2_000; i++) {
                try (InterfaceLocks.Held h = locks.lock("eth0.7", "abiquo_7")) {
                    Thread.onSpinWait();
                }
            }
            done.countDown();
        };
        Runnable backward = () -> {
            for (int i = 0; i < 2_000; i++) {
                try (InterfaceLocks.Held h = locks.lock("abiquo_7", "eth0.7")) {
                    Thread.onSpinWait();
                }
            }
            done.countDown();
        };
        new Thread(forward).start();
        new Thread(backward).start();
        assertTrue(done.await(10, TimeUnit.SECONDS), "the two calls deadlocked");
    }

    @Test
    void aNameGivenTwiceIsTakenAndReleased() throws Exception {
        InterfaceLocks locks = new InterfaceLocks();
        try (InterfaceLocks.Held held = locks.lock("br0", "br0")) {
            // held twice, released twice
        }
        CountDownLatch taken = new CountDownLatch(1);
        new Thread(() -> {
            try (InterfaceLocks.Held h = locks.lock("br0")) {
                taken.countDown();
            }
        }).start();
        assertTrue(taken.await(5, TimeUnit.SECONDS), "br0 stayed locked");
    }
}
