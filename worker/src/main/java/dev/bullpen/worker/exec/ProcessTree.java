package dev.bullpen.worker.exec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Kills a program and every process it started. Two nets, since a process whose parent dies is
 * handed to init and is no longer anyone's descendant:
 * <ol>
 * <li>the program's descendants, snapshotted while it still lives, killed before it is;</li>
 * <li>on Linux, every process whose environment carries the run's {@code marker}
 *     ({@code BULLPEN_EXEC_RUN=<id>}, inherited by whatever the program starts): this also finds
 *     the ones that were orphaned before we looked, e.g. {@code sleep 100 &} left by a shell that
 *     exited.</li>
 * </ol>
 * A process that clears its environment and detaches before the program ends escapes the second net.
 */
final class ProcessTree {

    /** The environment variable that marks every process of one run. */
    static final String MARKER = "BULLPEN_EXEC_RUN";

    private static final Path PROC = Path.of("/proc");
    private static final long DEATH_WAIT_NANOS = 2_000_000_000L;

    private ProcessTree() {
    }

    /** Kills the program (if it still runs) and every process of the run; answers how many it killed. */
    static int kill(Process program, String runId) {
        Set<ProcessHandle> killed = new LinkedHashSet<>();
        for (int round = 0; round < 5 && program.isAlive(); round++) {
            // Not zombies: a killed child of a live shell stays one until the shell reaps it.
            List<ProcessHandle> descendants = program.descendants().filter(p -> isLive(p.pid())).toList();
            if (descendants.isEmpty()) {
                break;
            }
            for (ProcessHandle p : descendants) {
                if (p.destroyForcibly()) {
                    killed.add(p);
                }
            }
        }
        if (program.isAlive()) {
            program.destroyForcibly();
            killed.add(program.toHandle());
        }
        for (int round = 0; round < 5; round++) {
            List<ProcessHandle> marked = marked(runId);
            if (marked.isEmpty()) {
                break;
            }
            for (ProcessHandle p : marked) {
                p.destroyForcibly();
                killed.add(p);
            }
            awaitDeath(marked);
        }
        awaitDeath(killed);
        try {
            program.waitFor(); // our child: reaped here, so it leaves no zombie
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        return killed.size();
    }

    /** Live processes (not zombies) whose environment carries {@code MARKER=runId}; none where there is no /proc. */
    static List<ProcessHandle> marked(String runId) {
        if (!Files.isDirectory(PROC)) {
            return List.of();
        }
        String entry = MARKER + "=" + runId;
        long self = ProcessHandle.current().pid();
        List<ProcessHandle> found = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(PROC, "[0-9]*")) {
            for (Path dir : dirs) {
                long pid;
                try {
                    pid = Long.parseLong(dir.getFileName().toString());
                } catch (NumberFormatException ex) {
                    continue;
                }
                if (pid != self && carries(dir.resolve("environ"), entry) && isLive(pid)) {
                    ProcessHandle.of(pid).ifPresent(found::add);
                }
            }
        } catch (IOException ex) {
            return found;
        }
        return found;
    }

    /** Alive and not a zombie: a killed orphan stays a zombie until init reaps it, and some inits never do. */
    static boolean isLive(long pid) {
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        if (handle.isEmpty() || !handle.get().isAlive()) {
            return false;
        }
        if (!Files.isDirectory(PROC)) {
            return true;
        }
        try {
            String stat = Files.readString(PROC.resolve(Long.toString(pid)).resolve("stat"), StandardCharsets.ISO_8859_1);
            int end = stat.lastIndexOf(')'); // the command name may hold spaces and parentheses
            char state = end >= 0 && end + 2 < stat.length() ? stat.charAt(end + 2) : 'R';
            return state != 'Z' && state != 'X';
        } catch (IOException ex) {
            return false; // gone meanwhile
        }
    }

    private static boolean carries(Path environ, String entry) {
        try {
            // NUL-separated NAME=value pairs; Latin-1 maps every byte to one char, so nothing is lost or invalid.
            return ("\0" + new String(Files.readAllBytes(environ), StandardCharsets.ISO_8859_1) + "\0")
                    .contains("\0" + entry + "\0");
        } catch (IOException | SecurityException ex) {
            return false; // gone, or not ours
        }
    }

    /** Waits a little for killed processes to be gone, so that their files are closed before the scratch directory goes. */
    private static void awaitDeath(Iterable<ProcessHandle> processes) {
        long deadline = System.nanoTime() + DEATH_WAIT_NANOS;
        for (ProcessHandle p : processes) {
            while (isLive(p.pid()) && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(5);
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
