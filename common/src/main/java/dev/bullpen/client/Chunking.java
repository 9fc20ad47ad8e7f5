package dev.bullpen.client;

import java.util.ArrayList;
import java.util.List;

/** The arithmetic of chunks of {@code n}: Celery's {@code celery.utils.functional.chunks}, the last chunk shorter. */
final class Chunking {

    private Chunking() {
    }

    /** The items in chunks of {@code n}, in order; the last holds the remainder. */
    static <T> List<List<T>> split(List<T> items, int n) {
        check(n);
        List<List<T>> chunks = new ArrayList<>(count(items.size(), n));
        for (int start = 0; start < items.size(); start += n) {
            chunks.add(List.copyOf(items.subList(start, Math.min(items.size(), start + n))));
        }
        return chunks;
    }

    /** How many chunks {@code size} items make. */
    static int count(int size, int n) {
        check(n);
        return size == 0 ? 0 : (size - 1) / n + 1;
    }

    /** The input index of the first item of chunk {@code chunk}. */
    static int start(int chunk, int n) {
        check(n);
        return chunk * n;
    }

    /** How many items chunk {@code chunk} holds. */
    static int length(int chunk, int size, int n) {
        int start = start(chunk, n);
        if (chunk < 0 || start >= size) {
            throw new IndexOutOfBoundsException("chunk " + chunk + " of " + count(size, n));
        }
        return Math.min(n, size - start);
    }

    private static void check(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("the chunk size must be at least 1, got " + n);
        }
    }
}
