package com.abiquo.aim.eventbus.legacy;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import com.abiquo.aim.core.spi.EventFeed;
import com.abiquo.aim.eventbus.Backoff;
import com.abiquo.aim.eventbus.BusStatus;
import com.abiquo.aim.eventbus.PublisherMetrics;
import com.abiquo.aim.eventbus.PublisherMetrics.ErrorKind;
import com.abiquo.aim.eventbus.redis.RedisConnector;
import com.abiquo.aim.eventbus.redis.RedisFailure;
import com.abiquo.aim.v1.DomainEvent;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * AIM 2.x's Redis publishing, for Abiquo controllers that read it: {@code PUBLISH EventingChannel
 * <name>|<EVENT>|<address>} for a domain the controller subscribed to ({@code VirtualMachine:name:<name>}) on a
 * node it monitors ({@code PhysicalMachine:address:<address>}); a VM whose hash names another node is published only
 * when it powers on or resumes here, as MOVED then POWER_ON, after the hash is pointed at this node.
 *
 * <p>Unlike the original (a connection per event, events dropped while Redis was away) it holds one connection and
 * follows the journal with its own position: what happened while Redis was away is published in order once it is
 * back (at least once: an event whose PUBLISH was sent but not answered is sent again). An outage longer than the
 * journal loses the dropped events, with a warning: the original had no way to replay them either.
 */
public final class LegacyPublisher implements Runnable {
    public static final String CHANNEL = "EventingChannel";
    private static final Logger LOG = LogManager.getLogger(LegacyPublisher.class);
    private static final Duration IDLE_WAIT = Duration.ofSeconds(1);
    private static final int BATCH = 256;

    private final Supplier<Optional<EventFeed>> feeds;
    private final RedisConnector connector;
    private final BusStatus status;
    private final Backoff backoff;
    private final PublisherMetrics metrics;
    private volatile boolean stopped;
    private long cursor = -1;

    public LegacyPublisher(Supplier<Optional<EventFeed>> feeds, RedisConnector connector, BusStatus status,
                           Backoff backoff, PublisherMetrics metrics) {
        this.feeds = requireNonNull(feeds, "feeds is null");
        this.connector = requireNonNull(connector, "connector is null");
        this.status = requireNonNull(status, "status is null");
        this.backoff = requireNonNull(backoff, "backoff is null");
        this.metrics = requireNonNull(metrics, "metrics is null");
    }

    public void stop() {
        stopped = true;
    }

    @Override
    public void run() {
        while (!stopped) {
            Optional<EventFeed> feed = feeds.get();
            if (feed.isEmpty()) {
                status.notServing("the events monitor is not running (no event journal to follow)", -1);
                pause(IDLE_WAIT);
                continue;
            }
            if (cursor < 0) {
                // what was journaled before this publisher started is history AIM 2.x never published
                advance(feed.get().newestSequence());
            }
            Jedis jedis = null;
            try {
                jedis = connector.open();
                follow(feed.get(), jedis, localAddress());
            } catch (RedisFailure failure) {
                metrics.failed(ErrorKind.of(failure, true));
                status.notServing(connector.endpoint() + ": " + failure.getMessage(), behind(feed.get()));
                pause(backoff.next());
            } catch (JedisException failure) {
                metrics.failed(ErrorKind.of(failure, false));
                status.notServing(connector.endpoint() + ": " + RedisFailure.of(connector.endpoint(), failure)
                        .getMessage(), behind(feed.get()));
                pause(backoff.next());
            } catch (IOException noRoute) {
                metrics.failed(ErrorKind.CONNECT);
                status.notServing("no local address towards " + connector.endpoint() + ": " + noRoute.getMessage(),
                        behind(feed.get()));
                pause(backoff.next());
            } catch (InterruptedException interrupted) {
                break;
            } finally {
                if (jedis != null) {
                    RedisConnector.closeQuietly(jedis);
                }
            }
        }
    }

    private void follow(EventFeed feed, Jedis jedis, String address) throws InterruptedException {
        while (!stopped) {
            Optional<List<DomainEvent>> batch = feed.readAfter(cursor, BATCH);
            if (batch.isEmpty()) {
                long oldest = feed.oldestSequence();
                LOG.warn("AIM 2.x publishing: {} events left the journal before Redis at {} could take them; they are"
                        + " not published (enlarge [monitor] journalSize for longer outages)",
                        oldest - 1 - cursor, connector.endpoint());
                advance(oldest - 1);
                continue;
            }
            if (batch.get().isEmpty()) {
                status.serving();
                backoff.reset();
                feed.awaitAfter(cursor, IDLE_WAIT);
                continue;
            }
            for (DomainEvent event : batch.get()) {
                publish(jedis, event, address);
                advance(event.getSequence());
            }
            status.serving();
        }
    }

    /** The original's gating, then its PUBLISHes. */
    private void publish(Jedis jedis, DomainEvent event, String address) {
        Optional<String> name = LegacyEvents.name(event);
        if (name.isEmpty()) {
            return;
        }
        String domain = event.getDomainName();
        Set<String> subscriptions = jedis.smembers("VirtualMachine:name:" + domain);
        if (subscriptions.isEmpty()) {
            return;
        }
        Set<String> monitors = jedis.smembers("PhysicalMachine:address:" + address);
        if (monitors.isEmpty()) {
            return;
        }
        String vm = "VirtualMachine:" + subscriptions.iterator().next();
        String monitor = monitors.iterator().next();
        String lastSeenOn = jedis.hget(vm, "physicalMachine_id");
        if (lastSeenOn != null && !lastSeenOn.equals(monitor)) {
            if (!name.get().equals(LegacyEvents.POWER_ON) && !name.get().equals(LegacyEvents.RESUMED)) {
                return; // the VM is another node's: its events there are that node's to publish
            }
            jedis.hset(vm, "physicalMachine_id", monitor);
            send(jedis, domain, LegacyEvents.MOVED, address);
            send(jedis, domain, LegacyEvents.POWER_ON, address);
            return;
        }
        send(jedis, domain, name.get(), address);
    }

    private void send(Jedis jedis, String domain, String event, String address) {
        jedis.publish(CHANNEL.getBytes(UTF_8), message(domain, event, address));
        metrics.legacyMessage(event);
    }

    private static byte[] message(String domain, String event, String address) {
        return (domain + "|" + event + "|" + address).getBytes(UTF_8);
    }

    /** This node's address as Redis sees it: the local address of a socket towards it (a UDP connect sends nothing). */
    private String localAddress() throws IOException {
        try (DatagramSocket probe = new DatagramSocket()) {
            probe.connect(new InetSocketAddress(connector.endpoint().host(), connector.endpoint().port()));
            return probe.getLocalAddress().getHostAddress();
        }
    }

    private void advance(long sequence) {
        cursor = sequence;
        metrics.published(sequence);
    }

    private long behind(EventFeed feed) {
        return cursor < 0 ? -1 : Math.max(0, feed.newestSequence() - cursor);
    }

    private void pause(Duration wait) {
        try {
            Thread.sleep(wait.toMillis());
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            stopped = true;
        }
    }
}
