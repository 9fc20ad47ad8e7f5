package dev.bullpen.result;

import dev.bullpen.protocol.CeleryJson;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.NullNode;

/**
 * The errors Bullpen stores in Celery's name rather than a Java exception's: one place for their
 * type, module and arguments, so that what Celery's tools read ({@code exc_type}, {@code exc_module},
 * {@code exc_message}) is written the same way everywhere. Python's {@code AsyncResult.get()} raises
 * the class these name; changing a word here changes what Python clients catch.
 */
public final class CeleryErrors {

    /** Celery's exceptions module: what Python clients import these from. */
    public static final String CELERY = "celery.exceptions";
    /** Python's built-in exceptions. */
    public static final String BUILTINS = "builtins";
    /** Bullpen's own errors, unknown to Python (which raises a generic exception for them, with the message). */
    public static final String BULLPEN = "bullpen.exceptions";
    /** {@link #resultStoreError}'s qualified name, as a dead letter's exception header gives it. */
    public static final String RESULT_STORE_ERROR = BULLPEN + ".ResultStoreError";

    private CeleryErrors() {
    }

    /** {@code NotRegistered(name)}: no task of that name here, as a Celery worker stores it. */
    public static RemoteError notRegistered(String taskName) {
        return of("NotRegistered", CELERY, text(taskName), null);
    }

    /** {@code TaskRevokedError(reason)}: revoked before it ran ({@code "revoked"}, {@code "expired"}) or while. */
    public static RemoteError revoked(String reason) {
        return of("TaskRevokedError", CELERY, text(reason), null);
    }

    /** {@code TaskRevokedError("terminated")}: revoked with terminate while it ran. */
    public static RemoteError terminated() {
        return revoked("terminated");
    }

    /** {@code TimeLimitExceeded(seconds)}: the hard time limit passed; Celery's argument is the limit in seconds, a float. */
    public static RemoteError timeLimitExceeded(Duration hardLimit) {
        return of("TimeLimitExceeded", CELERY, CeleryJson.mapper().getNodeFactory().numberNode(hardLimit.toNanos() / 1e9),
                null);
    }

    /** {@code SoftTimeLimitExceeded(message)}: what a task sees when its soft limit passes, if it lets it out. */
    public static RemoteError softTimeLimitExceeded(@Nullable String message, @Nullable String traceback) {
        return of("SoftTimeLimitExceeded", CELERY, text(message), traceback);
    }

    /** {@code MaxRetriesExceededError}: a retry asked for with no cause, past the task's retries. */
    public static RemoteError maxRetriesExceeded(String taskName, String taskId) {
        return of("MaxRetriesExceededError", CELERY, text("Can't retry " + taskName + "[" + taskId + "]"), null);
    }

    /** {@code Retry(message)}: stored with RETRY when the task asked for a retry with no cause. */
    public static RemoteError retry(String message) {
        return of("Retry", CELERY, text(message), null);
    }

    /** {@code Retry("Retry in <n>s")}: as {@link #retry(String)}, saying when. */
    public static RemoteError retryIn(Duration delay) {
        return retry("Retry in " + delay.toSeconds() + "s");
    }

    /** {@code ChordError(reason)}: a chord's body, failed because a header task did. */
    public static RemoteError chordError(String reason) {
        return of("ChordError", CELERY, text(reason), null);
    }

    /** Python's {@code TypeError(message)}: arguments that do not fit the task. */
    public static RemoteError typeError(@Nullable String message, @Nullable String traceback) {
        return of("TypeError", BUILTINS, text(message), traceback);
    }

    /** Python's {@code ValueError(message)}. */
    public static RemoteError valueError(String message) {
        return of("ValueError", BUILTINS, text(message), null);
    }

    /** Bullpen's {@code ResultTooLarge(why)}: stored in place of a result over the limit. */
    public static RemoteError resultTooLarge(@Nullable String why) {
        return of("ResultTooLarge", BULLPEN, text(why), null);
    }

    /** Bullpen's {@code ResultStoreError(why)}: stored in place of a result the store refused. */
    public static RemoteError resultStoreError(@Nullable String why) {
        return of("ResultStoreError", BULLPEN, text(why), null);
    }

    private static RemoteError of(String type, String module, JsonNode argument, @Nullable String traceback) {
        return new RemoteError(type, module, List.of(argument), traceback);
    }

    /** An exception's message may be null (Python's {@code None}); the wire carries it as JSON null. */
    private static JsonNode text(@Nullable String value) {
        return value == null ? NullNode.getInstance() : CeleryJson.mapper().getNodeFactory().stringNode(value);
    }
}
