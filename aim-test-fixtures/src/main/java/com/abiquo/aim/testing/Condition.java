package com.abiquo.aim.testing;

/** Something a test checks again and again: a wait's goal, or the event a negative check watches for. */
@FunctionalInterface
public interface Condition {
    boolean holds() throws Exception;
}
