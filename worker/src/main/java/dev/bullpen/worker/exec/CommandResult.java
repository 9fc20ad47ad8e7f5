package dev.bullpen.worker.exec;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The result of a {@code bullpen.exec} call whose program exited with code 0, stored as the JSON
 * object {@code {"exit_code", "stdout", "stderr", "duration", "stdout_truncated", "stderr_truncated"}}.
 *
 * @param exitCode the program's exit code: 0 here, since any other is a FAILURE {@link CommandFailed}
 * @param stdout what the program wrote to stdout, decoded as UTF-8 (bad bytes become U+FFFD), at
 *        most {@code bullpen.worker.exec.max-output} bytes of it
 * @param stderr the same for stderr
 * @param duration seconds from the program's start to its exit
 * @param stdoutTruncated the program wrote more to stdout than was kept
 * @param stderrTruncated the program wrote more to stderr than was kept
 */
public record CommandResult(@JsonProperty("exit_code") int exitCode, @JsonProperty("stdout") String stdout,
        @JsonProperty("stderr") String stderr, @JsonProperty("duration") double duration,
        @JsonProperty("stdout_truncated") boolean stdoutTruncated,
        @JsonProperty("stderr_truncated") boolean stderrTruncated) {
}
