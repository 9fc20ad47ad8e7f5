package dev.bullpen.worker.exec;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The allowlist: a caller names a program exactly as {@code bullpen.worker.exec.allowed-programs}
 * lists it, and gets the executable it stands for. A plain name is looked up on the worker's
 * {@code PATH} at each call (so installing the program later needs no restart); an absolute path
 * is taken as given. Nothing else runs: not a path to an allowed name, not a name that only
 * resolves to an allowed path.
 */
final class Programs {

    private final List<String> allowed;
    private final Set<String> lookup;
    private final @Nullable String path;

    Programs(List<String> allowed, @Nullable String path) {
        this.allowed = List.copyOf(allowed);
        this.lookup = Set.copyOf(allowed);
        this.path = path;
    }

    /** Over the worker's own {@code PATH}. */
    static Programs of(ExecProperties properties) {
        return new Programs(properties.allowedPrograms(), System.getenv("PATH"));
    }

    List<String> allowed() {
        return allowed;
    }

    /**
     * The executable that {@code program} names.
     *
     * @throws ProgramNotAllowed when it is not on the allowlist
     * @throws ProgramNotFound when it is, but no such executable is here
     */
    Path resolve(String program) {
        if (allowed.isEmpty()) {
            throw new ProgramNotAllowed("bullpen.exec runs no program on this worker: its allowlist is empty. Set "
                    + ExecProperties.ALLOWED_PROGRAMS + " (environment: BULLPEN_WORKER_EXEC_ALLOWEDPROGRAMS), e.g. gzip,sha256sum");
        }
        if (!lookup.contains(program)) {
            throw new ProgramNotAllowed("program '" + program + "' is not allowed on this worker; "
                    + ExecProperties.ALLOWED_PROGRAMS + " is " + allowed);
        }
        if (program.startsWith("/")) {
            Path given = Path.of(program);
            if (isExecutable(given)) {
                return given;
            }
            throw new ProgramNotFound("program '" + program + "' is allowed but " + (Files.exists(given)
                    ? "is not an executable file" : "does not exist") + " on this worker");
        }
        if (path != null) {
            for (String dir : path.split(File.pathSeparator)) {
                if (dir.isEmpty()) {
                    continue; // an empty entry means the working directory: never look there
                }
                try {
                    Path candidate = Path.of(dir, program);
                    if (candidate.isAbsolute() && isExecutable(candidate)) {
                        return candidate;
                    }
                } catch (InvalidPathException ignored) {
                    // A PATH entry that is no path.
                }
            }
        }
        throw new ProgramNotFound("program '" + program + "' is allowed but not found on this worker's PATH (" + path + ")");
    }

    private static boolean isExecutable(Path file) {
        return Files.isRegularFile(file) && Files.isExecutable(file);
    }
}
