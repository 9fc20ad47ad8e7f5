package dev.bullpen.result;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What recording one chord header result found.
 *
 * @param firstFailure this result is the header's first failure seen by a Bullpen worker: the
 *        caller fails the body now, without waiting for the rest of the header
 * @param failureHandled a Bullpen worker had already failed the body before this result
 * @param complete every header result, in {@code group_index} order, when this result completed
 *        the header (or a header task ran again after that); {@code null} while some are missing
 */
public record ChordProgress(boolean firstFailure, boolean failureHandled, @Nullable List<ChordEntry> complete) {
}
