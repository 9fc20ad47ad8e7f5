package dev.bullpen.producer.workflow;

import dev.bullpen.autoconfigure.ResultProperties;
import dev.bullpen.client.PoolMap;
import dev.bullpen.protocol.CeleryJson;
import java.util.Optional;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;

/**
 * What a pool map sent over HTTP was, so that {@code GET /api/maps/{id}} can put its group's results
 * back in input order: {@code <bullpen.result.key-prefix>bullpen-map-<group id>} holds the request's
 * own {@code {"map"|"starmap"|"chunks": {...}}}, for as long as the results are kept. The group's
 * task ids are Celery's saved group beside it.
 */
@Component
class PoolMapStore {

    static final String KEY_PREFIX = "bullpen-map-";

    private final StringRedisTemplate redis;
    private final ResultProperties results;

    PoolMapStore(StringRedisTemplate redis, ResultProperties results) {
        this.redis = redis;
        this.results = results;
    }

    void save(String groupId, PoolMap map) {
        String value = PoolMapReader.write(map).toString();
        if (results.expires().isZero()) {
            redis.opsForValue().set(key(groupId), value);
        } else {
            redis.opsForValue().set(key(groupId), value, results.expires());
        }
    }

    Optional<PoolMap> find(String groupId) {
        String value = redis.opsForValue().get(key(groupId));
        if (value == null) {
            return Optional.empty();
        }
        JsonNode json = CeleryJson.mapper().readTree(value);
        String kind = json.propertyNames().iterator().next();
        return Optional.of(PoolMapReader.read(kind, json.get(kind), kind));
    }

    private String key(String groupId) {
        return results.keyPrefix() + KEY_PREFIX + groupId;
    }
}
