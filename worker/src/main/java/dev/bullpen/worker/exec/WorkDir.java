package dev.bullpen.worker.exec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code bullpen.worker.exec.work-dir} as one call sees it: its real path, and the check that a
 * path operand names a file in it. An operand must be relative, without {@code ..}, and once every
 * link is resolved it must still be in the work-dir: the file's real path if it exists, else that
 * of its nearest existing parent (an output the program will create). A symbolic link that leads
 * nowhere is refused, as the program would write through it; so is an existing file with more than
 * one hard link, since another of its names may be outside.
 * <p>
 * These checks run before the program starts. Whoever can write in the work-dir between the check
 * and the program's open (swap a checked file for a link) is not stopped by them: the work-dir
 * should be writable only by the worker's user, and no allowed program should make links.
 */
final class WorkDir {

    private static final Logger log = LoggerFactory.getLogger(WorkDir.class);

    /** Linux's PATH_MAX: no program can open a longer path, and the check below walks one name at a time. */
    static final int MAX_PATH_BYTES = 4096;

    private final Path configured;
    private final Path real;

    private WorkDir(Path configured, Path real) {
        this.configured = configured;
        this.real = real;
    }

    /** The work-dir at {@code configured}, resolved now (it may be a link, or mounted after the worker started). */
    static WorkDir open(Path configured) {
        try {
            Path real = configured.toRealPath();
            if (!Files.isDirectory(real)) {
                throw new IOException("not a directory");
            }
            return new WorkDir(configured, real);
        } catch (IOException ex) {
            throw new UncheckedIOException(ExecProperties.WORK_DIR + " (" + configured + ") is not a directory on this worker: "
                    + ex, ex);
        }
    }

    /** @throws ArgumentNotAllowed when {@code operand} is not a file in the work-dir */
    void confine(String program, String operand) {
        if (operand.length() > MAX_PATH_BYTES || operand.getBytes(StandardCharsets.UTF_8).length > MAX_PATH_BYTES) {
            throw refused(program, operand, "is longer than a path may be (" + MAX_PATH_BYTES + " bytes)");
        }
        Path relative;
        try {
            relative = Path.of(operand);
        } catch (InvalidPathException ex) {
            throw refused(program, operand, "is no path");
        }
        if (relative.isAbsolute()) {
            throw refused(program, operand, "is an absolute path; name files relative to " + ExecProperties.WORK_DIR
                    + hint(relative.normalize()));
        }
        for (Path name : relative) {
            if (name.toString().equals("..")) {
                throw refused(program, operand, "climbs with '..'; name files in " + ExecProperties.WORK_DIR + " without it");
            }
        }
        Path lexical = real.resolve(relative).normalize(); // only "." is left to drop: it stays in the work-dir
        for (Path candidate = lexical; candidate != null && !candidate.equals(real); candidate = candidate.getParent()) {
            if (Files.exists(candidate, LinkOption.NOFOLLOW_LINKS)) {
                Path target;
                try {
                    target = candidate.toRealPath();
                } catch (IOException ex) {
                    throw refused(program, operand, "cannot be resolved (a symbolic link that leads nowhere, a loop of "
                            + "links, or no permission)");
                }
                if (!target.startsWith(real)) {
                    log.warn("bullpen.exec refused {}'s argument {}: it resolves to {}, outside {} ({})", program,
                            Arguments.quote(operand), Arguments.quote(target.toString()), ExecProperties.WORK_DIR, real);
                    throw refused(program, operand, "leads out of " + ExecProperties.WORK_DIR + " through a symbolic link");
                }
                if (candidate.equals(lexical)) {
                    checkSingleLink(program, operand, target);
                }
                return;
            }
        }
    }

    /** For an absolute path into the work-dir, the relative name that the caller meant. */
    private String hint(Path absolute) {
        for (Path dir : new Path[] {configured, real}) {
            if (absolute.startsWith(dir) && !absolute.equals(dir)) {
                return ", here " + Arguments.quote(dir.relativize(absolute).toString());
            }
        }
        return "";
    }

    private static void checkSingleLink(String program, String operand, Path file) {
        if (!Files.isRegularFile(file)) {
            return; // a directory always has several links
        }
        int links;
        try {
            links = (Integer) Files.getAttribute(file, "unix:nlink");
        } catch (UnsupportedOperationException ex) {
            return; // no such attribute here: no hard links to count
        } catch (IOException ex) {
            throw refused(program, operand, "cannot be inspected: " + ex.getClass().getSimpleName());
        }
        if (links > 1) {
            throw refused(program, operand, "is a file with " + links + " hard links; one of its other names may be "
                    + "outside " + ExecProperties.WORK_DIR + ", so only files with a single link are taken");
        }
    }

    private static ArgumentNotAllowed refused(String program, String operand, String why) {
        return new ArgumentNotAllowed(program + ": argument " + Arguments.quote(operand) + " " + why);
    }
}
