package dev.bullpen.worker.exec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Whether a process still runs, by its pid, read from /proc on its own rather than through the code under test. */
final class Orphans {

    private Orphans() {
    }

    /**
     * True while the process exists and is not a zombie: a killed orphan stays a zombie until
     * init reaps it, and the init of some sandboxes never does, yet a zombie runs nothing.
     */
    static boolean running(long pid) {
        Path stat = Path.of("/proc", Long.toString(pid), "stat");
        if (!Files.isDirectory(Path.of("/proc"))) {
            return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        }
        try {
            String text = Files.readString(stat, StandardCharsets.ISO_8859_1);
            char state = text.charAt(text.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (IOException ex) {
            return false;
        }
    }
}
