package dev.bullpen.worker.internal.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bullpen.protocol.CeleryJson;
import dev.bullpen.protocol.TaskMessageBuilder;
import dev.bullpen.worker.Args;
import dev.bullpen.worker.Kwargs;
import dev.bullpen.worker.TaskContext;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

class TaskMethodTests {

    record Point(int x, int y) {
    }

    static class Tasks {
        long add(long x, long y) {
            return x + y;
        }

        String greet(String name, Optional<String> greeting) {
            return greeting.orElse("hello") + " " + name;
        }

        int norm(Point p) {
            return Math.abs(p.x()) + Math.abs(p.y());
        }

        String whoAmI(TaskContext context, int n) {
            return context.id() + ":" + context.retries() + ":" + n;
        }

        Map<String, Object> echo(String first, @Args List<Object> rest, @Kwargs Map<String, Object> options) {
            return Map.of("first", first, "rest", rest, "options", options);
        }

        Object boom() throws java.io.IOException {
            throw new java.io.IOException("disk on fire");
        }
    }

    @Test
    void bindsPositionallyThenByName() throws Throwable {
        assertThat(call("add", "[2, 3]", "{}")).isEqualTo(5L);
        assertThat(call("add", "[2]", "{\"y\": 40}")).isEqualTo(42L);
        assertThat(call("add", "[]", "{\"y\": 1, \"x\": 2}")).isEqualTo(3L);
    }

    @Test
    void convertsJsonToParameterTypesWithJackson() throws Throwable {
        assertThat(call("norm", "[{\"x\": -3, \"y\": 4}]", "{}")).isEqualTo(7);
        assertThat(call("add", "[2.0, 3]", "{}")).isEqualTo(5L);
    }

    @Test
    void optionalParametersMayBeLeftOut() throws Throwable {
        assertThat(call("greet", "[\"ada\"]", "{}")).isEqualTo("hello ada");
        assertThat(call("greet", "[\"ada\"]", "{\"greeting\": \"hi\"}")).isEqualTo("hi ada");
    }

    @Test
    void collectsTheRestInArgsAndKwargs() throws Throwable {
        assertThat(call("echo", "[\"a\", 1, true]", "{\"k\": null}"))
                .isEqualTo(Map.of("first", "a", "rest", List.of(1, true), "options", java.util.Collections.singletonMap("k", null)));
    }

    @Test
    void givesTheContextToParametersOfThatType() throws Throwable {
        assertThat(call("whoAmI", "[7]", "{}")).isEqualTo("id-1:0:7");
    }

    @Test
    void reportsCallsThatDoNotFitAsPythonWould() {
        assertThatThrownBy(() -> call("add", "[1, 2, 3]", "{}")).isInstanceOf(TaskArgumentException.class)
                .hasMessage("t() takes 2 positional arguments but 3 were given");
        assertThatThrownBy(() -> call("add", "[1]", "{}")).hasMessage("t() missing required argument 'y'");
        assertThatThrownBy(() -> call("add", "[1, 2]", "{\"x\": 1}")).hasMessage("t() got multiple values for argument 'x'");
        assertThatThrownBy(() -> call("add", "[1, 2]", "{\"z\": 1}")).hasMessage("t() got an unexpected keyword argument 'z'");
        assertThatThrownBy(() -> call("add", "[null, 2]", "{}")).hasMessage("t() argument 'x' must be long, got None");
        assertThatThrownBy(() -> call("norm", "[[1, 2]]", "{}")).hasMessageStartingWith("t() argument 'p': cannot convert [1,2]");
    }

    @Test
    void rethrowsWhatTheTaskThrows() {
        assertThatThrownBy(() -> call("boom", "[]", "{}")).isInstanceOf(java.io.IOException.class).hasMessage("disk on fire");
    }

    private static Object call(String method, String args, String kwargs) throws Throwable {
        var m = java.util.Arrays.stream(Tasks.class.getDeclaredMethods()).filter(x -> x.getName().equals(method))
                .findFirst().orElseThrow();
        var message = TaskMessageBuilder.of("t", "id-1")
                .args((ArrayNode) CeleryJson.mapper().readTree(args))
                .kwargs((ObjectNode) CeleryJson.mapper().readTree(kwargs))
                .build();
        return new TaskMethod("t", new Tasks(), m).invoke(new Invocation(message, "q", "w@test"));
    }
}
