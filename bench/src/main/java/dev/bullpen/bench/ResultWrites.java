package dev.bullpen.bench;

import org.jspecify.annotations.Nullable;
import dev.bullpen.protocol.CeleryJson;
import dev.bullpen.result.RedisResultBackend;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tools.jackson.core.JacksonException;

/**
 * How many times Redis actually wrote a SUCCESS result for each task, read from the private Redis's
 * append-only file. Redis logs a script's effects, not the script, so a write the store script
 * refused (a SUCCESS already there) leaves no trace and every {@code SET} found is a real write.
 */
final class ResultWrites {

    private final Map<String, Integer> successWrites;

    private ResultWrites(Map<String, Integer> successWrites) {
        this.successWrites = successWrites;
    }

    /** Reads the files; a command cut short at the end (a file being written) is ignored. */
    static ResultWrites read(List<Path> appendOnlyFiles, String keyPrefix) throws IOException {
        String keyStart = keyPrefix + RedisResultBackend.TASK_KEY_PREFIX;
        Map<String, Integer> counts = new HashMap<>();
        for (Path file : appendOnlyFiles) {
            byte[] bytes = Files.readAllBytes(file);
            Resp resp = new Resp(bytes);
            List<String> command;
            while ((command = resp.next()) != null) {
                String name = command.getFirst().toUpperCase(Locale.ROOT);
                int value = switch (name) {
                    case "SET", "SETNX", "GETSET" -> 2;
                    case "SETEX", "PSETEX" -> 3;
                    default -> -1;
                };
                if (value < 0 || command.size() <= value || !command.get(1).startsWith(keyStart)) {
                    continue;
                }
                if (isSuccess(command.get(value))) {
                    counts.merge(command.get(1).substring(keyStart.length()), 1, Integer::sum);
                }
            }
        }
        return new ResultWrites(counts);
    }

    private static boolean isSuccess(String json) {
        try {
            return "SUCCESS".equals(CeleryJson.mapper().readTree(json).path("status").asString());
        } catch (JacksonException ex) {
            return false;
        }
    }

    int successWrites(String taskId) {
        return successWrites.getOrDefault(taskId, 0);
    }

    /** SUCCESS writes beyond the first, summed over these tasks: must be zero. */
    long duplicates(Collection<String> taskIds) {
        return taskIds.stream().mapToLong(id -> Math.max(0, successWrites(id) - 1)).sum();
    }

    /** Just enough RESP to read an append-only file: arrays of bulk strings. */
    private static final class Resp {

        private final byte[] bytes;
        private int at;

        Resp(byte[] bytes) {
            this.bytes = bytes;
        }

        /** The next command's arguments, or null at the end or at a truncated last command. */
        @Nullable List<String> next() {
            try {
                if (at >= bytes.length || bytes[at] != '*') {
                    return null;
                }
                at++;
                int count = Integer.parseInt(line());
                List<String> args = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    if (bytes[at] != '$') {
                        return null;
                    }
                    at++;
                    int length = Integer.parseInt(line());
                    if (at + length + 2 > bytes.length) {
                        return null;
                    }
                    args.add(new String(bytes, at, length, StandardCharsets.UTF_8));
                    at += length + 2;
                }
                return args;
            } catch (RuntimeException truncated) {
                return null;
            }
        }

        private String line() {
            int start = at;
            while (bytes[at] != '\r') {
                at++;
            }
            String text = new String(bytes, start, at - start, StandardCharsets.US_ASCII);
            at += 2;
            return text;
        }
    }
}
