package com.abiquo.aim.dist.bench;

import com.abiquo.aim.dist.bench.FleetReaders.Receipt;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One node's count: the events its journal holds (ListEvents) after the stream's first marker, against what the
 * consumer group received. Lost: journaled, never received. Duplicates: deliveries beyond the first of an entry.
 * Out of order: an entry a reader got below one it had already got from that stream (first deliveries only; across
 * readers there is no order, docs/eventbus.md).
 */
record FleetTally(String stream, int markers, int journaled, int received, int lost, int unexpected, int duplicates,
        int outOfOrder) {
    private static final Comparator<Receipt> BY_ID =
            Comparator.comparingLong(Receipt::idMillisPart).thenComparingLong(Receipt::idSequencePart);

    static FleetTally of(String stream, List<Long> journal, List<Receipt> receipts) {
        long firstMarker = receipts.stream().filter(receipt -> receipt.type().equals("marker"))
                .mapToLong(Receipt::sequence).min().orElse(Long.MIN_VALUE);
        int markers = (int) receipts.stream().filter(receipt -> receipt.type().equals("marker"))
                .map(Receipt::id).distinct().count();
        Set<Long> journaled = new HashSet<>();
        journal.stream().filter(sequence -> sequence > firstMarker).forEach(journaled::add);
        Set<Long> received = new HashSet<>();
        receipts.stream().filter(receipt -> receipt.type().equals("event")).forEach(r -> received.add(r.sequence()));
        int lost = (int) journaled.stream().filter(sequence -> !received.contains(sequence)).count();
        int unexpected = (int) received.stream().filter(sequence -> !journaled.contains(sequence)).count();
        int duplicates = receipts.size() - (int) receipts.stream().map(Receipt::id).distinct().count();
        return new FleetTally(stream, markers, journaled.size(), received.size(), lost, unexpected, duplicates,
                outOfOrder(receipts));
    }

    private static int outOfOrder(List<Receipt> receipts) {
        Map<Integer, Receipt> newestByReader = new HashMap<>();
        int outOfOrder = 0;
        for (Receipt receipt : receipts) {
            if (receipt.redelivered()) {
                continue;
            }
            Receipt newest = newestByReader.get(receipt.reader());
            if (newest != null && BY_ID.compare(receipt, newest) < 0) {
                outOfOrder++;
            } else {
                newestByReader.put(receipt.reader(), receipt);
            }
        }
        return outOfOrder;
    }
}
