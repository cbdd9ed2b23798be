package com.abiquo.aim.libvirt.domain;

import com.abiquo.aim.core.error.AimException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Lets callers who ask the same question at the same time share one libvirt round trip, without ever handing a
 * caller an answer older than its question.
 *
 * <p>A caller never joins a read that has already started: libvirt may have answered it before the caller's own
 * previous action finished (a client that powers a domain off and then asks its state must see it off). Instead it
 * joins the next read of the same key, which starts as soon as the running one ends and serves everyone who arrived
 * meanwhile. So at most two reads of a key are outstanding (one running, one waiting to start), however many callers
 * ask, and every answer comes from a read that started after its caller asked.
 *
 * <p>A caller who leads a read runs it on its own thread (the leader of the next read first waits for the running
 * one to end); a caller who joins gets a future and its thread is free at once, so a pool of a few threads serves
 * any number of callers of one domain with two of them.
 *
 * @param <K> what identifies a question (equal keys share reads)
 */
final class JoinedReads<K> {
    /** One read, as its callers wait for it. */
    @FunctionalInterface
    interface Read<V> {
        V get() throws AimException;
    }

    /** The reads of one key: at most one running and one not started yet (guarded by the JoinedReads). */
    private static final class Slot {
        CompletableFuture<Object> running;
        CompletableFuture<Object> next;
    }

    private final Map<K, Slot> slots = new HashMap<>(); // guarded by this

    /**
     * Reads {@code key} with {@code read} on this thread, or joins a read of the same key not started yet.
     *
     * @return the answer: done when this caller led the read, pending when it joined one
     */
    @SuppressWarnings("unchecked")
    <V> CompletableFuture<V> read(K key, Read<V> read) {
        CompletableFuture<Object> mine;
        CompletableFuture<Object> runningBefore = null;
        boolean leader = false;
        Slot slot;
        synchronized (this) {
            slot = slots.computeIfAbsent(key, unused -> new Slot());
            if (slot.next != null) {
                mine = slot.next;
            } else {
                mine = new CompletableFuture<>();
                leader = true;
                if (slot.running == null) {
                    slot.running = mine;
                } else {
                    slot.next = mine;
                    runningBefore = slot.running;
                }
            }
        }
        if (leader) {
            lead(key, slot, mine, runningBefore, read);
        }
        // each caller its own copy: one that cancels or completes its future changes no one else's answer
        return (CompletableFuture<V>) mine.copy();
    }

    /** Waits for an answer of {@link #read}, failing with the read's own failure. */
    static <V> V await(CompletableFuture<V> answer) throws AimException {
        try {
            return answer.join();
        } catch (CompletionException failed) {
            Throwable cause = failed.getCause();
            if (cause instanceof AimException aim) {
                throw aim;
            }
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException("the read failed: " + cause, cause); // a checked failure JNA let through
        }
    }

    /** Runs the read for everyone who joined it, once the read running before it (if any) has ended. */
    private <V> void lead(K key, Slot slot, CompletableFuture<Object> mine, CompletableFuture<Object> runningBefore,
                          Read<V> read) {
        if (runningBefore != null) {
            runningBefore.handle((value, failure) -> null).join();
            synchronized (this) {
                slot.running = mine;
                slot.next = null; // later callers wait for the read after this one
            }
        }
        try {
            mine.complete(read.get());
        } catch (Throwable failure) {
            // whatever it is, every caller of this read is answered with it: none may wait forever
            mine.completeExceptionally(failure);
        } finally {
            synchronized (this) {
                if (slot.running == mine) {
                    slot.running = null;
                    if (slot.next == null) {
                        slots.remove(key);
                    }
                }
            }
        }
    }

    /** Keys with a read running or waiting to start: nothing is kept once the reads end. */
    synchronized int keysInFlight() {
        return slots.size();
    }
}
