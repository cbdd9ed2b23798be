package com.abiquo.aim.libvirt.events.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** The benchmark's side of a {@link SubscriberProcess}: starts it, waits for its arrivals, collects its receipts. */
final class RemoteSubscribers implements AutoCloseable {
    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    RemoteSubscribers(int port, String uuid, int subscribers, int perChannel, int maxEvents) throws Exception {
        process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g",
                "-cp", System.getProperty("java.class.path"), SubscriberProcess.class.getName(),
                Integer.toString(port), uuid, Integer.toString(subscribers), Integer.toString(perChannel),
                Integer.toString(maxEvents))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.US_ASCII))) {
                String line;
                while ((line = in.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException closed) {
                // the process ended
            }
            lines.add("EOF");
        }, "bench-subscribers-reader");
        reader.setDaemon(true);
        reader.start();
        String ready = lines.poll(120, TimeUnit.SECONDS);
        if (!"READY".equals(ready)) {
            close();
            throw new IllegalStateException("the subscribers' process said " + ready + " instead of READY");
        }
    }

    /** Waits until the k-th event (from 0) reached every subscriber. @return its sequence number */
    long awaitArrived(int k) throws InterruptedException {
        String arrived = lines.poll(10, TimeUnit.SECONDS);
        if (arrived == null || !arrived.startsWith("ARRIVED " + k + " ")) {
            throw new IllegalStateException("event " + k + ": the subscribers' process said " + arrived);
        }
        return Long.parseLong(arrived.split(" ")[2]);
    }

    /** Every subscriber's receipt time (System.nanoTime) of each event that reached them all, by event index. */
    Map<Integer, long[]> receipts() throws IOException, InterruptedException {
        process.getOutputStream().write("DUMP\n".getBytes(StandardCharsets.US_ASCII));
        process.getOutputStream().flush();
        Map<Integer, long[]> receipts = new HashMap<>();
        String line;
        while (!"END".equals(line = lines.poll(60, TimeUnit.SECONDS))) {
            if (line == null || line.equals("EOF")) {
                throw new IllegalStateException("the subscribers' process ended without its receipts");
            }
            if (!line.startsWith("R ")) {
                continue;
            }
            String[] fields = line.split(" ");
            long[] times = new long[fields.length - 3];
            for (int i = 0; i < times.length; i++) {
                times[i] = Long.parseLong(fields[3 + i]);
            }
            receipts.put(Integer.parseInt(fields[1]), times);
        }
        return receipts;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        process.waitFor(10, TimeUnit.SECONDS);
    }
}
