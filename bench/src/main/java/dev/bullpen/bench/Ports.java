package dev.bullpen.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Checks that a port the harness is about to give a server is free, so a clash fails with its name. */
final class Ports {

    private Ports() {
    }

    static void requireFree(String what, int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
        } catch (IOException ex) {
            throw new IllegalStateException("Port " + port + " (for the private " + what + ") is taken: " + ex.getMessage()
                    + ". Stop whatever listens there or pick other ports (see --help).");
        }
    }
}
