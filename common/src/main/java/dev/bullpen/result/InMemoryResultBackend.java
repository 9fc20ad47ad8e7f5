package dev.bullpen.result;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/** Results held in this JVM only: for tests and single-process use. Never expires. */
public final class InMemoryResultBackend implements ResultBackend {

    private final long maxBytes;
    private final Map<String, TaskResult> results = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<TaskResult>> ready = new ConcurrentHashMap<>();
    private final Map<String, List<String>> groups = new ConcurrentHashMap<>();
    private final Map<String, Chord> chords = new HashMap<>();

    /** One chord's header results so far, as the Redis backend's {@code .j .s .f} keys hold them. */
    private static final class Chord {
        final Map<String, Map.Entry<Double, ChordEntry>> entries = new HashMap<>();
        int size;
        boolean failed;
    }

    /** A backend that stores results of any size. */
    public InMemoryResultBackend() {
        this(Long.MAX_VALUE);
    }

    /** @param maxBytes the largest result stored, encoded as Redis would hold it */
    public InMemoryResultBackend(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    @Override
    public boolean store(TaskResult result) {
        if (maxBytes != Long.MAX_VALUE) {
            ResultCodec.requireWithin(result, ResultCodec.encode(result), maxBytes, ResultTooLargeException.CONFIGURED);
        }
        boolean[] written = {false};
        results.compute(result.taskId(), (id, current) -> {
            if (current != null && !current.state().canMoveTo(result.state())) {
                return current;
            }
            written[0] = true;
            return result;
        });
        if (written[0] && result.state().isReady()) {
            signal(result.taskId()).complete(result);
        }
        return written[0];
    }

    @Override
    public TaskResult get(String taskId) {
        return results.getOrDefault(taskId, TaskResult.pending(taskId));
    }

    @Override
    public CompletableFuture<TaskResult> whenReady(String taskId) {
        TaskResult current = get(taskId);
        if (current.state().isReady()) {
            return CompletableFuture.completedFuture(current);
        }
        // A copy, so that one caller cancelling does not cancel the others.
        return signal(taskId).copy();
    }

    @Override
    public void forget(String taskId) {
        results.remove(taskId);
        // Drop only a fired signal: an unfired one still has waiters, who wait for the next result.
        ready.computeIfPresent(taskId, (id, signal) -> signal.isDone() ? null : signal);
    }

    @Override
    public void saveGroup(String groupId, List<String> memberIds) {
        groups.put(groupId, List.copyOf(memberIds));
    }

    @Override
    public Optional<List<String>> group(String groupId) {
        return Optional.ofNullable(groups.get(groupId));
    }

    @Override
    public synchronized void setChordSize(String groupId, int size) {
        chords.computeIfAbsent(groupId, id -> new Chord()).size = size;
    }

    @Override
    public synchronized ChordProgress chordPartReturn(String groupId, @Nullable Integer groupIndex, ChordEntry entry,
            int sizeHint) {
        Chord chord = chords.computeIfAbsent(groupId, id -> new Chord());
        boolean marked = chord.failed;
        chord.entries.put(entry.taskId() + entry.state(), Map.entry(groupIndex == null ? Double.MAX_VALUE : groupIndex, entry));
        boolean first = entry.failed() && !marked;
        chord.failed |= entry.failed();
        int size = chord.size > 0 ? chord.size : sizeHint;
        if (size <= 0 || chord.entries.size() < size) {
            return new ChordProgress(first, marked, null);
        }
        List<ChordEntry> all = new ArrayList<>();
        chord.entries.values().stream().sorted(Map.Entry.comparingByKey(Comparator.naturalOrder()))
                .forEach(e -> all.add(e.getValue()));
        return new ChordProgress(first, marked, all);
    }

    @Override
    public synchronized void forgetChord(String groupId) {
        chords.remove(groupId);
    }

    @Override
    public void close() {
    }

    private CompletableFuture<TaskResult> signal(String taskId) {
        return ready.computeIfAbsent(taskId, id -> new CompletableFuture<>());
    }
}
