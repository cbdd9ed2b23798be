package com.abiquo.aim.eventbus.stream;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import com.abiquo.aim.core.spi.EventFeed;
import com.abiquo.aim.eventbus.redis.RedisConnector;
import com.abiquo.aim.eventbus.redis.RedisFailure;
import com.abiquo.aim.v1.DomainEvent;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;

/**
 * A Redis stream per node: each batch of events is one pipeline of XADDs with the sequence as the entry ID, so a
 * batch sent again after a lost connection is harmless (Redis refuses an ID at or below its top, and that counts as
 * stored). A snapshot is one MULTI/EXEC, so a consumer never sees half of one, even after an AOF restart (Redis drops
 * a transaction the file holds only part of).
 */
public final class RedisStreamSink implements EventSink {
    /** Redis's answer to an ID at or below the stream's top: the entry is there already. */
    static final String ALREADY_THERE = "equal or smaller than the target stream top item";

    private final RedisConnector connector;
    private final String key;
    private final StreamEntries entries;
    private final Clock clock;
    private Jedis jedis;

    public RedisStreamSink(RedisConnector connector, String key, StreamEntries entries, Clock clock) {
        this.connector = requireNonNull(connector, "connector is null");
        this.key = requireNonNull(key, "key is null");
        this.entries = requireNonNull(entries, "entries is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    @Override
    public String describe() {
        return connector.endpoint() + " stream " + key;
    }

    @Override
    public long open() throws SinkFailure {
        close();
        try {
            jedis = connector.open();
        } catch (RedisFailure failure) {
            throw new SinkFailure(failure.getMessage(), failure);
        }
        return lastSequence();
    }

    /** The millisecond part of the stream's last-generated-id: entries are {@code <sequence>-n}. */
    private long lastSequence() throws SinkFailure {
        Object info;
        try {
            info = jedis.sendCommand(Protocol.Command.XINFO, "STREAM".getBytes(UTF_8), key.getBytes(UTF_8));
        } catch (JedisDataException refused) {
            String message = String.valueOf(refused.getMessage());
            if (message.startsWith("ERR no such key")) {
                return 0;
            }
            if (message.startsWith("WRONGTYPE")) {
                throw wrongType(refused);
            }
            throw failure(refused, false);
        } catch (JedisException failure) {
            throw failure(failure, false);
        }
        if (info instanceof List<?> fields) {
            for (int index = 0; index + 1 < fields.size(); index += 2) {
                if ("last-generated-id".equals(text(fields.get(index)))) {
                    String id = text(fields.get(index + 1));
                    return Long.parseUnsignedLong(id.substring(0, id.indexOf('-')));
                }
            }
        }
        throw new SinkFailure("XINFO STREAM " + key + " gave no last-generated-id (" + info + ")", null);
    }

    private SinkFailure wrongType(JedisDataException refused) {
        String type;
        try {
            type = text(jedis.sendCommand(Protocol.Command.TYPE, key.getBytes(UTF_8)));
        } catch (JedisException unknown) {
            type = "another type";
        }
        return new SinkFailure("the key \"" + key + "\" in Redis database " + connector.endpoint().database()
                + " holds a " + type + ", not a stream: delete it, or set another [eventbus] stream", refused);
    }

    @Override
    public void publish(List<DomainEvent> events) throws SinkFailure {
        List<Response<Object>> answers = new ArrayList<>(events.size());
        try {
            Pipeline pipeline = new Pipeline(connection().getConnection());
            for (DomainEvent event : events) {
                answers.add(pipeline.sendCommand(Protocol.Command.XADD, entries.event(event)));
            }
            pipeline.sync();
        } catch (JedisException failure) {
            throw failure(failure, false);
        }
        JedisDataException refused = null;
        for (Response<Object> answer : answers) {
            try {
                answer.get();
                if (refused != null) {
                    // a later entry went in after one was refused (e.g. OOM that cleared): the stream has a hole
                    throw new SinkFailure("Redis refused an event but stored later ones (" + refused.getMessage()
                            + "); a snapshot follows so consumers can reconcile", refused, true);
                }
            } catch (JedisDataException answerError) {
                if (refused == null && !String.valueOf(answerError.getMessage()).contains(ALREADY_THERE)) {
                    refused = answerError;
                }
            }
        }
        if (refused != null) {
            if (String.valueOf(refused.getMessage()).startsWith("WRONGTYPE")) {
                throw wrongType(refused);
            }
            throw failure(refused, false);
        }
    }

    @Override
    public void publishSnapshot(EventFeed.Snapshot snapshot) throws SinkFailure {
        Response<Object> executed;
        try {
            Pipeline pipeline = new Pipeline(connection().getConnection());
            pipeline.sendCommand(Protocol.Command.MULTI, new byte[0][]);
            for (byte[][] command : entries.snapshot(snapshot, clock.instant())) {
                pipeline.sendCommand(Protocol.Command.XADD, command);
            }
            executed = pipeline.sendCommand(Protocol.Command.EXEC, new byte[0][]);
            pipeline.sync();
        } catch (JedisException failure) {
            throw failure(failure, false);
        }
        Object results;
        try {
            results = executed.get();
        } catch (JedisDataException aborted) {
            throw failure(aborted, false);
        }
        if (results instanceof List<?> answers) {
            for (Object answer : answers) {
                if (answer instanceof JedisDataException refused
                        && !String.valueOf(refused.getMessage()).contains(ALREADY_THERE)) {
                    if (String.valueOf(refused.getMessage()).startsWith("WRONGTYPE")) {
                        throw wrongType(refused);
                    }
                    throw failure(refused, false);
                }
            }
        }
    }

    private Jedis connection() throws SinkFailure {
        if (jedis == null) {
            throw new SinkFailure("not connected to " + describe(), null);
        }
        return jedis;
    }

    private SinkFailure failure(JedisException failure, boolean gap) {
        RedisFailure explained = RedisFailure.of(connector.endpoint(), failure);
        return new SinkFailure(explained.getMessage(), failure, gap);
    }

    private static String text(Object value) {
        return value instanceof byte[] bytes ? new String(bytes, UTF_8) : String.valueOf(value);
    }

    @Override
    public void close() {
        if (jedis != null) {
            RedisConnector.closeQuietly(jedis);
            jedis = null;
        }
    }
}
