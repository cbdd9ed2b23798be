package com.abiquo.aim.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;

/** PrivateRedis with the real redis-server (scripts/setup.d/60-redis.sh). */
@Tag("system")
class PrivateRedisSystemTest {
    private static final int KEYS = 5_000;

    @Test
    void aStartAfterAKillReturnsOnceTheAofIsLoadedNotWhileRedisAnswersLoading() throws Exception {
        SystemTestRequirements.requireExecutable(Path.of("/usr/bin/redis-server"), "scripts/setup.d/60-redis.sh");
        // key-load-delay (a redis-server setting for its own tests) spends 200 µs on each key it loads: the AOF of
        // 5,000 keys takes about a second to load, during which redis answers every command with LOADING.
        // appendfsync always: every acknowledged write is in the AOF before the kill.
        try (PrivateRedis redis = new PrivateRedis(true, "--appendfsync", "always", "--key-load-delay", "200")) {
            redis.start();
            try (Jedis jedis = redis.client()) {
                Pipeline pipeline = jedis.pipelined();
                for (int i = 0; i < KEYS; i++) {
                    pipeline.set("key-" + i, "value");
                }
                pipeline.sync();
            }
            redis.kill();
            redis.start();
            try (Jedis jedis = redis.client()) {
                // before the fix, start() returned at the first answer, LOADING: this threw JedisDataException
                assertEquals(KEYS, jedis.dbSize());
            }
        }
    }
}
