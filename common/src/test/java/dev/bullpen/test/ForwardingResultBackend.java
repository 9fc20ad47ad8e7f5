package dev.bullpen.test;

import dev.bullpen.result.ChordEntry;
import dev.bullpen.result.ChordProgress;
import dev.bullpen.result.ResultBackend;
import dev.bullpen.result.TaskResult;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * A real result backend seen through a test's eyes: every call goes to the delegate, so a test
 * overrides only the one it watches or breaks. {@link #close()} closes the delegate.
 */
public class ForwardingResultBackend implements ResultBackend {

    protected final ResultBackend delegate;

    public ForwardingResultBackend(ResultBackend delegate) {
        this.delegate = delegate;
    }

    @Override
    public boolean store(TaskResult result) {
        return delegate.store(result);
    }

    @Override
    public TaskResult get(String taskId) {
        return delegate.get(taskId);
    }

    @Override
    public List<TaskResult> getAll(List<String> taskIds) {
        return delegate.getAll(taskIds);
    }

    @Override
    public CompletableFuture<TaskResult> whenReady(String taskId) {
        return delegate.whenReady(taskId);
    }

    @Override
    public void expect(String taskId) {
        delegate.expect(taskId);
    }

    @Override
    public void forget(String taskId) {
        delegate.forget(taskId);
    }

    @Override
    public void saveGroup(String groupId, List<String> memberIds) {
        delegate.saveGroup(groupId, memberIds);
    }

    @Override
    public Optional<List<String>> group(String groupId) {
        return delegate.group(groupId);
    }

    @Override
    public void setChordSize(String groupId, int size) {
        delegate.setChordSize(groupId, size);
    }

    @Override
    public ChordProgress chordPartReturn(String groupId, @Nullable Integer groupIndex, ChordEntry entry, int sizeHint) {
        return delegate.chordPartReturn(groupId, groupIndex, entry, sizeHint);
    }

    @Override
    public void forgetChord(String groupId) {
        delegate.forgetChord(groupId);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
