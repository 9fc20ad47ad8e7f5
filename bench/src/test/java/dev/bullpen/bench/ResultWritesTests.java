package dev.bullpen.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResultWritesTests {

    @TempDir
    Path dir;

    @Test
    void countsEverySuccessWriteOfATaskKeyAndNothingElse() throws Exception {
        Path aof = dir.resolve("appendonly.aof.1.incr.aof");
        Files.writeString(aof, command("SELECT", "0")
                + command("SET", "p:celery-task-meta-a", "{\"status\": \"STARTED\"}", "PXAT", "1796198077870")
                + command("SET", "p:celery-task-meta-a", "{\"status\": \"SUCCESS\", \"result\": 1}", "PXAT", "1796198077870")
                + command("SETEX", "p:celery-task-meta-b", "60", "{\"status\": \"SUCCESS\"}")
                + command("MULTI") + command("SET", "p:celery-task-meta-a", "{\"status\": \"SUCCESS\"}") + command("EXEC")
                + command("SET", "other-key", "{\"status\": \"SUCCESS\"}")
                + command("SET", "p:celery-task-meta-c", "{\"status\": \"FAILURE\"}")
                // a file being written: the last command is cut short
                + "*3\r\n$3\r\nSET\r\n$20\r\np:celery-task-meta-b\r\n$30\r\n{\"status\": \"SUC", StandardCharsets.UTF_8);

        ResultWrites writes = ResultWrites.read(List.of(aof), "p:");

        assertThat(writes.successWrites("a")).isEqualTo(2);
        assertThat(writes.successWrites("b")).isEqualTo(1);
        assertThat(writes.successWrites("c")).isZero();
        assertThat(writes.duplicates(List.of("a", "b", "c"))).isEqualTo(1);
    }

    private static String command(String... args) {
        StringBuilder out = new StringBuilder("*").append(args.length).append("\r\n");
        for (String arg : args) {
            out.append('$').append(arg.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(arg).append("\r\n");
        }
        return out.toString();
    }
}
