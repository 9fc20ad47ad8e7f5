package dev.bullpen.docs;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the docs tests find README.md and docs/, whichever module directory Maven runs them from. */
final class RepositoryRoot {

    private RepositoryRoot() {
    }

    /** The nearest directory up from the working directory with both README.md and docs/. */
    static Path find() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null) {
            if (Files.isRegularFile(dir.resolve("README.md")) && Files.isDirectory(dir.resolve("docs"))) {
                return dir;
            }
            dir = dir.getParent();
        }
        throw new IllegalStateException("no README.md with a docs/ beside it above " + Path.of("").toAbsolutePath());
    }
}
