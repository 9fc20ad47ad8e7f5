package dev.bullpen.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bullpen.protocol.CeleryJson;
import dev.bullpen.protocol.Signature;
import org.junit.jupiter.api.Test;

/** Celery's built-in pool tasks are routed by the task they run, as Celery's {@code route_name} does. */
class RouteNameTests {

    @Test
    void aBuiltinIsRoutedByItsTask() {
        Signature starmap = Signature.fromJson(CeleryJson.mapper().readTree("""
                {"task": "celery.starmap", "args": [], "kwargs": {"task": {"task": "demo.add", "args": [], "kwargs": {},
                 "options": {}, "subtask_type": null, "immutable": false}, "it": [[1, 2]]}, "options": {},
                 "subtask_type": null, "immutable": true}"""));
        assertThat(SignatureMessages.routeName(starmap)).isEqualTo("demo.add");
    }

    @Test
    void anOrdinaryTaskIsRoutedByItsName() {
        assertThat(SignatureMessages.routeName(Signature.of("demo.add"))).isEqualTo("demo.add");
        assertThat(SignatureMessages.routeName(Signature.of("celery.map"))).as("no task to route by").isEqualTo("celery.map");
    }
}
